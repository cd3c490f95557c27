"""axe-core on the main pages, in the light and the dark colour scheme: no serious or critical violations.

axe is vendored from its npm package into static/vendor/axe-core/ (`make vendor-axe`) and loaded from the
live server's own /static/, so it keeps working under a strict Content-Security-Policy (an inline copy, as
`add_script_tag(path=...)` makes, would be blocked by `script-src 'self'`). A JSON summary of each run goes to
test-artifacts/axe/, and a screenshot of each page to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page

from tests import factories
from tests.browser.conftest import ARTIFACTS_DIR, ROOT
from tests.browser.helpers import log_in, unique

AXE_DIR = ROOT / "static" / "vendor" / "axe-core"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_REPORTS_DIR = ARTIFACTS_DIR / "axe"
BLOCKING_IMPACTS = ("serious", "critical")

ENTRY_BODY = """การประชุมแลกเปลี่ยนเรียนรู้ครั้งนี้มีผู้เข้าร่วม **สามสิบคน** จากหกอำเภอ

## สิ่งที่ได้เรียนรู้

- การถอดบทเรียนต้องทำทันทีหลังกิจกรรม
- ใช้ [แบบฟอร์มกลาง](/tags) ให้ทุกทีมบันทึกเหมือนกัน

| อำเภอ | จำนวนผู้เข้าร่วม |
| --- | --- |
| เมืองชุมพร | 12 |
| หลังสวน | 8 |

> ความรู้ที่ไม่ได้บันทึกไว้ จะหายไปพร้อมกับคน

```
ขั้นตอนที่ 1: นัดหมาย
```
"""

# What axe gets from the page: only violations in detail, counts for the rest.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const slim = (items) => items.map((item) => ({
    id: item.id, impact: item.impact, help: item.help, helpUrl: item.helpUrl, tags: item.tags,
    nodes: item.nodes.map((node) => ({target: node.target, html: node.html, failureSummary: node.failureSummary})),
  }));
  return {
    engine: result.testEngine.version, url: result.url, violations: slim(result.violations),
    incomplete: result.incomplete.map((item) => item.id), passes: result.passes.length,
  };
}"""


@dataclass(frozen=True)
class World:
    """A member with a blog, an entry (with a table and a guest comment) and a station showing it."""

    username: str
    blog_slug: str
    entry_number: int
    station_slug: str


@pytest.fixture(scope="module")
def world(live_server) -> World:
    from app.comments.services import add_comment
    from app.extensions import db
    from app.stations.services import submit_blog

    with live_server.app_context():
        user = factories.make_user(unique("axe"), display_name="คุณอรุณี ศรีสุข")
        blog = factories.make_blog(
            user,
            unique("axe-blog"),
            title="บันทึกเครือข่ายการจัดการความรู้ชุมพร",
            description="บันทึกจากเวทีแลกเปลี่ยนเรียนรู้ของเครือข่าย",
        )
        factories.make_entry(blog, title="เตรียมเวทีครั้งต่อไป", body="นัดหมายทีมงาน", tags="ชุมพร")
        entry = factories.make_entry(
            blog, title="ถอดบทเรียนเวทีแลกเปลี่ยนเรียนรู้ครั้งที่หนึ่ง", body=ENTRY_BODY, tags="การจัดการความรู้, ชุมพร"
        )
        add_comment(entry, "ขอบคุณสำหรับบันทึกค่ะ", guest_name="ครูแดง", ip_address="203.0.113.7")
        station = factories.make_station(user, unique("axe-station"), name="ชุมชนคนทำ KM ชุมพร")
        submit_blog(station, blog, user)
        db.session.commit()
        return World(user.username, blog.slug, entry.number, station.slug)


PAGES: dict[str, tuple[bool, str]] = {
    # name: (signed in, path template)
    "home": (False, "/"),
    "entry": (False, "/posts/{w.entry_number}"),
    "station": (False, "/c/{w.station_slug}"),
    "search": (False, "/search?q=เรียนรู้"),
    "editor": (True, "/b/{w.blog_slug}/write"),
    "dashboard": (True, "/dashboard"),
}


def _format(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}  {node['html'][:160]}")
    return "\n".join(lines)


def run_axe(page: Page) -> dict:
    page.add_script_tag(url=AXE_URL)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_axe_violations(name: str, scheme: str, contexts, world: World, screenshot):
    signed_in, template = PAGES[name]
    page = contexts.new(color_scheme=scheme).new_page()
    if signed_in:
        log_in(page, world.username)
    response = page.goto(template.format(w=world))
    assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
    page.evaluate("document.fonts.ready.then(() => true)")

    report = run_axe(page)
    report["page"], report["color_scheme"] = name, scheme
    AXE_REPORTS_DIR.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS_DIR / f"{name}-{scheme}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    screenshot(page, name if scheme == "light" else f"{name}-dark")

    blocking = [v for v in report["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {name} ({scheme}):\n{_format(report['violations'])}"


def test_vendored_axe_is_the_version_the_makefile_pins():
    pinned = re.search(r"^AXE_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert pinned is not None
    header = (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")[:200]
    assert f"axe v{pinned.group(1)}" in header
    assert (AXE_DIR / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License")
