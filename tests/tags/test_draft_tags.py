"""A tag that only drafts carry is not known to anyone but its writer's editor: no page, feed, list or suggestion.

Run with the page cache on, so a page kept while the tag was public is not served after it goes back to a draft.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from app.extensions import db
from tests.entries.conftest import entry_form
from tests.factories import make_blog, make_entry, make_user

SECRET = "โครงการลับ"
PAGE = "/tags/" + quote(SECRET)
FEED = PAGE + "/feed.atom"


@pytest.fixture
def app_config() -> dict:
    return {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def draft(app):
    """Somchai's draft tagged SECRET, beside a published entry tagged km; Malee is another member."""
    blog = make_blog(make_user("somchai"), "km-notes")
    make_user("malee")
    make_entry(blog, title="บันทึกเผยแพร่", tags="km")
    return make_entry(blog, title="ร่างบันทึก", tags=f"{SECRET}, km", publish=False)


def _shown_anywhere(client) -> list[str]:
    """Where the tag's name shows up for this reader: the tag list, the popular tags of an empty search, suggest."""
    places = {
        "/tags": client.get("/tags").get_data(as_text=True),
        "/search": client.get("/search").get_data(as_text=True),
        "/tags/suggest?q=": client.get("/tags/suggest?q=").get_data(as_text=True),
        "/tags/suggest?q=โครง": client.get("/tags/suggest", query_string={"q": "โครง"}).get_data(as_text=True),
    }
    return [place for place, body in places.items() if SECRET in body]


@pytest.mark.parametrize("reader", [None, "malee", "somchai"])
def test_a_drafts_only_tag_is_not_found_by_anyone(client, auth, draft, reader):
    """The writer too: the tag page lists published entries only, so it would be an empty page that exists."""
    if reader:
        auth.login(reader)
    assert client.get(PAGE).status_code == 404
    assert client.get(FEED).status_code == 404
    assert _shown_anywhere(client) == []


def _save(client, entry, status: str) -> None:
    form = entry_form(title="ร่างบันทึก", tags=f"{SECRET}, km", status=status)
    assert client.post(f"/posts/{entry.number}/edit", data=form).status_code == 302


def test_the_tag_appears_when_the_draft_is_published_and_goes_when_it_is_a_draft_again(client, auth, draft):
    auth.login("somchai")
    _save(client, draft, "published")
    auth.logout()
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # the second from the page cache
    assert client.get(FEED).status_code == 200
    assert _shown_anywhere(client) == ["/tags", "/search", "/tags/suggest?q=", "/tags/suggest?q=โครง"]

    auth.login("somchai")
    _save(client, draft, "draft")
    auth.logout()
    assert client.get(PAGE).status_code == 404
    assert client.get(FEED).status_code == 404
    assert _shown_anywhere(client) == []


def test_a_tag_only_a_suspended_members_entries_carry_is_not_found(client, draft):
    writer = make_user("writer")
    make_entry(make_blog(writer, "writer-blog"), tags="สแปม")
    assert client.get("/tags/" + quote("สแปม")).status_code == 200
    writer.is_suspended = True
    db.session.commit()
    assert client.get("/tags/" + quote("สแปม")).status_code == 404
