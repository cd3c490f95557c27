"""Registering an account through the form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.factories import make_user


def _form(**overrides) -> dict[str, str]:
    data = {
        "username": "malee",
        "display_name": "มาลี ศรีสุข",
        "email": "malee@example.org",
        "password": "longenough1",
        "confirm": "longenough1",
    }
    data.update(overrides)
    return data


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _field_errors(html: str, field: str) -> str:
    """The text of the error list rendered beside `field` (empty when there is none)."""
    marker = f'id="{field}-err"'
    start = html.find(marker)
    if start == -1:
        return ""
    return html[start : html.find("</ul>", start)]


def test_register_creates_account_and_signs_in_with_the_email_still_to_confirm(client):
    response = client.post("/register", data=_form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    user = db.session.scalar(select(User).where(User.username_key == "malee"))
    assert user is not None
    assert user.display_name == "มาลี ศรีสุข"
    assert user.email is None
    assert user.unconfirmed_email == "malee@example.org"
    assert user.check_password("longenough1")
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize("taken", ["somchai", "SomChai", "SOMCHAI"])
def test_taken_username_in_any_case_is_refused_beside_the_field(client, taken):
    make_user("somchai")

    response = client.post("/register", data=_form(username=taken, email="other@example.org"))

    assert response.status_code == 400
    assert "มีผู้ใช้แล้ว" in _field_errors(response.get_data(as_text=True), "username")
    assert _user_count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "short", "confirm": "short"}, "password", "อย่างน้อย 8 ตัวอักษร"),
        ({"username": "สมชาย"}, "username", "ตัวอักษรอังกฤษ"),
        ({"username": "som chai"}, "username", "ตัวอักษรอังกฤษ"),
        ({"username": "ab"}, "username", "ตัวอักษรอังกฤษ"),
        ({"confirm": "different99"}, "confirm", "ไม่ตรงกัน"),
        ({"email": "not-an-email"}, "email", "รูปแบบอีเมลไม่ถูกต้อง"),
        ({"display_name": ""}, "display_name", "กรุณากรอกชื่อที่แสดง"),
    ],
)
def test_invalid_registration_shows_error_and_writes_nothing(client, overrides, field, message):
    response = client.post("/register", data=_form(**overrides))

    assert response.status_code == 400
    assert message in _field_errors(response.get_data(as_text=True), field)
    assert _user_count() == 0


def test_signed_in_member_is_sent_from_register_to_dashboard(client, auth):
    make_user("somchai")
    auth.login("somchai")

    response = client.get("/register")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
