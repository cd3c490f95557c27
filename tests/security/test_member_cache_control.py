"""Every response to a signed-in member says `Cache-Control: private, no-store`, however it was made (a view, a
page the page cache kept for the member's audience, a redirect after a POST, an error page); pages kept for
guests say a proxy may keep them briefly."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.stations.services import create_station, submit_blog
from tests.cache.conftest import CACHE_STATUS
from tests.factories import PASSWORD, make_blog, make_entry, make_user

MEMBER = "private, no-store"


@pytest.fixture
def app_config() -> dict:
    return {"CACHE_TYPE": "SimpleCache"}  # the page cache on, as in production


@pytest.fixture
def scene(app):
    somchai = make_user("somchai")
    make_user("malee")
    make_user("prasert")
    blog = make_blog(somchai, "km-notes")
    entry = make_entry(blog, title="ถอดบทเรียน", tags="km")
    station = create_station(somchai, "km-station", "ชุมชน KM", "")
    submit_blog(station, blog, somchai)
    db.session.commit()
    return {"entry": entry}


def signed_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"login": username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == MEMBER  # the POST's redirect, signed in by it
    return client


def pages(scene) -> list[str]:
    return [
        "/",
        f"/posts/{scene['entry'].number}",
        "/b/km-notes",
        "/tags/km",
        "/c/km-station",
        "/u/somchai",
        "/search?q=km",
        "/dashboard",
        "/b/km-notes/feed.atom",
    ]


def test_signed_in_pages_are_private_and_not_stored(app, scene):
    malee, prasert = signed_in(app, "malee"), signed_in(app, "prasert")
    statuses = set()
    for client in (malee, prasert):
        for path in pages(scene):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == MEMBER, path
            statuses.add(response.headers.get(CACHE_STATUS))
    assert "hit" in statuses  # pages the page cache kept for the members' audience, with each reader's parts


def test_a_members_redirect_after_a_post_and_error_pages_are_private(app, scene):
    malee = signed_in(app, "malee")

    follow = malee.post("/u/somchai/follow")
    assert follow.status_code in (302, 303)
    assert follow.headers["Cache-Control"] == MEMBER
    missing = malee.get("/no-such-page")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == MEMBER
    forbidden = malee.get("/admin/users")
    assert forbidden.status_code == 403 and forbidden.headers["Cache-Control"] == MEMBER


def test_pages_kept_for_guests_may_be_kept_by_a_proxy_briefly(app, scene, client):
    for path in pages(scene)[:-2]:
        client.get(path)  # a miss, then a hit from the cache
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=1", path
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching_for_members(app, scene):
    malee = signed_in(app, "malee")
    anonymous = app.test_client().get("/static/css/sala.css")
    response = malee.get("/static/css/sala.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") == anonymous.headers.get("Cache-Control")
    assert response.headers.get("Cache-Control") != MEMBER
