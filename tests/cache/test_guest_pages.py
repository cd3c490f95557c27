"""The guest-page lookup in front of Flask (app/page_cache/pages.py, `GuestPages`): a GET or HEAD without cookies
for a page kept for guests is answered before Flask makes a request of it. These tests hold it to what Flask's
own handling of the same request gives, so a change in Flask, Flask-Login, Flask-Limiter or our hooks that adds
or changes a header fails here."""

from __future__ import annotations

import pytest
from flask import request_started
from sqlalchemy import select

from app.extensions import db
from app.models import Entry
from tests.cache.conftest import CACHE_STATUS, prime


def _through_flask(client, path: str, **kwargs):
    """The same request, made to go through Flask's handling: a cookie that is neither a session nor a login."""
    client.set_cookie("seen-notice", "1")
    try:
        return client.get(path, **kwargs)
    finally:
        client.delete_cookie("seen-notice")


@pytest.fixture
def started(app):
    """The requests Flask itself handled (it sends `request_started` for each)."""
    handled = []

    def note(sender, **extra):
        handled.append(1)

    request_started.connect(note, app)
    yield handled
    request_started.disconnect(note, app)


@pytest.mark.parametrize("path", ["/", "/posts/{number}", "/tags/km", "/c/km-station", "/b/km-notes/feed.atom"])
def test_a_cookieless_guest_gets_what_flask_would_give_without_flask_handling_it(
    app, client, cast, station, started, path
):
    path = path.format(number=cast["km_entry"].number)
    prime(client, path)
    started.clear()
    direct = client.get(path)
    assert started == [] and direct.headers[CACHE_STATUS] == "hit"
    through = _through_flask(client, path)
    assert started == [1] and through.headers[CACHE_STATUS] == "hit"
    assert direct.get_data() == through.get_data()
    assert sorted(direct.headers.items()) == sorted(through.headers.items())
    assert direct.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"


def test_head_and_conditional_requests_match_flasks(client, cast):
    prime(client, "/tags")
    head = client.head("/tags")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(client.get("/tags").get_data()))
    etag = head.headers["ETag"]
    direct = client.get("/tags", headers={"If-None-Match": etag})
    through = _through_flask(client, "/tags", headers={"If-None-Match": etag})
    assert direct.status_code == through.status_code == 304
    assert sorted(direct.headers.items()) == sorted(through.headers.items())


def test_a_host_the_site_does_not_answer_gets_400_even_for_a_kept_page(app, client, cast):
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    prime(client, "/")
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_a_read_served_in_front_of_flask_is_written_once_the_response_is_sent(app, client, cast):
    entry = cast["km_entry"]
    prime(client, f"/posts/{entry.number}")
    app.config["READ_FLUSH_BATCH"] = 1  # due at once: written when the response closes, with no flush by the test
    response = client.get(f"/posts/{entry.number}", headers={"User-Agent": "Browser/1"})
    assert response.headers[CACHE_STATUS] == "hit"
    response.close()
    # The primer's read, buffered, and this one: written together, retiring the page (its count changed).
    assert db.session.scalar(select(Entry.read_count).where(Entry.id == entry.id)) == 2
    assert client.get(f"/posts/{entry.number}").headers[CACHE_STATUS] == "miss"


def test_each_language_is_its_own_kept_page_in_front_of_flask(client, cast):
    prime(client, "/tags")
    thai = client.get("/tags")
    english = client.get("/tags", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="th"' in thai.get_data(as_text=True) and 'lang="en"' in english.get_data(as_text=True)


def test_a_fault_in_front_of_flask_leaves_the_request_to_flask(app, client, cast, monkeypatch):
    from app.page_cache import pages

    prime(client, "/tags")

    def broken(*args):
        raise OSError("the page cache's folder went away")

    monkeypatch.setattr(pages, "locale_for", broken)
    response = client.get("/tags")
    assert response.status_code == 200 and response.headers[CACHE_STATUS] == "hit"  # served by the view's wrapper
