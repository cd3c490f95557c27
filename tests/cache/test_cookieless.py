"""The cookieless path: a stored page served before Flask handles the request, to a visitor who sends no cookie."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Entry
from tests.cache.conftest import CACHE_STATUS

IGNORED_HEADERS = {"set-cookie"}


@pytest.fixture
def hooks_run(app) -> Iterator[list[str]]:
    """The paths of requests that reached Flask's request hooks (the hook is taken off the reused app after)."""
    from flask import request

    seen: list[str] = []

    def note_path() -> None:
        seen.append(request.path)

    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(0, note_path)
    yield seen
    hooks.remove(note_path)


def _headers(response) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers if name.lower() not in IGNORED_HEADERS}


def test_a_cookieless_hit_never_reaches_flask(app, cast, hooks_run):
    app.test_client().get("/b/km-notes")
    assert hooks_run == ["/b/km-notes"]  # the miss was rendered by Flask
    response = app.test_client().get("/b/km-notes")
    assert response.headers[CACHE_STATUS] == "hit"
    assert hooks_run == ["/b/km-notes"]


def test_it_answers_with_what_flask_would_have_answered(app, cast, hooks_run):
    """Same body and the same headers as a hit served inside Flask (to a visitor with an unrelated cookie)."""
    for path in ("/", f"/posts/{cast['km_entry'].number}", "/b/km-notes/feed.atom"):
        app.test_client().get(path)
        cookieless = app.test_client().get(path)
        with_cookie = app.test_client()
        with_cookie.set_cookie("unrelated", "1")
        through_flask = with_cookie.get(path)
        assert hooks_run.count(path) == 2, path  # the miss, then the visitor with a cookie
        assert cookieless.headers[CACHE_STATUS] == through_flask.headers[CACHE_STATUS] == "hit"
        assert cookieless.get_data() == through_flask.get_data()
        assert _headers(cookieless) == _headers(through_flask)


def test_head_gets_the_headers_and_no_body(app, cast):
    app.test_client().get("/tags")
    full = app.test_client().get("/tags")
    head = app.test_client().head("/tags")
    assert head.headers[CACHE_STATUS] == "hit"
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"] == str(len(full.get_data()))


def test_a_language_cookie_goes_through_flask_and_gets_its_language(app, cast, hooks_run):
    app.test_client().get("/")
    reader = app.test_client()
    reader.set_cookie("sala_lang", "en")
    english = reader.get("/")
    assert hooks_run == ["/", "/"]
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_a_browser_asking_for_english_gets_the_english_copy_without_a_cookie(app, cast, hooks_run):
    english = {"Accept-Language": "en-GB,en;q=0.8"}
    app.test_client().get("/", headers=english)
    served = app.test_client().get("/", headers=english)
    thai = app.test_client().get("/")
    assert served.headers[CACHE_STATUS] == "hit"
    assert '<html lang="en">' in served.get_data(as_text=True)
    assert '<html lang="th">' in thai.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"CACHE_TYPE": "SimpleCache", "PROXY_FIX_X_FOR": 1}])
def test_behind_a_proxy_each_forwarded_reader_counts(app, cast):
    """The proxy fix wraps the cookieless path too: readers are told apart by their forwarded address."""
    entry = cast["km_entry"]
    app.test_client().get(f"/posts/{entry.number}", headers={"User-Agent": "Googlebot/2.1"}).close()  # stores it
    for address in ("203.0.113.7", "203.0.113.8", "203.0.113.8"):
        response = app.test_client().get(f"/posts/{entry.number}", headers={"X-Forwarded-For": address})
        response.close()
    assert db.session.scalar(select(Entry.read_count).where(Entry.id == entry.id)) == 2


@pytest.mark.parametrize("app_config", [{"CACHE_TYPE": "SimpleCache", "WTF_CSRF_ENABLED": True}])
def test_the_session_cookie_it_starts_is_flasks_own(app, cast):
    """Name and flags as Flask sets them, and Flask reads it back: the token in the form is accepted."""
    path = f"/posts/{cast['km_entry'].number}"
    app.test_client().get(path)
    cookieless = app.test_client().get(path)
    with_cookie = app.test_client()
    with_cookie.set_cookie("unrelated", "1")
    through_flask = with_cookie.get(path)

    def flags(response) -> list[str]:
        name_and_value, *attributes = response.headers["Set-Cookie"].split("; ")
        return [name_and_value.split("=", 1)[0], *sorted(attributes)]

    assert flags(cookieless) == flags(through_flask)
    assert cookieless.headers[CACHE_STATUS] == "hit"
