"""A failed sign-in says nothing about whether the account exists."""

from __future__ import annotations

from app.extensions import db
from tests.factories import make_user


def failed_login(client, login: str, password: str):
    """Status, body and header names of a failed sign-in, with the typed login taken out of the page."""
    response = client.post("/login", data={"login": login, "password": password})
    body = response.get_data(as_text=True).replace(f'value="{login}"', 'value=""')
    return response.status_code, body, sorted(name for name, _ in response.headers if name != "Content-Length")


def test_wrong_user_wrong_password_and_suspended_get_identical_responses(client):
    make_user("somchai")
    suspended = make_user("malee")
    suspended.is_suspended = True
    db.session.commit()

    wrong_password = failed_login(client, "somchai", "not-the-password")
    unknown_user = failed_login(client, "nobody", "password123")
    unknown_email = failed_login(client, "nobody@example.org", "password123")
    suspended_account = failed_login(client, "malee", "password123")

    assert wrong_password[0] == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in wrong_password[1]
    assert wrong_password == unknown_user == unknown_email == suspended_account
