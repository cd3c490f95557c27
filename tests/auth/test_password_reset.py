"""Password reset by an emailed, signed, time-limited, single-use link."""

from __future__ import annotations

import re
import time

import itsdangerous
import pytest

from app.auth import services
from app.extensions import db
from app.models import User
from tests.conftest import AuthActions
from tests.factories import make_user

SENT = "หากอีเมลนี้ลงทะเบียนไว้ เราได้ส่งลิงก์สำหรับตั้งรหัสผ่านใหม่ไปแล้ว กรุณาตรวจสอบกล่องจดหมาย"
INVALID = "ลิงก์ตั้งรหัสผ่านใหม่นี้ใช้ไม่ได้"
LINK = re.compile(r"http://localhost(/password/reset/[A-Za-z0-9_.\-]+)")
NEW_PASSWORD = {"new_password": "brand-new-pw", "confirm": "brand-new-pw"}


def request_reset(client, email: str = "somchai@example.org"):
    return client.post("/password/forgot", data={"email": email}, follow_redirects=True)


def reset_path(mailbox) -> str:
    (message,) = mailbox()
    return LINK.search(message).group(1)


def test_login_page_links_to_the_reset_form(client):
    html = client.get("/login").get_data(as_text=True)

    assert 'href="/password/forgot"' in html
    assert "ลืมรหัสผ่าน" in html
    assert client.get("/password/forgot").status_code == 200


def test_reset_flow_end_to_end(app, client, auth, mailbox):
    make_user("somchai")
    other_client = app.test_client()
    AuthActions(other_client).login("somchai")
    assert other_client.get("/dashboard").status_code == 200

    response = request_reset(client)
    assert response.status_code == 200
    assert SENT in response.get_data(as_text=True)
    (message,) = mailbox()
    assert "somchai@example.org" in message
    path = reset_path(mailbox)

    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    done = client.post(path, data=NEW_PASSWORD)

    assert done.status_code == 302
    assert done.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    assert other_client.get("/dashboard").status_code == 302
    auth.logout()
    assert auth.login("somchai", "password123").status_code == 401
    assert auth.login("somchai", "brand-new-pw").status_code == 302


def test_unknown_email_gets_the_same_page_and_no_mail(client, mailbox):
    make_user("somchai")

    known = request_reset(client, "somchai@example.org")
    unknown = request_reset(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(mailbox()) == 1


def test_suspended_account_gets_no_mail(client, mailbox):
    user = make_user("somchai")
    user.is_suspended = True
    db.session.commit()

    assert SENT in request_reset(client).get_data(as_text=True)
    assert mailbox() == []


def test_invalid_email_is_a_form_error(client, mailbox):
    response = client.post("/password/forgot", data={"email": "not-an-email"})

    assert response.status_code == 400
    assert "รูปแบบอีเมลไม่ถูกต้อง" in response.get_data(as_text=True)


def test_a_used_link_is_refused(client, mailbox):
    make_user("somchai")
    request_reset(client)
    path = reset_path(mailbox)
    assert client.post(path, data=NEW_PASSWORD).status_code == 302
    client.post("/logout")

    again = client.post(path, data={"new_password": "third-password", "confirm": "third-password"})

    assert again.status_code == 400
    assert INVALID in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, 1).check_password("brand-new-pw")


def test_a_link_dies_when_the_password_changes_otherwise(client, auth, mailbox):
    make_user("somchai")
    request_reset(client)
    path = reset_path(mailbox)
    auth.login("somchai")
    client.post("/account/password", data={"current_password": "password123", **NEW_PASSWORD})

    assert client.get(path).status_code == 400


def test_an_expired_link_is_refused(app, client, monkeypatch):
    user = make_user("somchai")
    issued = int(time.time()) - app.config["PASSWORD_RESET_MAX_AGE"] - 1
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: issued)
        token = services.make_password_reset_token(user)

    response = client.post(f"/password/reset/{token}", data=NEW_PASSWORD)

    assert response.status_code == 400
    assert INVALID in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, 1).check_password("password123")


def test_a_link_just_inside_its_lifetime_works(app, client, monkeypatch):
    user = make_user("somchai")
    issued = int(time.time()) - app.config["PASSWORD_RESET_MAX_AGE"] + 60
    with monkeypatch.context() as patch:
        patch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda self: issued)
        token = services.make_password_reset_token(user)

    assert client.get(f"/password/reset/{token}").status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(".")[0],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, mailbox, tamper):
    make_user("somchai")
    request_reset(client)
    path = reset_path(mailbox)

    response = client.post(tamper(path.rsplit("/", 1)[1]).join(["/password/reset/", ""]), data=NEW_PASSWORD)

    assert response.status_code == 400
    assert INVALID in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, 1).check_password("password123")


def test_a_token_signed_for_another_purpose_is_refused(app, client):
    user = make_user("somchai")
    other = itsdangerous.URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else")
    token = other.dumps({"user": user.id, "version": user.session_version})

    assert client.get(f"/password/reset/{token}").status_code == 400


def test_the_new_password_follows_the_usual_rules(client, mailbox):
    make_user("somchai")
    request_reset(client)
    path = reset_path(mailbox)

    short = client.post(path, data={"new_password": "short", "confirm": "short"})
    mismatch = client.post(path, data={"new_password": "brand-new-pw", "confirm": "other-new-pw"})

    assert short.status_code == mismatch.status_code == 400
    assert "อย่างน้อย 8 ตัวอักษร" in short.get_data(as_text=True)
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in mismatch.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, 1).check_password("password123")
