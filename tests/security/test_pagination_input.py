"""Hostile `?page=` values on every page of the site, and the tag-suggest address without a usable `q`.

Every GET route in app.url_map is walked with each value: none may answer 5xx. The paginated ones must also
answer the same way for the same text: 400 for what is not a page number, 404 past the end, the page otherwise.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from app import create_app
from app.comments.services import add_comment
from app.extensions import db
from app.reports.services import report_entry
from app.stations.services import submit_blog
from app.users.services import follow
from tests.factories import make_blog, make_entry, make_station, make_user

NOT_PAGE_NUMBERS = [
    "²",  # str.isdigit() is True, int() refuses it: the 500 of the audit
    "①",
    "٢",  # Arabic-Indic two: int() takes it
    "۲",  # Extended Arabic-Indic
    "２",  # fullwidth
    "२",  # Devanagari
    "-1",
    "+1",
    "0",
    "00",
    "1e9",
    "1.5",
    "0x10",
    "abc",
    "1 2",
    "1%",
]
PAST_THE_END = ["2", "๒", "999999", str(10**30), "1" * 5000]
FIRST_PAGE = ["", " ", "1", " 1 ", "๑", "01"]
HOSTILE = NOT_PAGE_NUMBERS + PAST_THE_END + FIRST_PAGE
# What crashed before (int() refusing what isdigit() took, or more than 4,300 digits), for the other pages.
CRASHERS = ["²", "①", "٢", "1" * 5000, "-1", ""]

# The search page and the API read the page through a form with a range: past MAX_PAGE is a 400 there.
SEARCH_ENDPOINTS = {"search.index", "api.search_entries"}
PAGINATED = {
    "main.home",
    "blogs.show",
    "stations.index",
    "stations.show",
    "stations.members",
    "tags.show",
    "users.profile",
    "users.followers",
    "users.following",
    "comments.queue",
    "admin.users",
    "admin.reports_list",
    *SEARCH_ENDPOINTS,
}


def _get_endpoints() -> list[str]:
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods})


GET_ENDPOINTS = _get_endpoints()


@pytest.fixture
def world(app):
    """An admin who writes (blog, station, tagged entry), a follower who commented and reported."""
    admin = make_user("somchai", is_admin=True)
    reader = make_user("malee")
    blog = make_blog(admin, "km-notes")
    station = make_station(admin, "km-station")
    submit_blog(station, blog, admin)
    entry = make_entry(blog, title="การจัดการความรู้ KM", tags="km")
    comment = add_comment(entry, "ความเห็น", user=reader)
    follow(reader, admin)
    report = report_entry(reader, entry, "spam")
    db.session.commit()
    return {
        "slug": {"blogs": blog.slug, "entries": blog.slug, "stations": station.slug},
        "blog_slug": blog.slug,
        "username": admin.username,
        "number": entry.number,
        "name": {"tags": "km", "uploads": "missing.png"},
        "comment_id": comment.id,
        "user_id": reader.id,
        "report_id": report.id,
        "code": "th",
        "token": "not-a-token",
        "filename": "css/sala.css",
    }


def _path(app: Flask, endpoint: str, world: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules(endpoint=endpoint) if "GET" in rule.methods)
    blueprint = endpoint.split(".")[0]
    args = {}
    for argument in rule.arguments:
        value = world[argument]
        args[argument] = value[blueprint] if isinstance(value, dict) else value
    with app.test_request_context():
        return app.url_for(endpoint, **args)


def _url(path: str, endpoint: str, page: str) -> str:
    query = "q=KM&" if endpoint in SEARCH_ENDPOINTS else ""
    return f"{path}?{query}page={quote(page)}"


def _expected(endpoint: str, page: str) -> int:
    if page in NOT_PAGE_NUMBERS:
        return 400
    if page in PAST_THE_END:
        too_large = len(page.strip()) > 6
        if endpoint == "api.search_entries":
            return 400 if too_large else 200  # the API answers an empty list past the end
        return 400 if too_large and endpoint in SEARCH_ENDPOINTS else 404
    return 200


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_no_page_value_makes_any_page_fail(app, client, auth, world, endpoint):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, as in production
    auth.login("somchai")
    path = _path(app, endpoint, world)
    for page in HOSTILE if endpoint in PAGINATED else CRASHERS:
        response = client.get(_url(path, endpoint, page))
        assert response.status_code < 500, (endpoint, page, response.status_code)


@pytest.mark.parametrize("endpoint", sorted(PAGINATED))
def test_paginated_lists_answer_the_same_for_the_same_text(app, client, auth, world, endpoint):
    auth.login("somchai")
    path = _path(app, endpoint, world)
    answers = {page: client.get(_url(path, endpoint, page)).status_code for page in HOSTILE}
    assert answers == {page: _expected(endpoint, page) for page in HOSTILE}


def test_the_paginated_routes_are_the_ones_listed(app, client, auth, world):
    """Any GET route that takes `?page=1` and refuses `?page=abc` reads a page number: it must be in PAGINATED."""
    auth.login("somchai")

    def status(endpoint: str, page: str) -> int:
        return client.get(_url(_path(app, endpoint, world), endpoint, page)).status_code

    assert {
        endpoint for endpoint in GET_ENDPOINTS if status(endpoint, "abc") == 400 != status(endpoint, "1")
    } == PAGINATED


def test_a_bad_page_number_gets_a_thai_message(client, world):
    response = client.get("/?page=²")
    assert response.status_code == 400
    assert "เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป" in response.get_data(as_text=True)
    api = client.get("/api/v1/search?q=KM&page=²")
    assert api.status_code == 400
    assert api.get_json()["error"] == "เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"
