"""The strict Content-Security-Policy holds in a real browser: the main pages break none of its rules.

Chromium reports every blocked inline script, inline style, event handler or off-site load on the console
("... violates the following Content Security Policy directive ..."); a page that needed 'unsafe-inline' would
show it there. A `securitypolicyviolation` listener, installed before any page script runs, counts them too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import ViolationWatcher, log_in, unique

ENTRY_BODY = """บันทึกที่มี **ตัวหนา** ตาราง และรูปจากเว็บนี้

| ซ้าย | กลาง | ขวา |
| :--- | :---: | ---: |
| ก | ข | ค |

> คำคม

- หนึ่ง
- สอง
"""


@dataclass(frozen=True)
class World:
    username: str
    blog_slug: str
    entry_number: int


@pytest.fixture(scope="module")
def world(live_server) -> World:
    with live_server.app_context():
        user = factories.make_user(unique("csp"))
        blog = factories.make_blog(user, unique("csp-blog"))
        entry = factories.make_entry(blog, title="บันทึกทดสอบนโยบายความปลอดภัย", body=ENTRY_BODY, tags="ทดสอบ")
        return World(user.username, blog.slug, entry.number)


def test_main_pages_and_the_editor_break_no_csp_rule(contexts, world: World):
    page = contexts.new().new_page()
    watcher = ViolationWatcher(page)
    problems: list[str] = []
    for path in ("/", f"/posts/{world.entry_number}"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate("document.fonts.ready.then(() => true)")
        problems += [f"{path}: {problem}" for problem in watcher.problems()]
        watcher.console.clear()

    log_in(page, world.username)
    page.goto(f"/b/{world.blog_slug}/write")
    page.locator("#body").fill(ENTRY_BODY)
    page.locator('button[data-md="preview"]').click()
    expect(page.locator("#md-preview table")).to_be_visible()  # fetched over connect-src, shown with innerHTML
    problems += [f"editor: {problem}" for problem in watcher.problems()]
    assert not problems, "\n".join(problems)


def test_the_watcher_sees_a_blocked_inline_script(contexts):
    """The check above can fail: an inline script added to the page is blocked and reported."""
    page = contexts.new().new_page()
    watcher = ViolationWatcher(page)
    page.goto("/")
    page.evaluate("""() => {
      const script = document.createElement('script');
      script.textContent = 'window.__ranInline = true';
      document.body.append(script);
    }""")
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ranInline === undefined")
    page.wait_for_timeout(200)  # console messages arrive over CDP a moment later
    assert watcher.console, "Chromium did not report the blocked script on the console"
