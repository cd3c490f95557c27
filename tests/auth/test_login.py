"""Signing in and out."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.factories import make_user

WRONG_CREDENTIALS = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


@pytest.mark.parametrize("login", ["somchai", "SOMCHAI", "somchai@example.org", "SomChai@Example.ORG"])
def test_login_by_username_or_email_in_any_case(client, auth, login):
    make_user("somchai")

    response = auth.login(login)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_wrong_password_and_unknown_user_look_the_same(client, auth):
    make_user("somchai")

    wrong_password = auth.login("somchai", "not-the-password")
    unknown_user = auth.login("nobody", "password123")

    assert wrong_password.status_code == unknown_user.status_code == 401
    wrong_html = wrong_password.get_data(as_text=True)
    unknown_html = unknown_user.get_data(as_text=True)
    assert WRONG_CREDENTIALS in wrong_html
    assert WRONG_CREDENTIALS in unknown_html
    assert client.get("/dashboard").status_code == 302


def test_suspended_member_cannot_sign_in(client, auth):
    user = make_user("somchai")
    user.is_suspended = True
    db.session.commit()

    response = auth.login("somchai")

    assert response.status_code == 401
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)


def _set_cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_remember_me_sets_the_remember_cookie(auth):
    make_user("somchai")

    response = auth.login("somchai", remember=True)

    assert any(header.startswith("remember_token=") for header in _set_cookie_headers(response))


def test_without_remember_me_there_is_no_remember_cookie(auth):
    make_user("somchai")

    response = auth.login("somchai")

    assert not any(header.startswith("remember_token=") for header in _set_cookie_headers(response))


def test_logout_is_post_only(client, auth):
    make_user("somchai")
    auth.login("somchai")

    assert client.get("/logout").status_code == 405
    assert client.get("/dashboard").status_code == 200

    response = auth.logout()

    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/u/somchai", "/u/somchai"),
        ("/c?page=2", "/c?page=2"),
        ("//evil.example", "/dashboard"),
        ("https://evil.example", "/dashboard"),
        ("https://evil.example/dashboard", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_only_follows_local_paths(client, next_url, expected):
    make_user("somchai")

    response = client.post(
        "/login", query_string={"next": next_url}, data={"login": "somchai", "password": "password123"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_required_pages_send_guests_to_login_with_next(client):
    response = client.get("/dashboard")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
