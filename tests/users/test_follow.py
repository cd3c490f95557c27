"""Following people, and the lists of followers and followed people."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Follow
from app.users import routes as user_routes
from app.users.services import follow
from tests.factories import make_user


def _follow_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Follow))


def _is_following(follower_id: int, followed_id: int) -> bool:
    return db.session.get(Follow, (follower_id, followed_id)) is not None


@pytest.fixture
def people():
    return {name: make_user(name, display_name=f"คุณ{name}") for name in ("somchai", "malee", "wichai")}


def test_follow_and_unfollow(client, auth, people):
    auth.login("malee")

    response = client.post("/u/somchai/follow")

    assert response.status_code == 302
    assert response.headers["Location"] == "/u/somchai"
    assert _is_following(people["malee"].id, people["somchai"].id)
    html = client.get("/u/somchai").get_data(as_text=True)
    assert "ผู้ติดตาม 1 คน" in html
    assert 'action="/u/somchai/unfollow"' in html

    response = client.post("/u/somchai/unfollow")

    assert response.status_code == 302
    assert not _is_following(people["malee"].id, people["somchai"].id)
    html = client.get("/u/somchai").get_data(as_text=True)
    assert "ผู้ติดตาม 0 คน" in html
    assert 'action="/u/somchai/follow"' in html


def test_following_twice_is_harmless(client, auth, people):
    auth.login("malee")

    client.post("/u/somchai/follow")
    second = client.post("/u/SOMCHAI/follow")

    assert second.status_code == 302
    assert _follow_count() == 1


def test_unfollowing_someone_not_followed_is_harmless(client, auth, people):
    auth.login("malee")

    assert client.post("/u/somchai/unfollow").status_code == 302
    assert _follow_count() == 0


def test_cannot_follow_yourself(client, auth, people):
    auth.login("somchai")

    response = client.post("/u/somchai/follow")

    assert response.status_code == 400
    assert _follow_count() == 0


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_guests_are_sent_to_login(client, people, action):
    response = client.post(f"/u/somchai/{action}")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert _follow_count() == 0


@pytest.mark.parametrize("action", ["follow", "unfollow"])
def test_follow_is_post_only(client, auth, people, action):
    auth.login("malee")

    assert client.get(f"/u/somchai/{action}").status_code == 405


def test_following_unknown_or_suspended_people_is_404(client, auth, people):
    people["wichai"].is_suspended = True
    db.session.commit()
    auth.login("malee")

    assert client.post("/u/nobody/follow").status_code == 404
    assert client.post("/u/wichai/follow").status_code == 404
    assert _follow_count() == 0


def test_follower_and_following_lists_and_counts(client, people):
    follow(people["malee"], people["somchai"])
    follow(people["wichai"], people["somchai"])
    follow(people["somchai"], people["malee"])
    db.session.commit()

    profile = client.get("/u/somchai").get_data(as_text=True)
    followers = client.get("/u/somchai/followers").get_data(as_text=True)
    following = client.get("/u/somchai/following").get_data(as_text=True)

    assert 'href="/u/somchai/followers">ผู้ติดตาม 2 คน' in profile
    assert 'href="/u/somchai/following">กำลังติดตาม 1 คน' in profile
    assert 'href="/u/malee"' in followers and 'href="/u/wichai"' in followers
    assert 'href="/u/malee"' in following and 'href="/u/wichai"' not in following


def test_lists_have_empty_states(client, people):
    assert "ยังไม่มีผู้ติดตาม" in client.get("/u/wichai/followers").get_data(as_text=True)
    assert "ยังไม่ได้ติดตามใคร" in client.get("/u/wichai/following").get_data(as_text=True)


def test_suspended_followers_are_neither_listed_nor_counted(client, people):
    follow(people["malee"], people["somchai"])
    follow(people["wichai"], people["somchai"])
    people["wichai"].is_suspended = True
    db.session.commit()

    profile = client.get("/u/somchai").get_data(as_text=True)
    followers = client.get("/u/somchai/followers").get_data(as_text=True)

    assert "ผู้ติดตาม 1 คน" in profile
    assert 'href="/u/wichai"' not in followers


def test_follower_list_is_paginated_newest_first(client, monkeypatch, people):
    monkeypatch.setattr(user_routes, "PEOPLE_PER_PAGE", 1)
    follow(people["malee"], people["somchai"])
    db.session.commit()
    follow(people["wichai"], people["somchai"])
    db.session.commit()

    first = client.get("/u/somchai/followers").get_data(as_text=True)
    second = client.get("/u/somchai/followers?page=2").get_data(as_text=True)

    assert 'href="/u/wichai"' in first and 'href="/u/malee"' not in first
    assert 'href="/u/somchai/followers?page=2"' in first
    assert 'href="/u/malee"' in second
    assert client.get("/u/somchai/followers?page=3").status_code == 404
