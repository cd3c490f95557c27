"""OWASP filter-evasion vectors typed into every user-writable field, then every page that shows them.

Each vector goes in through the real forms (entry title, body and tags, a comment, the display name and
bio, a blog's title and description, a station's name and description, the search box); each page and feed
is then checked for an executable form of it: a script element that is not the site's own file, an event
attribute, or a script-running URL.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry, User
from tests.entries.conftest import entry_form, page_text
from tests.security.test_markdown_fuzz import executable_parts
from tests.security.vectors import PAGE_VECTORS as VECTORS

SQL_TEXT = "'; DROP TABLE users; --"
_SITE_SCRIPT_RE = re.compile(r"^/static/[\w./-]+\.js(\?[\w=.&-]*)?$")


class _PageChecker(HTMLParser):
    """Finds script elements other than the site's own files, inline script text, and event attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not _SITE_SCRIPT_RE.match(values.get("src") or ""):
                self.found.append(f"script element {attrs!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event attribute {name} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                url = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script text {data[:60]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def page_problems(markup: str) -> list[str]:
    checker = _PageChecker()
    checker.feed(markup)
    checker.close()
    return checker.found


def feed_problems(xml_text: str) -> list[str]:
    """Atom text, html and xhtml constructs, read as a feed reader would render them."""
    found: list[str] = []
    for element in ET.fromstring(xml_text).iter():
        if element.text and element.get("type") in ("html", "text", None):
            shown = element.text if element.get("type") == "html" else html.escape(element.text)
            found += executable_parts(shown)
    return found


def test_the_checkers_catch_what_they_should():
    assert page_problems("<script>alert(1)</script>")
    assert page_problems('<script src="https://evil.example/x.js"></script>')
    assert page_problems("<p oNmOuSeOvEr=alert(1)>x</p>")
    assert page_problems('<a href=" JAVASCRIPT:alert(1)">x</a>')
    assert not page_problems('<script src="/static/js/editor.js" defer></script><p>&lt;script&gt;</p>')
    atom = '<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="html">{}</content></entry></feed>'
    assert feed_problems(atom.format("&lt;img src=x onerror=alert(1)&gt;"))
    assert not feed_problems(atom.format("&amp;lt;img src=x onerror=alert(1)&amp;gt;"))


@pytest.fixture
def stage(app, client):
    """A member (registered through the form) with a blog; logged in."""

    def build(vector: str) -> dict:
        assert (
            client.post(
                "/register",
                data={
                    "username": "writer",
                    "display_name": vector[:100],
                    "email": "writer@example.org",
                    "password": "longenough1",
                    "confirm": "longenough1",
                },
            ).status_code
            == 302
        )
        client.post("/login", data={"login": "writer", "password": "longenough1"})
        profile = {"display_name": vector[:100], "affiliation": vector[:200], "bio": vector}
        assert client.post("/account/profile", data=profile).status_code == 302
        response = client.post(
            "/blogs/new",
            data={"slug": "vectors", "title": vector[:100], "description": vector, "allow_guest_comments": "y"},
        )
        assert response.status_code == 302, response.text
        return {}

    return build


@pytest.mark.parametrize("vector", VECTORS)
def test_vector_never_executes_on_any_page(client, stage, vector):
    stage(vector)
    tag = re.sub(r"[,\uff0c]", " ", vector)[:40]
    response = client.post("/b/vectors/write", data=entry_form(title=vector[:200], body=vector, tags=f"safe, {tag}"))
    if response.status_code != 302:  # a tag the rules refuse (e.g. only "#"): keep the rest of the vector
        response = client.post("/b/vectors/write", data=entry_form(title=vector[:200], body=vector, tags="safe"))
    assert response.status_code == 302, response.text
    entry_url = response.headers["Location"]
    number = db.session.scalar(select(Entry.number))
    assert client.post(f"/posts/{number}/comments", data={"body": vector}).status_code in (302, 303)
    station = client.post(
        "/c/new", data={"slug": "vectors-station", "name": vector[:200], "description": vector, "join_policy": "open"}
    )
    assert station.status_code == 302, station.text
    assert client.post("/c/vectors-station/submit", data={"blog": "vectors"}).status_code == 302
    client.post("/c/vectors-station/blogs/vectors/approve")  # the founder moderates; may already be approved

    pages = [
        entry_url,
        "/",
        "/b/vectors",
        "/c/vectors-station",
        "/u/writer",
        "/tags",
        "/tags/safe",
        "/account/profile",
        "/c/vectors-station/edit",
        f"/posts/{number}/edit",
    ]
    shown = " ".join(vector[:200].split())
    assert shown in page_text(client.get(entry_url))  # the title and body are shown, as text
    assert shown in page_text(client.get("/c/vectors-station"))
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert page_problems(page.text) == [], url
    search = client.get("/search", query_string={"q": vector})
    assert search.status_code in (200, 400)
    assert page_problems(search.text) == []
    assert client.get("/api/v1/search", query_string={"q": vector}).is_json
    for url in ["/b/vectors/feed.atom", "/c/vectors-station/feed.atom", "/tags/safe/feed.atom"]:
        feed = client.get(url)
        assert feed.status_code == 200, url
        assert "<entry" in feed.text, url
        assert feed_problems(feed.text) == [], url


def test_sql_looking_text_is_stored_and_shown_as_typed(client, stage):
    stage("ผู้เขียน")
    response = client.post("/b/vectors/write", data=entry_form(title=SQL_TEXT, body=SQL_TEXT))
    assert response.status_code == 302
    entry = db.session.scalars(select(Entry)).one()
    assert entry.title == SQL_TEXT
    assert SQL_TEXT in page_text(client.get(response.headers["Location"]))
    search = client.get("/search", query_string={"q": SQL_TEXT})
    assert search.status_code == 200
    assert SQL_TEXT in page_text(search)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
