"""Spam defences on the comment form: the per-address limit, the honeypot and the link limit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.comments.services import moderation_reasons
from app.extensions import db
from app.models import Comment
from tests.comments.helpers import assert_count

WAITS = "ความเห็นนี้จะแสดงเมื่อเจ้าของบันทึกหรือผู้ดูแลอนุมัติ"
TOO_FAST = "คุณส่งความเห็นถี่เกินไป"


@pytest.fixture
def app_config() -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "COMMENT_LIMIT_PER_IP": "3 per 10 minutes",
        "COMMENT_MAX_LINKS_GUEST": 2,
        "COMMENT_MAX_LINKS_MEMBER": 4,
    }


def post_comment(client, entry, body="ขอบคุณครับ", address="192.0.2.10", **fields):
    data = {"body": body, "guest_name": "ผู้มาเยือน", **fields}
    return client.post(f"/posts/{entry.number}/comments", data=data, environ_base={"REMOTE_ADDR": address})


def comments() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def test_guests_are_limited_per_address_and_keep_what_they_typed(client, cast):
    for number in range(3):
        assert post_comment(client, cast.entry, f"ความเห็นที่ {number}").status_code == 302

    response = post_comment(client, cast.entry, "ข้อความที่ยังไม่อยากเสีย", guest_name="สมศรี")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert TOO_FAST in html
    assert "ข้อความที่ยังไม่อยากเสีย</textarea>" in html
    assert re.search(r'name="guest_name"[^>]*value="สมศรี"', html)
    assert len(comments()) == 3


def test_another_address_has_its_own_allowance(client, cast):
    for _ in range(3):
        post_comment(client, cast.entry, address="192.0.2.10")
    assert post_comment(client, cast.entry, address="192.0.2.10").status_code == 429

    assert post_comment(client, cast.entry, address="192.0.2.11").status_code == 302
    assert len(comments()) == 4


def test_members_are_not_held_to_the_guest_limit(client, auth, cast):
    auth.login("malee")
    for number in range(5):
        assert post_comment(client, cast.entry, f"ความเห็นที่ {number}").status_code == 302
    assert len(comments()) == 5


def test_reading_the_entry_is_not_limited(client, cast):
    for _ in range(3):
        post_comment(client, cast.entry)
    assert client.get(f"/posts/{cast.entry.number}").status_code == 200


def test_the_honeypot_is_in_the_form_but_hidden_from_people(client, cast):
    html = client.get(f"/posts/{cast.entry.number}/comments").get_data(as_text=True)  # where guests write
    trap = re.search(r'<div class="trap-field" aria-hidden="true">.*?</div>', html, re.S).group(0)
    assert "เว้นช่องนี้ว่างไว้" in trap
    field = re.search(r"<input[^>]*>", trap).group(0)
    assert 'name="website"' in field
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field
    assert "style=" not in trap


def test_a_filled_honeypot_stores_nothing_but_answers_like_a_waiting_comment(client, cast):
    response = post_comment(client, cast.entry, "ซื้อเลย", website="http://spam.example")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{cast.entry.number}#comments")
    assert comments() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert WAITS in page
    assert "ซื้อเลย" not in page


def test_a_honeypot_holding_only_spaces_is_treated_as_empty(client, cast):
    assert post_comment(client, cast.entry, website="   ").status_code == 302
    [comment] = comments()
    assert not comment.is_pending


def test_a_guest_comment_within_the_link_limit_is_published(client, cast):
    response = post_comment(client, cast.entry, "ดู http://a.example และ www.b.example")

    [comment] = comments()
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    assert comment.status == "published"
    assert_count(cast.entry, 1)


def test_a_guest_comment_over_the_link_limit_waits_for_approval(client, cast):
    body = "โปรโมชัน http://a.example [กดเลย](https://b.example) <http://c.example>"
    response = post_comment(client, cast.entry, body, address="203.0.113.9")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{cast.entry.number}#comments")
    [comment] = comments()
    assert comment.status == "pending"
    assert comment.moderation_reason == "links"
    assert comment.ip_address == "203.0.113.9"
    assert_count(cast.entry, 0)
    page = client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    assert WAITS in page
    assert "โปรโมชัน" not in page
    assert "ความเห็น (0)" in page


def test_members_have_their_own_higher_link_limit(client, auth, cast):
    auth.login("malee")
    post_comment(client, cast.entry, "อ้างอิง http://a.org http://b.org http://c.org http://d.org")
    post_comment(client, cast.entry, "อ้างอิง http://a.org http://b.org http://c.org http://d.org http://e.org")

    assert [comment.status for comment in comments()] == ["published", "pending"]
    assert_count(cast.entry, 1)


def test_the_link_rule_counts_what_the_comment_would_link(app):
    assert moderation_reasons("http://a.org www.b.org", None) == []
    assert moderation_reasons("http://a.org www.b.org https://c.org/ไทย", None) == ["links"]
    assert moderation_reasons("example.com setup.py foo.org", None) == []


def test_over_the_limit_on_an_unknown_entry_gets_the_plain_429_page(client, cast):
    for _ in range(3):
        post_comment(client, cast.entry)

    response = client.post("/posts/999/comments", data={"body": "x"}, environ_base={"REMOTE_ADDR": "192.0.2.10"})

    assert response.status_code == 429
    assert "ทำรายการถี่เกินไป กรุณารอสักครู่แล้วลองใหม่" in response.get_data(as_text=True)
