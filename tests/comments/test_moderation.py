"""The moderation queue: who reviews waiting comments, and what approving and rejecting do."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.comments.services import add_comment
from app.extensions import db
from app.models import Comment
from app.stations.services import join_station, set_moderator, submit_blog
from tests.comments.helpers import assert_count
from tests.factories import make_blog, make_entry, make_station, make_user
from tests.search.helpers import found

SPAM = "vermicompost http://a.example http://b.example http://c.example"


@pytest.fixture
def pending(cast) -> Comment:
    comment = add_comment(cast.entry, SPAM, guest_name="ผู้มาเยือน", ip_address="203.157.44.226")
    db.session.commit()
    assert comment.is_pending
    return comment


@pytest.fixture
def stations(cast):
    """kanya moderates a station that accepted the blog; wichai moderates a station that did not."""
    kanya, wichai = make_user("kanya"), make_user("wichai")
    station = make_station(make_user("station_owner"), "Chumphon-KM")
    other = make_station(make_user("other_owner"), "Other-Station")
    for row_station, user in ((station, kanya), (station, cast.owner), (other, wichai)):
        join_station(row_station, user)
    set_moderator(station, kanya, True)
    set_moderator(other, wichai, True)
    submit_blog(station, cast.blog, cast.owner)
    db.session.commit()
    from app.stations.services import approve_blog, get_station_blog

    if get_station_blog(station, cast.blog).status != "accepted":
        approve_blog(station, cast.blog)
        db.session.commit()
    return station


def queue_page(client, page: int | None = None):
    return client.get("/moderation" + (f"?page={page}" if page else ""))


def stored(comment_id: int) -> Comment | None:
    db.session.expire_all()
    return db.session.get(Comment, comment_id)


def test_a_waiting_comment_is_neither_shown_counted_nor_searchable(client, auth, cast, pending):
    for login in (None, "suda"):
        if login:
            auth.login(login)
        page = client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
        assert "vermicompost" not in page
        assert "ความเห็น (0)" in page
    assert_count(cast.entry, 0)
    assert found("vermicompost") == set()


def test_the_queue_lists_waiting_comments_with_a_masked_address_and_the_reason(client, auth, cast, pending):
    auth.login("suda")
    response = queue_page(client)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    article = re.search(rf'<article[^>]*id="comment-{pending.id}".*?</article>', html, re.S).group(0)
    assert f'href="/posts/{cast.entry.number}"' in article
    assert "IP: xxx.157.44.226" in article
    assert "203.157" not in article
    assert "มีลิงก์เกินจำนวนที่กำหนด" in article
    assert "vermicompost" in article
    assert f'action="/moderation/comments/{pending.id}/approve"' in article
    assert f'action="/moderation/comments/{pending.id}/reject"' in article


def test_approving_publishes_counts_and_indexes_the_comment(client, auth, cast, pending):
    auth.login("suda")
    response = client.post(f"/moderation/comments/{pending.id}/approve")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderation")
    assert stored(pending.id).status == "published"
    assert_count(cast.entry, 1)
    assert found("vermicompost") == {cast.entry.number}
    assert "vermicompost" in client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    assert "ไม่มีความเห็นที่รออนุมัติ" in queue_page(client).get_data(as_text=True)


def test_rejecting_deletes_the_comment(client, auth, cast, pending):
    comment_id = pending.id
    auth.login("somchai")
    response = client.post(f"/moderation/comments/{comment_id}/reject")

    assert response.status_code == 302
    assert stored(comment_id) is None
    assert_count(cast.entry, 0)
    assert found("vermicompost") == set()


def test_a_decided_comment_cannot_be_decided_again(client, auth, cast, pending):
    auth.login("suda")
    client.post(f"/moderation/comments/{pending.id}/approve")

    assert client.post(f"/moderation/comments/{pending.id}/approve").status_code == 404
    assert client.post(f"/moderation/comments/{pending.id}/reject").status_code == 404
    assert stored(pending.id).status == "published"


def test_unknown_comments_are_404(client, auth, cast):
    auth.login("suda")
    assert client.post("/moderation/comments/999/approve").status_code == 404
    assert client.post("/moderation/comments/999/reject").status_code == 404
    assert client.post("/moderation/comments/abc/approve").status_code == 404


@pytest.mark.parametrize("login", ["suda", "somchai", "kanya"])
def test_the_entry_author_blog_owner_and_station_moderator_review(client, auth, cast, stations, pending, login):
    auth.login(login)
    assert str(pending.id) in queue_page(client).get_data(as_text=True)
    assert client.post(f"/moderation/comments/{pending.id}/approve").status_code == 302
    assert stored(pending.id).status == "published"


@pytest.mark.parametrize("login", ["preecha", "malee", "wichai"])
def test_others_neither_see_nor_decide(client, auth, cast, stations, pending, login):
    auth.login(login)
    html = queue_page(client).get_data(as_text=True)
    assert "vermicompost" not in html
    assert "ไม่มีความเห็นที่รออนุมัติ" in html
    assert client.post(f"/moderation/comments/{pending.id}/approve").status_code == 403
    assert client.post(f"/moderation/comments/{pending.id}/reject").status_code == 403
    assert stored(pending.id).status == "pending"


def test_guests_are_sent_to_sign_in(client, cast, pending):
    assert "/login" in queue_page(client).headers["Location"]
    response = client.post(f"/moderation/comments/{pending.id}/approve")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert stored(pending.id).status == "pending"


def test_a_suspended_author_cannot_review(client, auth, cast, pending):
    auth.login("suda")
    cast.author.is_suspended = True
    db.session.commit()
    response = client.post(f"/moderation/comments/{pending.id}/approve")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert stored(pending.id).status == "pending"


def test_the_dashboard_points_reviewers_to_the_queue(client, auth, cast, pending):
    auth.login("suda")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "ความเห็นที่รออนุมัติ (1)" in html
    assert 'href="/moderation"' in html

    auth.logout()
    auth.login("preecha")
    assert "ความเห็นที่รออนุมัติ" not in client.get("/dashboard").get_data(as_text=True)


def test_the_queue_is_paginated_oldest_first(app, client, auth, cast):
    app.config["MODERATION_PER_PAGE"] = 2
    ids = [add_comment(cast.entry, f"{SPAM} {n}", guest_name="แขก").id for n in range(5)]
    db.session.commit()
    auth.login("suda")

    pages = [queue_page(client, page).get_data(as_text=True) for page in (1, 2, 3)]
    shown = [[int(i) for i in re.findall(r'<article class="comment" id="comment-(\d+)"', html)] for html in pages]
    assert shown == [ids[0:2], ids[2:4], ids[4:5]]
    assert 'rel="next"' in pages[0]
    assert queue_page(client, 4).status_code == 404


def test_the_queue_only_shows_entries_the_reviewer_looks_after(client, auth, cast, pending):
    elsewhere = make_entry(make_blog(cast.other, "elsewhere"), cast.other, title="บันทึกอื่น")
    theirs = add_comment(elsewhere, SPAM + " elsewhere", guest_name="แขก")
    db.session.commit()
    auth.login("suda")

    html = queue_page(client).get_data(as_text=True)
    assert f'id="comment-{pending.id}"' in html
    assert f'id="comment-{theirs.id}"' not in html
    assert len(db.session.scalars(select(Comment)).all()) == 2
