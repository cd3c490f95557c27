"""Commenting, moderating and counting through HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.comments.services import add_comment
from app.extensions import db
from app.models import Comment
from tests.comments.helpers import assert_count, stored_count, visible_count
from tests.factories import make_blog, make_entry, make_user


def comments_url(entry) -> str:
    return f"/posts/{entry.number}/comments"


def entry_page(client, entry) -> str:
    response = client.get(f"/posts/{entry.number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def comment_rows() -> list[Comment]:
    return list(db.session.scalars(select(Comment).order_by(Comment.id)))


def seed_comment(entry, user=None, body="ความเห็นเดิม", **kwargs) -> Comment:
    if user is None:
        kwargs.setdefault("guest_name", "ผู้มาเยือน")
    comment = add_comment(entry, body, user=user, ip_address="198.51.100.7", **kwargs)
    db.session.commit()
    return comment


def test_member_comments_as_themselves(client, auth, cast):
    auth.login("malee")
    response = client.post(
        comments_url(cast.entry),
        data={"body": "ขอบคุณที่แบ่งปันครับ", "guest_name": "ปลอมตัว"},
        environ_base={"REMOTE_ADDR": "203.157.44.226"},
    )
    [comment] = comment_rows()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{cast.entry.number}#comment-{comment.id}")
    assert comment.author_id == cast.commenter.id
    assert comment.guest_name is None
    assert comment.ip_address == "203.157.44.226"
    assert_count(cast.entry, 1)

    page = entry_page(client, cast.entry)
    article = re.search(rf'<article[^>]*id="comment-{comment.id}".*?</article>', page, re.S).group(0)
    assert 'href="/u/malee"' in article
    assert "คุณmalee" in article
    assert "ผู้เยี่ยมชม" not in article
    assert "IP: xxx.157.44.226" in article
    assert "เขียนเมื่อ" in article
    assert "ขอบคุณที่แบ่งปันครับ" in article
    assert "ความเห็น (1)" in page
    assert "203.157.44.226" not in page


def test_member_form_hides_guest_fields(client, auth, cast):
    auth.login("malee")
    page = entry_page(client, cast.entry)
    assert 'name="body"' in page
    assert 'name="guest_name"' not in page
    assert 'name="guest_email"' not in page


def test_guest_comment_stores_raw_ip_and_shows_it_masked(client, cast):
    assert f'href="/posts/{cast.entry.number}/comments"' in entry_page(client, cast.entry)
    page = client.get(comments_url(cast.entry)).get_data(as_text=True)  # the form's own page, where guests write
    assert 'name="guest_name"' in page
    assert 'name="guest_email"' in page

    response = client.post(
        comments_url(cast.entry),
        data={"body": "มาเยี่ยมชมค่ะ", "guest_name": "  ครู  สมศรี ", "guest_email": "somsri@example.org"},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert response.status_code == 302
    [comment] = comment_rows()
    assert comment.author_id is None
    assert comment.guest_name == "ครู สมศรี"
    assert comment.guest_email == "somsri@example.org"
    assert comment.ip_address == "192.0.2.1"
    assert_count(cast.entry, 1)

    page = entry_page(client, cast.entry)
    assert "IP: xxx.0.2.1" in page
    assert "192.0.2.1" not in page
    assert "somsri@example.org" not in page
    article = re.search(rf'<article[^>]*id="comment-{comment.id}".*?</article>', page, re.S).group(0)
    assert "ครู สมศรี" in article
    assert "ผู้เยี่ยมชม" in article
    assert "<a " not in article.split("IP:")[0]


def test_guest_ipv6_is_masked(client, cast):
    client.post(
        comments_url(cast.entry),
        data={"body": "สวัสดีจาก IPv6", "guest_name": "นิด"},
        environ_base={"REMOTE_ADDR": "2001:db8:85a3::8a2e:370:7334"},
    )
    assert comment_rows()[0].ip_address == "2001:db8:85a3::8a2e:370:7334"
    assert "IP: xxxx:xxxx:xxxx:xxxx:0:8a2e:370:7334" in entry_page(client, cast.entry)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"body": "ไม่มีชื่อ", "guest_name": ""}, "กรุณากรอกชื่อของคุณ"),
        ({"body": "ชื่อยาวไป", "guest_name": "ก" * 101}, "ชื่อยาวได้ไม่เกิน 100 ตัวอักษร"),
        ({"body": "อีเมลผิด", "guest_name": "นิด", "guest_email": "not-an-email"}, "รูปแบบอีเมลไม่ถูกต้อง"),
    ],
)
def test_guest_form_errors_are_400_and_write_nothing(client, cast, data, field_error):
    response = client.post(comments_url(cast.entry), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error in page
    assert data["body"] in page
    assert comment_rows() == []
    assert_count(cast.entry, 0)


def test_guest_sees_every_field_error_at_once(client, cast):
    data = {"body": "", "guest_name": " ", "guest_email": "x@"}
    response = client.post(comments_url(cast.entry), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for error in ("กรุณาเขียนความเห็น", "กรุณากรอกชื่อของคุณ", "รูปแบบอีเมลไม่ถูกต้อง"):
        assert error in page
    assert comment_rows() == []


def test_guest_refused_when_blog_is_members_only(client, app):
    owner = make_user("somchai")
    entry = make_entry(make_blog(owner, "members-only", allow_guest_comments=False))
    page = entry_page(client, entry)
    assert 'name="body"' not in page
    assert "เข้าสู่ระบบเพื่อแสดงความเห็น" in page

    response = client.post(comments_url(entry), data={"body": "แอบเข้ามา", "guest_name": "นิด"})
    assert response.status_code == 403
    assert comment_rows() == []
    assert_count(entry, 0)


def test_member_may_comment_on_members_only_blog(client, auth, app):
    owner = make_user("somchai")
    make_user("malee")
    entry = make_entry(make_blog(owner, "members-only", allow_guest_comments=False))
    auth.login("malee")
    assert client.post(comments_url(entry), data={"body": "สมาชิกค่ะ"}).status_code == 302
    assert_count(entry, 1)


@pytest.mark.parametrize("as_member", [True, False])
def test_comments_disabled_refused_and_nothing_written(client, auth, cast, as_member):
    entry = make_entry(cast.blog, cast.author, title="ปิดความเห็น", comments_enabled=False)
    if as_member:
        auth.login("malee")
    page = entry_page(client, entry)
    assert 'name="body"' not in page
    assert "ปิดรับความเห็น" in page

    response = client.post(comments_url(entry), data={"body": "ขอแสดงความเห็น", "guest_name": "นิด"})
    assert response.status_code == 403
    assert comment_rows() == []
    assert_count(entry, 0)


def test_cannot_comment_on_a_draft_or_an_unknown_entry(client, auth, cast):
    draft = make_entry(cast.blog, cast.author, title="ร่าง", publish=False)
    auth.login("malee")
    assert client.post(comments_url(draft), data={"body": "เห็นร่าง"}).status_code == 404
    assert client.post("/posts/999999/comments", data={"body": "ไม่มีบันทึกนี้"}).status_code == 404
    assert comment_rows() == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "กรุณาเขียนความเห็น"),
        ("   \n  ", "กรุณาเขียนความเห็น"),
        ("\u200b\u200b", "กรุณาเขียนความเห็น"),
        ("ก" * 10_001, "ความเห็นยาวได้ไม่เกิน 10,000 ตัวอักษร"),
    ],
)
def test_invalid_body_is_400_with_the_error_beside_the_field(client, auth, cast, body, error):
    auth.login("malee")
    response = client.post(comments_url(cast.entry), data={"body": body})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error in page
    assert re.search(r'<textarea[^>]*aria-invalid="true"', page)
    assert f'href="/posts/{cast.entry.number}#comments"' in page
    assert comment_rows() == []
    assert_count(cast.entry, 0)


def test_body_of_exactly_10000_characters_is_accepted(client, auth, cast):
    auth.login("malee")
    assert client.post(comments_url(cast.entry), data={"body": "ก" * 10_000}).status_code == 302
    assert len(comment_rows()[0].body_text) == 10_000


def test_hostile_input_is_stored_escaped(client, auth, cast):
    auth.login("malee")
    body = (
        "<script>alert('x')</script>\n"
        '<a href="javascript:alert(1)">คลิก</a> [ลิงก์](javascript:alert(2))\n'
        '<img src=x onerror="alert(3)">'
    )
    assert client.post(comments_url(cast.entry), data={"body": body}).status_code == 302
    [comment] = comment_rows()
    assert comment.body_text == body
    html = comment.body_html
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html
    assert not re.search(r"<[^>]+onerror", html)
    assert not re.search(r"<a\b[^>]*javascript:", html, re.I)
    assert "&lt;a href=" in html

    page = entry_page(client, cast.entry)
    assert "<script>alert('x')</script>" not in page
    assert "<img src=x" not in page


def test_urls_are_auto_linked_nofollow_and_line_breaks_kept(client, auth, cast):
    auth.login("malee")
    body = "บรรทัดแรก\nดูเพิ่มที่ https://example.org/km?a=1&b=2\nบรรทัดสาม"
    assert client.post(comments_url(cast.entry), data={"body": body}).status_code == 302
    html = comment_rows()[0].body_html
    anchor = re.search(r"<a [^>]*>", html).group(0)
    assert 'href="https://example.org/km?a=1&amp;b=2"' in anchor
    assert re.search(r'rel="[^"]*nofollow', anchor)
    assert re.search(r"บรรทัดแรก\s*<br\s*/?>", html)
    assert re.search(r"<br\s*/?>\s*บรรทัดสาม", html)


def test_text_is_normalised_before_storing(client, auth, cast):
    auth.login("malee")
    decomposed = "คำ\u200bที่มีอักขระ\u200bล่องหน e\u0301"
    client.post(comments_url(cast.entry), data={"body": decomposed})
    stored = comment_rows()[0].body_text
    assert "\u200b" not in stored
    assert "\u00e9" in stored


# -- moderation ---------------------------------------------------------------------------------------

ACTIONS = ("hide", "unhide", "delete")


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("suda", {"hide", "unhide", "delete"}),  # the entry's author
        ("somchai", {"hide", "unhide", "delete"}),  # the blog's owner
        ("malee", {"delete"}),  # the commenter
        ("preecha", set()),  # someone else
        (None, set()),  # a guest
    ],
)
def test_who_may_hide_unhide_and_delete(client, auth, cast, actor, allowed):
    if actor:
        auth.login(actor)
    for action in ACTIONS:
        comment_id = seed_comment(cast.entry, cast.commenter, hidden=action == "unhide").id
        response = client.post(f"/comments/{comment_id}/{action}")
        after = db.session.scalar(select(Comment).where(Comment.id == comment_id))
        if action in allowed:
            assert response.status_code == 302, action
            assert f"/posts/{cast.entry.number}#" in response.headers["Location"]
            if action == "delete":
                assert after is None
            else:
                assert after.is_hidden is (action == "hide")
        else:
            assert response.status_code == 403, action
            assert after is not None
            assert after.is_hidden is (action == "unhide")
        assert stored_count(cast.entry) == visible_count(cast.entry)


def test_guest_cannot_delete_a_guest_comment(client, cast):
    comment = seed_comment(cast.entry)
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert db.session.get(Comment, comment.id) is not None


@pytest.mark.parametrize("action", ACTIONS)
def test_unknown_comment_is_404(client, auth, cast, action):
    auth.login("somchai")
    assert client.post(f"/comments/987654/{action}").status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_moderation_is_post_only(client, auth, cast, action):
    comment = seed_comment(cast.entry, cast.commenter)
    auth.login("somchai")
    assert client.get(f"/comments/{comment.id}/{action}").status_code == 405


def test_counts_stay_right_through_every_step(client, auth, cast):
    entry = cast.entry
    auth.login("malee")
    for n in range(3):
        client.post(comments_url(entry), data={"body": f"ความเห็นที่ {n + 1}"})
    first, second, third = comment_rows()
    assert_count(entry, 3)
    auth.logout()

    client.post(comments_url(entry), data={"body": "จากผู้เยี่ยมชม", "guest_name": "นิด"})
    assert_count(entry, 4)

    auth.login("suda")
    client.post(f"/comments/{second.id}/hide")
    assert_count(entry, 3)
    client.post(f"/comments/{second.id}/hide")  # hiding twice changes nothing
    assert_count(entry, 3)
    page = entry_page(client, entry)
    assert "ความเห็น (3)" in page
    assert f'id="comment-{second.id}"' in page  # the moderator still sees it, marked
    assert "ซ่อนจากผู้อ่านอยู่" in page
    auth.logout()

    page = entry_page(client, entry)
    assert f'id="comment-{second.id}"' not in page
    assert "ความเห็นที่ 2" not in page
    assert "ความเห็น (3)" in page

    auth.login("malee")
    client.post(f"/comments/{first.id}/delete")
    assert_count(entry, 2)
    client.post(f"/comments/{second.id}/delete")  # the commenter may delete their own hidden comment
    assert_count(entry, 2)
    auth.logout()

    auth.login("somchai")
    client.post(f"/comments/{third.id}/hide")
    assert_count(entry, 1)
    client.post(f"/comments/{third.id}/unhide")
    assert_count(entry, 2)
    client.post(f"/comments/{third.id}/delete")
    assert_count(entry, 1)


def test_buttons_match_what_the_viewer_may_do(client, auth, cast):
    comment = seed_comment(cast.entry, cast.commenter)
    hide, delete = f"/comments/{comment.id}/hide", f"/comments/{comment.id}/delete"

    page = entry_page(client, cast.entry)
    assert hide not in page and delete not in page

    auth.login("preecha")
    page = entry_page(client, cast.entry)
    assert hide not in page and delete not in page
    auth.logout()

    auth.login("malee")
    page = entry_page(client, cast.entry)
    assert hide not in page and delete in page
    auth.logout()

    auth.login("suda")
    page = entry_page(client, cast.entry)
    assert hide in page and delete in page


def test_empty_state(client, cast):
    page = entry_page(client, cast.entry)
    assert "ยังไม่มีความเห็น เป็นคนแรกที่แสดงความเห็น" in page
    assert "ความเห็น (0)" in page
