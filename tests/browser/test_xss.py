"""XSS vectors in every place people type text, then every page that shows them, in Chromium.

Each vector of tests/security/vectors.py becomes a member's display name and affiliation, a blog's title and
description, an entry's title, body and tag, a member's comment and a station's name and description (through
the services), a guest's name and comment (typed into the entry page's form) and a search (typed into the
search page). A collector member carries every vector at once in a bio, a blog description and a station
description, and gathers every vector's people and blogs in that station, so a handful of pages shows them all.

Every page must stay inert: no dialog, no Content-Security-Policy violation (an inline script or handler that
reached the DOM and was blocked), no console error, no script, frame, handler or script URL in the DOM, and no
request to another host (the guard in conftest.py). Plain-text fields must read back exactly as typed.
About 65 page loads in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from app.auth.services import register_user, update_profile
from app.blogs.services import create_blog
from app.comments.services import add_comment
from app.entries.services import create_entry
from app.extensions import db
from app.stations.services import approve_blog, create_station, join_station, submit_blog
from app.text.tags import TagError, parse_tags
from app.users.services import follow
from tests.browser.helpers import PASSWORD, ViolationWatcher, log_in, unique
from tests.security.vectors import PAGE_VECTORS

PROBE_TAG = unique("xss")

# Everything the vectors could have smuggled into the DOM: scripts other than the site's own files, frames and
# plugins, <base>, <meta http-equiv>, inline <style> and SVG/MathML, event-handler attributes, script-running
# URLs, and forms that post to another host. (Links to other sites are allowed in what members write.)
DOM_SCAN = r"""() => {
  const found = [];
  const siteScript = /^\/static\/[\w./-]+\.js(\?[\w=.&-]*)?$/;
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster'];
  const banned = ['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'style', 'svg', 'math'];
  const offSite = (value) => new URL(value, location.href).origin !== location.origin;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (tag === 'script' && !siteScript.test(el.getAttribute('src') || '')) found.push(el.outerHTML.slice(0, 100));
    if (banned.includes(tag)) found.push(`<${tag}> element`);
    if (tag === 'meta' && el.hasAttribute('http-equiv')) found.push(el.outerHTML.slice(0, 100));
    if (tag === 'form' && el.hasAttribute('action') && offSite(el.getAttribute('action'))) found.push('off-site form');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${name} on <${tag}>`);
      if (urlAttributes.includes(name)) {
        const url = attr.value.replace(/[\x00-\x20\x7f]+/g, '').toLowerCase();
        if (/^(javascript|vbscript|data:text\/html)/.test(url)) found.push(`${name}=${attr.value} on <${tag}>`);
      }
    }
  }
  return found;
}"""


def plain(text: str) -> str:
    """Text as a page shows it: runs of whitespace collapse to one space."""
    return " ".join(text.split())


def probe_tags(vector: str) -> str:
    """The probe tag and the vector as a tag, unless the tag rules refuse it (only punctuation, say)."""
    tag = re.sub(r"[,\uff0c]", " ", vector)[:40]
    try:
        parse_tags(tag)
    except TagError:
        return PROBE_TAG
    return f"{PROBE_TAG}, {tag}"


@dataclass(frozen=True)
class Planted:
    vector: str
    entry_number: int


def plant(vector: str, commenter, reader, hub) -> Planted:
    """The vector in one member's name, blog, entry, tag, comment and station; all of it joins the hub."""
    username = unique("xss")
    user = register_user(username, f"{username}@example.org", vector[:100], PASSWORD, affiliation=vector[:200])
    blog = create_blog(user, unique("xss-blog"), vector[:200], vector)
    entry = create_entry(blog, user, title=vector[:200], body_markdown=vector, tags=probe_tags(vector))
    add_comment(entry, vector, user=commenter)
    create_station(user, unique("xss-station"), vector[:200], vector)
    join_station(hub, user)
    submit_blog(hub, blog, user)
    approve_blog(hub, blog)
    follow(reader, user)
    return Planted(vector, entry.number)


@dataclass(frozen=True)
class World:
    planted: list[Planted]
    collector: str
    blog_slug: str
    station_slug: str
    reader: str


@pytest.fixture(scope="module")
def world(live_server) -> World:
    every = "\n".join(PAGE_VECTORS)
    with live_server.app_context():
        names = {role: unique(role) for role in ("collector", "commenter", "reader")}
        people = {role: register_user(name, f"{name}@example.org", role, PASSWORD) for role, name in names.items()}
        update_profile(people["collector"], PAGE_VECTORS[1][:100], PAGE_VECTORS[2][:200], every)
        update_profile(people["commenter"], PAGE_VECTORS[0][:100], "", "")
        blog = create_blog(people["collector"], unique("xss-blog"), PAGE_VECTORS[3][:200], every.replace("\n", "\n\n"))
        hub = create_station(people["collector"], unique("xss-hub"), PAGE_VECTORS[4][:200], every.replace("\n", "\n\n"))
        planted = [plant(vector, people["commenter"], people["reader"], hub) for vector in PAGE_VECTORS]
        db.session.commit()
        return World(planted, names["collector"], blog.slug, hub.slug, names["reader"])


class Inspector:
    """Opens pages in one context and notes every sign that a vector ran or reached the DOM."""

    def __init__(self, context: BrowserContext) -> None:
        self.page = context.new_page()
        self.watcher = ViolationWatcher(self.page)
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        self.problems: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def open(self, path: str) -> Page:
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.check(path)
        return self.page

    def open_every_page(self, path: str, until_shown: list[str]) -> list[str]:
        """`path` and the pages after it (rel=next) until every text in `until_shown` has appeared."""
        texts: list[str] = []
        while True:
            page = self.open(path)
            texts.append(page.locator("main").inner_text())
            following = page.locator("a[rel=next]")
            if not missing(texts, until_shown) or following.count() == 0:
                return texts
            path = following.first.get_attribute("href")

    def check(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        found = self.page.evaluate(DOM_SCAN) + self.watcher.problems() + self.dialogs + self.console_errors
        self.problems += [f"{where}: {item}" for item in found]
        self.watcher.console.clear()
        self.page.evaluate("window.__cspViolations = []")
        self.dialogs.clear()
        self.console_errors.clear()

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@pytest.fixture
def inspector(contexts) -> Inspector:
    return Inspector(contexts.new())


@pytest.mark.parametrize("index", range(len(PAGE_VECTORS)), ids=[f"vector{i}" for i in range(len(PAGE_VECTORS))])
def test_vector_stays_text_on_its_entry_page(world: World, inspector: Inspector, index: int):
    planted = world.planted[index]
    vector = planted.vector
    page = inspector.open(f"/posts/{planted.entry_number}")
    expect(page.locator("h1.entry-title")).to_have_text(plain(vector[:200]))
    member_comment = page.locator("article.comment").filter(has=page.locator("a.comment-author"))
    expect(member_comment.locator(".comment-body")).to_have_text(plain(vector))

    # A guest comments through the form's own page, linked from the entry.
    page.locator("#comment-form a", has_text="เขียนความเห็นในฐานะผู้เยี่ยมชม").click()
    inspector.check("on the comment form's page")
    page.locator("#guest_name").fill(vector[:100])
    page.locator("#body").fill(vector)
    page.locator("#comment-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/posts/{planted.entry_number}#comment-\d+$"))
    inspector.check("after a guest comment")
    guest_comment = page.locator("article.comment").filter(has=page.locator(".guest-marker"))
    expect(guest_comment.locator(".comment-author")).to_have_text(plain(vector[:100]))
    expect(guest_comment.locator(".comment-body")).to_have_text(plain(vector))
    inspector.assert_clean()


def missing(texts: list[str], wanted: list[str]) -> list[str]:
    """The wanted strings (as a page shows them) that none of the page texts contains."""
    shown = " ".join(plain(text) for text in texts)
    return [item for item in map(plain, wanted) if item not in shown]


def test_lists_of_entries_stations_and_people_stay_inert(world: World, inspector: Inspector):
    titles = [vector[:200] for vector in PAGE_VECTORS]
    for start in ("/", f"/tags/{PROBE_TAG}", "/c"):
        texts = inspector.open_every_page(start, until_shown=titles)
        assert missing(texts, titles) == [], start
    following = inspector.open(f"/u/{world.reader}/following").locator("main").inner_text()
    assert missing([following], [vector[:100] for vector in PAGE_VECTORS]) == []
    assert missing([following], [vector[:200] for vector in PAGE_VECTORS]) == []  # affiliations
    inspector.page.goto(f"/tags/{PROBE_TAG}/feed.atom")
    inspector.check("the tag's Atom feed")
    inspector.assert_clean()


def test_the_collectors_pages_stay_inert(world: World, inspector: Inspector):
    every = " ".join(PAGE_VECTORS)
    page = inspector.open(f"/u/{world.collector}")
    expect(page.locator("main h1")).to_have_text(plain(PAGE_VECTORS[1][:100]))
    assert plain(page.locator("main .bio").inner_text()) == plain(every)  # lines end in <br>
    page = inspector.open(f"/b/{world.blog_slug}")
    expect(page.locator("main h1")).to_have_text(plain(PAGE_VECTORS[3][:200]))
    assert plain(page.locator("main .blog-description").inner_text()) == plain(every)  # lines end in <br>
    page = inspector.open(f"/c/{world.station_slug}")
    expect(page.locator("main h1")).to_have_text(plain(PAGE_VECTORS[4][:200]))
    assert plain(page.locator("main .station-description").inner_text()) == plain(every)  # lines end in <br>
    assert missing([page.locator("main").inner_text()], [vector[:200] for vector in PAGE_VECTORS]) == []  # blogs
    members = inspector.open(f"/c/{world.station_slug}/members").locator("main").inner_text()
    assert missing([members], [vector[:100] for vector in PAGE_VECTORS]) == []
    inspector.assert_clean()


def test_a_search_for_every_vector_and_the_readers_dashboard_stay_inert(world: World, inspector: Inspector):
    query = " ".join(PAGE_VECTORS)
    page = inspector.open("/search")
    page.locator("main #q").fill(query)
    page.locator("main #q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?"))
    inspector.check("search")
    expect(page.locator("main #q")).to_have_value(query)

    log_in(page, world.reader)
    inspector.check("the reader's dashboard")
    expect(page.locator("main").get_by_text(plain(PAGE_VECTORS[-1][:200]), exact=True).first).to_be_visible()
    inspector.assert_clean()


def test_the_inspector_notices_an_injected_handler(contexts):
    """The checks above can fail: a handler added to the page is found, and its script is reported."""
    inspector = Inspector(contexts.new())
    page = inspector.open("/")
    page.evaluate("""() => {
      const img = document.createElement('img');
      img.setAttribute('onerror', 'alert(1)');
      img.src = 'data:,';
      document.body.append(img);
    }""")
    page.wait_for_function("window.__cspViolations.length > 0")
    inspector.check("after injecting")
    assert any("onerror on <img>" in problem for problem in inspector.problems)
    assert any("securitypolicyviolation" in problem for problem in inspector.problems)
