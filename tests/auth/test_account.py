"""Changing one's password and profile."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from tests.conftest import AuthActions
from tests.factories import make_user


def test_change_password_ends_other_sessions_and_keeps_this_one(app, client, auth):
    make_user("somchai")
    other_client = app.test_client()
    AuthActions(other_client).login("somchai")
    auth.login("somchai")
    assert other_client.get("/dashboard").status_code == 200

    response = client.post(
        "/account/password",
        data={"current_password": "password123", "new_password": "brand-new-pw", "confirm": "brand-new-pw"},
    )

    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    other = other_client.get("/dashboard")
    assert other.status_code == 302
    assert other.headers["Location"].startswith("/login")
    db.session.expire_all()
    user = db.session.get(User, 1)
    assert user.check_password("brand-new-pw")
    assert not user.check_password("password123")


def test_change_password_needs_the_current_password(client, auth):
    make_user("somchai")
    auth.login("somchai")

    response = client.post(
        "/account/password",
        data={"current_password": "wrong-password", "new_password": "brand-new-pw", "confirm": "brand-new-pw"},
    )

    assert response.status_code == 400
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, 1).check_password("password123")


def test_change_password_checks_length_and_confirmation(client, auth):
    make_user("somchai")
    auth.login("somchai")

    short = client.post(
        "/account/password",
        data={"current_password": "password123", "new_password": "short", "confirm": "short"},
    )
    mismatch = client.post(
        "/account/password",
        data={"current_password": "password123", "new_password": "brand-new-pw", "confirm": "other-new-pw"},
    )

    assert short.status_code == mismatch.status_code == 400
    assert "อย่างน้อย 8 ตัวอักษร" in short.get_data(as_text=True)
    assert "ไม่ตรงกัน" in mismatch.get_data(as_text=True)


def test_edit_profile_saves_and_shows_on_the_profile(client, auth):
    make_user("somchai")
    auth.login("somchai")
    assert client.get("/account/profile").status_code == 200

    response = client.post(
        "/account/profile",
        data={
            "display_name": "  สมชาย   ใจดี ",
            "affiliation": "สำนักงานจังหวัดชุมพร",
            "bio": "คุณอำนวยประจำจังหวัด\u200b\nชอบฟังเรื่องเล่า",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/u/somchai"
    db.session.expire_all()
    user = db.session.get(User, 1)
    assert user.display_name == "สมชาย ใจดี"
    assert user.affiliation == "สำนักงานจังหวัดชุมพร"
    assert user.bio == "คุณอำนวยประจำจังหวัด\nชอบฟังเรื่องเล่า"
    page = client.get("/u/somchai").get_data(as_text=True)
    assert "สมชาย ใจดี" in page
    assert "คุณอำนวยประจำจังหวัด<br>ชอบฟังเรื่องเล่า" in page


def test_edit_profile_requires_a_display_name(client, auth):
    make_user("somchai")
    auth.login("somchai")

    response = client.post("/account/profile", data={"display_name": "", "affiliation": "", "bio": ""})

    assert response.status_code == 400
    assert "กรุณากรอกชื่อที่แสดง" in response.get_data(as_text=True)


def test_account_pages_need_login(client):
    for path in ("/account/password", "/account/profile"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
