"""Sign-in and password-reset requests are rate-limited per client address and per account."""

from __future__ import annotations

import itertools

import pytest

from tests.factories import make_user

TOO_MANY = "ทำรายการถี่เกินไป กรุณารอสักครู่แล้วลองใหม่"
_addresses = (f"10.0.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture
def app_config() -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_LIMIT_PER_IP": "6 per 5 minutes",
        "LOGIN_LIMIT_PER_ACCOUNT": "3 per 5 minutes",
        "PASSWORD_RESET_LIMIT_PER_IP": "4 per hour",
        "PASSWORD_RESET_LIMIT_PER_ADDRESS": "2 per hour",
    }


def login_from(client, login: str, password: str, address: str | None = None):
    """Sign in from `address`, or from a fresh address each time so that only the account limit applies."""
    environ = {"REMOTE_ADDR": address or next(_addresses)}
    return client.post("/login", data={"login": login, "password": password}, environ_base=environ)


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert TOO_MANY in html
    assert '<main id="main"' in html


def test_account_is_locked_after_failed_attempts_even_from_many_addresses(client):
    make_user("somchai")
    for _ in range(3):
        assert login_from(client, "somchai", "wrong-password").status_code == 401

    assert_limited(login_from(client, "somchai", "password123"))


def test_username_and_email_share_one_account_counter(client):
    make_user("somchai")
    login_from(client, "somchai", "wrong-password")
    login_from(client, " SOMCHAI ", "wrong-password")
    login_from(client, "SomChai@Example.org", "wrong-password")

    assert_limited(login_from(client, "somchai@example.org", "password123"))


def test_successful_sign_ins_do_not_count_and_do_not_forgive_failures(client, auth):
    make_user("somchai")
    login_from(client, "somchai", "wrong-password")
    login_from(client, "somchai", "wrong-password")
    for _ in range(4):
        assert login_from(client, "somchai", "password123").status_code == 302
        auth.logout()

    assert login_from(client, "somchai", "wrong-password").status_code == 401
    assert_limited(login_from(client, "somchai", "password123"))


def test_a_locked_account_does_not_lock_others(client):
    make_user("somchai")
    make_user("malee")
    for _ in range(3):
        login_from(client, "somchai", "wrong-password")

    assert login_from(client, "somchai", "password123").status_code == 429
    assert login_from(client, "malee", "password123").status_code == 302


def test_one_address_is_limited_across_accounts(client):
    make_user("somchai")
    for number in range(6):
        assert login_from(client, f"guess{number}", "wrong-password", "192.0.2.7").status_code == 401

    assert_limited(login_from(client, "somchai", "password123", "192.0.2.7"))
    assert login_from(client, "somchai", "password123", "192.0.2.8").status_code == 302


def test_viewing_the_login_page_is_not_limited(client):
    for _ in range(10):
        assert client.get("/login").status_code == 200


def test_reset_requests_are_limited_per_email_address(client):
    make_user("somchai")
    for _ in range(2):
        response = client.post(
            "/password/forgot", data={"email": "somchai@example.org"}, environ_base={"REMOTE_ADDR": next(_addresses)}
        )
        assert response.status_code == 302

    response = client.post(
        "/password/forgot", data={"email": "SOMCHAI@example.org "}, environ_base={"REMOTE_ADDR": next(_addresses)}
    )
    assert_limited(response)


def test_reset_requests_are_limited_per_client_address(client):
    for number in range(4):
        response = client.post(
            "/password/forgot", data={"email": f"person{number}@example.org"}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
        )
        assert response.status_code == 302

    response = client.post(
        "/password/forgot", data={"email": "someone@example.org"}, environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert_limited(response)
