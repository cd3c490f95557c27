"""Suspending an account through /admin hides everything it wrote and ends its sessions; restoring undoes it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry, SearchTask, User
from tests.admin.helpers import make_cast
from tests.csrf_client import csrf_protected_client, page_token
from tests.factories import make_user
from tests.search.helpers import found

WRONG_CREDENTIALS = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


@pytest.fixture
def cast(app):
    return make_cast()


def _suspend(client, user: User, reason: str = "โพสต์สแปมซ้ำ ๆ", confirm: bool = True):
    data = {"reason": reason}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/admin/users/{user.id}/suspend", data=data)


def _restore(client, user: User):
    return client.post(f"/admin/users/{user.id}/restore", data={"confirm": "y"})


def _public_pages(cast) -> dict[str, str]:
    """Every public page that lists the writer's entry, with the text that shows it there."""
    return {
        "/": cast.entry.title,
        "/b/somchai-notes": cast.entry.title,
        "/tags/เกษตร": cast.entry.title,
        "/c/Orchard-Station": cast.entry.title,
        "/search?q=น้ำหมัก": cast.entry.title,
        "/api/v1/search?q=น้ำหมัก": f"/posts/{cast.entry.number}",
        "/b/somchai-notes/feed.atom": cast.entry.title,
        "/tags/เกษตร/feed.atom": cast.entry.title,
        "/c/Orchard-Station/feed.atom": cast.entry.title,
        f"/posts/{cast.others_entry.number}": cast.comment.body_text,
    }


def _assert_shown(client, cast, shown: bool) -> None:
    for url, text in _public_pages(cast).items():
        response = client.get(url)
        if url.startswith("/tags/") and not shown:
            # Only the suspended writer's entries carry this tag, so no reader sees it: its page and feed are gone.
            assert response.status_code == 404, url
            continue
        assert response.status_code == 200, url
        assert (text in response.get_data(as_text=True)) is shown, url
    entry_page = client.get(f"/posts/{cast.entry.number}")
    profile = client.get("/u/somchai")
    assert entry_page.status_code == profile.status_code == (200 if shown else 404)


def test_suspending_hides_everything_and_restoring_brings_it_back(client, auth, cast):
    assert found("น้ำหมัก") == {cast.entry.number}
    assert found("ปุ๋ยหมัก") == {cast.others_entry.number}
    auth.login("admin")

    response = _suspend(client, cast.writer)

    assert response.status_code == 302
    writer = db.session.get(User, cast.writer.id)
    assert writer.is_suspended and writer.suspended_reason == "โพสต์สแปมซ้ำ ๆ"
    assert writer.suspended_by.username == "admin" and writer.suspended_at is not None
    assert "ถูกระงับ" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert found("น้ำหมัก") == set() and found("ปุ๋ยหมัก") == set()
    assert db.session.get(Entry, cast.others_entry.id).comment_count == 0
    auth.logout()
    _assert_shown(client, cast, shown=False)

    auth.login("admin")
    assert _restore(client, cast.writer).status_code == 302
    auth.logout()
    assert db.session.get(User, cast.writer.id).is_suspended is False
    assert db.session.get(Entry, cast.others_entry.id).comment_count == 1
    assert found("น้ำหมัก") == {cast.entry.number}
    assert found("ปุ๋ยหมัก") == {cast.others_entry.number}
    _assert_shown(client, cast, shown=True)


def test_the_index_changes_in_the_same_transaction_as_the_suspension(app, client, auth, cast):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    auth.login("admin")
    _suspend(client, cast.writer)
    assert db.session.scalar(select(func.count()).select_from(SearchTask)) >= 1


def test_suspended_member_cannot_sign_in_and_their_session_ends(app, client, auth, cast):
    writer_client = app.test_client()
    assert writer_client.post("/login", data={"login": "somchai", "password": "password123"}).status_code == 302
    assert writer_client.get("/dashboard").status_code == 200
    auth.login("admin")
    _suspend(client, cast.writer)

    assert writer_client.get("/dashboard").status_code == 302
    response = writer_client.post("/login", data={"login": "somchai", "password": "password123"})
    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)

    _restore(client, cast.writer)
    assert writer_client.post("/login", data={"login": "somchai", "password": "password123"}).status_code == 302


def test_administrators_are_neither_suspended_nor_suspend_themselves(client, auth, cast):
    other_admin = make_user("wichai", is_admin=True)
    auth.login("admin")
    page = client.get(f"/admin/users/{other_admin.id}").get_data(as_text=True)
    assert "ต้องถอนสิทธิ์ผู้ดูแลระบบก่อน" in page and 'name="reason"' not in page

    response = _suspend(client, other_admin)
    assert response.status_code == 403
    assert "ต้องถอนสิทธิ์ผู้ดูแลระบบก่อน" in response.get_data(as_text=True)
    response = _suspend(client, cast.admin)
    assert response.status_code == 403
    assert "ระงับบัญชีของตัวเองไม่ได้" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(User.is_suspended.is_(True))) == 0


@pytest.mark.parametrize(
    ("reason", "confirm", "message"),
    [
        ("", True, "กรุณาระบุเหตุผลที่ระงับบัญชี"),
        ("   ", True, "กรุณาระบุเหตุผลที่ระงับบัญชี"),
        ("ก" * 1001, True, "เหตุผลยาวได้ไม่เกิน 1,000 ตัวอักษร"),
        ("สแปม", False, "กรุณาติ๊กยืนยันก่อนระงับบัญชี"),
    ],
)
def test_a_bad_suspension_form_writes_nothing(client, auth, cast, reason, confirm, message):
    auth.login("admin")
    response = _suspend(client, cast.writer, reason, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    writer = db.session.get(User, cast.writer.id)
    assert writer.is_suspended is False and writer.session_version == 1


def test_restore_needs_confirmation_and_a_suspended_account(client, auth, cast):
    auth.login("admin")
    response = _restore(client, cast.writer)
    assert response.status_code == 400
    assert "บัญชีนี้ไม่ได้ถูกระงับ" in response.get_data(as_text=True)
    _suspend(client, cast.writer)
    response = client.post(f"/admin/users/{cast.writer.id}/restore", data={})
    assert response.status_code == 400
    assert "กรุณาติ๊กยืนยันก่อนยกเลิกการระงับ" in response.get_data(as_text=True)
    assert db.session.get(User, cast.writer.id).is_suspended is True


def test_suspending_twice_is_refused(client, auth, cast):
    auth.login("admin")
    _suspend(client, cast.writer)
    response = _suspend(client, cast.writer, "อีกครั้ง")
    assert response.status_code == 403
    assert db.session.get(User, cast.writer.id).suspended_reason == "โพสต์สแปมซ้ำ ๆ"


def test_suspension_needs_the_csrf_token(app, cast):
    client = csrf_protected_client(app, login="admin")
    response = client.post(f"/admin/users/{cast.writer.id}/suspend", data={"reason": "สแปม", "confirm": "y"})
    assert response.status_code == 400
    assert db.session.get(User, cast.writer.id).is_suspended is False
    token = page_token(client.get(f"/admin/users/{cast.writer.id}").get_data(as_text=True))
    data = {"reason": "สแปม", "confirm": "y", "csrf_token": token}
    assert client.post(f"/admin/users/{cast.writer.id}/suspend", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, cast.writer.id).is_suspended is True


def test_the_user_list_searches_and_filters(client, auth, cast):
    auth.login("admin")
    for query in ("malee", "มาลี", "malee@example"):
        page = client.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
        assert f"/admin/users/{cast.reader.id}" in page and f"/admin/users/{cast.writer.id}" not in page, query
    page = client.get("/admin/users", query_string={"q": "nobody-here"}).get_data(as_text=True)
    assert "ไม่พบบัญชีที่ตรงกับการค้นหา" in page
    page = client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "ไม่พบบัญชีที่ตรงกับการค้นหา" in page
    _suspend(client, cast.writer)
    page = client.get("/admin/users?show=suspended").get_data(as_text=True)
    assert f"/admin/users/{cast.writer.id}" in page and f"/admin/users/{cast.reader.id}" not in page
    page = client.get("/admin/users?show=admins").get_data(as_text=True)
    assert f"/admin/users/{cast.admin.id}" in page and f"/admin/users/{cast.reader.id}" not in page


def test_the_user_list_is_paginated(client, auth, cast):
    for n in range(31):
        make_user(f"member{n:02d}")
    auth.login("admin")
    first = client.get("/admin/users").get_data(as_text=True)
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "member30" in first and "/admin/users?page=2" in first
    assert "somchai" in second and "member30" not in second
    assert client.get("/admin/users?page=3").status_code == 404
