"""Registering does not tell whether an email address has an account, and is rate-limited per client address.

A new account's address is attached only once the link mailed to it is opened; when the address already
belongs to an account, its owner gets a notice instead, and the person registering sees exactly the same.
"""

from __future__ import annotations

import re
import time

import itsdangerous
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from tests.factories import make_user

CONFIRM_LINK = re.compile(r"http://localhost(/email/confirm/[A-Za-z0-9_.\-]+)")
TOO_MANY = "มีการสมัครสมาชิกจากเครือข่ายนี้ถี่เกินไป"


def _form(username: str, email: str) -> dict[str, str]:
    return {
        "username": username,
        "display_name": "ผู้สมัคร",
        "email": email,
        "password": "longenough1",
        "confirm": "longenough1",
    }


def _register(app, username: str, email: str, address: str = "192.0.2.10"):
    """Register in a fresh browser; returns (the POST's response, the page it leads to)."""
    client = app.test_client()
    response = client.post("/register", data=_form(username, email), environ_base={"REMOTE_ADDR": address})
    followed = client.get(response.headers["Location"]) if response.status_code == 302 else None
    return response, followed


def _comparable(response, username: str, email: str) -> str:
    """A page with the names typed into the form (which it echoes) and per-request tokens taken out."""
    html = response.get_data(as_text=True).replace(email, "EMAIL").replace(username, "NAME")
    return re.sub(r'(name="csrf-token" content|value)="[^"]*"', r'\1=""', html)


def _user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_taken_email_gets_the_same_answer_as_a_new_one(app):
    make_user("somchai")

    new, new_page = _register(app, "malee", "malee@example.org")
    taken, taken_page = _register(app, "mana", "SomChai@Example.org")

    assert new.status_code == taken.status_code == 302
    assert new.headers["Location"] == taken.headers["Location"]
    assert sorted(new.headers.keys()) == sorted(taken.headers.keys())
    assert new_page.status_code == taken_page.status_code == 200
    assert _comparable(new_page, "malee", "malee@example.org") == _comparable(taken_page, "mana", "somchai@example.org")


def test_a_taken_email_is_not_given_to_the_new_account_and_its_owner_is_told(app, mailbox):
    owner = make_user("somchai")

    _register(app, "mana", "somchai@example.org")

    mana = db.session.scalar(select(User).where(User.username_key == "mana"))
    assert mana.email is None
    db.session.refresh(owner)
    assert owner.email == "somchai@example.org"
    (message,) = mailbox()
    assert "To: somchai@example.org" in message
    assert "มีผู้พยายามสมัครสมาชิกศาลาด้วยอีเมลนี้" in message
    assert "http://localhost/password/forgot" in message
    assert not CONFIRM_LINK.search(message)
    # The new account cannot sign in with the owner's address (only with its own username).
    client = app.test_client()
    assert client.post("/login", data={"login": "somchai@example.org", "password": "longenough1"}).status_code == 401
    assert client.post("/login", data={"login": "mana", "password": "longenough1"}).status_code == 302


def test_registering_hashes_one_password_whether_or_not_the_email_is_taken(app, monkeypatch):
    import app.models.user as user_module

    hashed = []
    real = user_module.generate_password_hash
    monkeypatch.setattr(user_module, "generate_password_hash", lambda *a, **k: hashed.append(1) or real(*a, **k))
    make_user("somchai")
    hashed.clear()

    _register(app, "malee", "malee@example.org")
    _register(app, "mana", "somchai@example.org")

    assert len(hashed) == 2


def test_the_mailed_link_confirms_the_address_for_signing_in_and_resets(app, client, mailbox):
    _register(app, "malee", "Malee@Example.org")
    (message,) = mailbox()
    assert "To: malee@example.org" in message
    assert client.post("/login", data={"login": "malee@example.org", "password": "longenough1"}).status_code == 401

    response = client.get(CONFIRM_LINK.search(message).group(1))

    assert response.status_code == 302
    assert response.headers["Referrer-Policy"] == "no-referrer"
    user = db.session.scalar(select(User).where(User.username_key == "malee"))
    assert (user.email, user.unconfirmed_email) == ("malee@example.org", None)
    assert client.post("/login", data={"login": "malee@example.org", "password": "longenough1"}).status_code == 302
    # Used once: the address is now the account's, so the link has nothing left to confirm.
    assert client.get(CONFIRM_LINK.search(message).group(1)).status_code == 400


def test_a_broken_or_expired_confirmation_link_is_refused(app, client, mailbox):
    _register(app, "malee", "malee@example.org")
    path = CONFIRM_LINK.search(mailbox()[0]).group(1)

    payload, signature = path.rsplit(".", 1)
    # The signature's first character carries six whole bits; its last carries padding bits that may not count.
    broken = payload + "." + ("B" if signature[0] == "A" else "A") + signature[1:]
    assert client.get(broken).status_code == 400
    app.config["EMAIL_CONFIRM_MAX_AGE"] = -1
    response = client.get(path)

    assert response.status_code == 400
    assert "ลิงก์ยืนยันอีเมลนี้ใช้ไม่ได้หรือหมดอายุแล้ว" in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"  # the refusal's error page keeps the token too
    assert db.session.scalar(select(User).where(User.username_key == "malee")).email is None


def test_only_the_first_of_two_accounts_to_confirm_an_address_gets_it(app, client, mailbox):
    _register(app, "malee", "shared@example.org")
    _register(app, "mana", "shared@example.org")
    first, second = (CONFIRM_LINK.search(message).group(1) for message in mailbox())

    assert client.get(second).status_code == 302
    response = client.get(first)

    assert response.status_code == 409
    assert "อีเมลนี้ใช้กับบัญชีอื่นแล้ว" in response.get_data(as_text=True)
    emails = dict(db.session.execute(select(User.username, User.email)).all())
    assert emails == {"malee": None, "mana": "shared@example.org"}


class TestRateLimit:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "REGISTER_LIMIT_PER_IP": "2 per hour"}

    def test_accounts_from_one_address_are_limited_and_the_form_comes_back(self, app):
        for number in range(2):
            assert _register(app, f"person{number}", f"person{number}@example.org")[0].status_code == 302

        response, _ = _register(app, "latecomer", "late@example.org")

        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        html = response.get_data(as_text=True)
        assert TOO_MANY in html
        assert 'value="latecomer"' in html
        assert 'value="late@example.org"' in html
        assert _user_count() == 2
        assert _register(app, "latecomer", "late@example.org", address="192.0.2.11")[0].status_code == 302

    def test_attempts_that_make_no_account_do_not_count(self, app):
        make_user("somchai")
        for _ in range(3):
            assert _register(app, "somchai", "other@example.org")[0].status_code == 400

        assert _register(app, "malee", "malee@example.org")[0].status_code == 302

    def test_viewing_the_form_is_not_limited(self, app):
        make_user("somchai")
        client = app.test_client()
        for _ in range(4):
            assert client.get("/register").status_code == 200


def test_a_member_gets_a_new_link_after_the_first_expired(app, client, auth, mailbox, monkeypatch):
    _register(app, "malee", "malee@example.org")
    expired = CONFIRM_LINK.search(mailbox()[-1]).group(1)
    later = int(time.time()) + app.config["EMAIL_CONFIRM_MAX_AGE"] + 60
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get(expired).status_code == 400
    auth.login("malee", "longenough1")

    response = client.post("/account/email", data={"email": "malee@example.org", "current_password": "longenough1"})

    assert response.status_code == 302
    assert client.get(CONFIRM_LINK.search(mailbox()[-1]).group(1)).status_code == 302
    assert db.session.scalar(select(User.email).where(User.username_key == "malee")) == "malee@example.org"


def test_changing_the_address_needs_the_password_and_keeps_the_old_one_until_confirmed(app, client, auth, mailbox):
    make_user("somchai")
    auth.login("somchai")

    refused = client.post("/account/email", data={"email": "new@example.org", "current_password": "wrong-password"})
    assert refused.status_code == 400
    assert client.post("/account/email", data={"email": "new@example.org", "current_password": "password123"})
    user = db.session.scalar(select(User).where(User.username_key == "somchai"))
    assert (user.email, user.unconfirmed_email) == ("somchai@example.org", "new@example.org")

    assert client.get(CONFIRM_LINK.search(mailbox()[-1]).group(1)).status_code == 302
    db.session.refresh(user)
    assert (user.email, user.unconfirmed_email) == ("new@example.org", None)


def test_asking_for_another_address_answers_the_same_when_it_is_taken(app, client, auth, mailbox):
    make_user("somchai")
    make_user("malee")
    auth.login("malee")

    taken = client.post("/account/email", data={"email": "somchai@example.org", "current_password": "password123"})
    free = client.post("/account/email", data={"email": "free@example.org", "current_password": "password123"})

    assert taken.status_code == free.status_code == 302
    assert taken.headers["Location"] == free.headers["Location"]
    notice, link = mailbox()
    assert "To: somchai@example.org" in notice and not CONFIRM_LINK.search(notice)
    assert "To: free@example.org" in link and CONFIRM_LINK.search(link)


def test_asking_for_ones_own_confirmed_address_changes_and_sends_nothing(app, client, auth, mailbox):
    make_user("somchai")
    auth.login("somchai")

    response = client.post("/account/email", data={"email": "SomChai@example.org", "current_password": "password123"})

    assert response.status_code == 302
    assert mailbox() == []
    user = db.session.scalar(select(User).where(User.username_key == "somchai"))
    assert (user.email, user.unconfirmed_email) == ("somchai@example.org", None)
