"""Signing out ends that sign-in on the server: copies of its cookies stop working, other sign-ins go on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy import inspect as sa_inspect

from app.auth import signins
from app.extensions import db
from app.models import UserSession
from app.models.types import utcnow
from tests.conftest import AuthActions
from tests.factories import make_user
from tests.perf.query_counter import count_queries

SESSION = "session"
REMEMBER = "remember_token"


def _signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def _client_with(app, name: str, value: str):
    fresh = app.test_client()
    fresh.set_cookie(name, value)
    return fresh


def _sign_in(app, remember: bool = True):
    client = app.test_client()
    assert AuthActions(client).login("somchai", remember=remember).status_code == 302
    return client


def test_copied_session_and_remember_cookies_stop_working_after_logout(app):
    make_user("somchai")
    client = _sign_in(app)
    session_cookie = client.get_cookie(SESSION).value
    remember_cookie = client.get_cookie(REMEMBER).value
    # Each copy signs in on its own before the logout.
    assert _signed_in(_client_with(app, SESSION, session_cookie))
    assert _signed_in(_client_with(app, REMEMBER, remember_cookie))

    assert AuthActions(client).logout().status_code == 302

    assert not _signed_in(client)
    assert not _signed_in(_client_with(app, SESSION, session_cookie))
    assert not _signed_in(_client_with(app, REMEMBER, remember_cookie))


def test_logout_ends_only_that_sign_in(app):
    make_user("somchai")
    laptop = _sign_in(app)
    phone = _sign_in(app, remember=False)
    phone_remembered = _client_with(app, REMEMBER, _sign_in(app).get_cookie(REMEMBER).value)

    AuthActions(laptop).logout()

    assert not _signed_in(laptop)
    assert _signed_in(phone)
    assert _signed_in(phone_remembered)


def test_each_sign_in_has_its_own_row_and_logout_deletes_it(app):
    make_user("somchai")
    first = _sign_in(app)
    _sign_in(app)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 2

    AuthActions(first).logout()

    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_sign_in_ends_after_its_lifetime_even_if_remembered(app):
    make_user("somchai")
    client = _sign_in(app)
    remember_cookie = client.get_cookie(REMEMBER).value
    lifetime = app.config["LOGIN_SESSION_LIFETIME"]
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(seconds=lifetime + 1)))
    db.session.commit()

    assert not _signed_in(client)
    assert not _signed_in(_client_with(app, REMEMBER, remember_cookie))


def test_signing_in_again_drops_sign_ins_past_their_lifetime(app):
    make_user("somchai")
    _sign_in(app)
    lifetime = app.config["LOGIN_SESSION_LIFETIME"]
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(seconds=lifetime + 1)))
    db.session.commit()

    _sign_in(app)

    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1


def test_a_signed_in_request_loads_user_and_sign_in_in_one_query(app):
    make_user("somchai")
    client = _sign_in(app)
    with count_queries(db.engine) as log:
        client.get("/account/profile")  # a page that reads nothing but the signed-in user

    assert log.count == 1, log.summary()
    assert "user_sessions" in log.statements[0]


def test_old_cookie_ids_without_a_sign_in_key_are_refused(app):
    """Cookies made before sign-ins had rows ("<id>.<version>") no longer sign in."""
    from flask_login.utils import encode_cookie

    make_user("somchai")
    with app.test_request_context():
        old_remember = encode_cookie("1.1")

    assert not _signed_in(_client_with(app, REMEMBER, old_remember))


def test_a_sign_in_is_looked_up_once_until_something_is_committed(app):
    make_user("somchai")
    client = _sign_in(app)
    client.get("/account/profile")
    with count_queries(db.engine) as log:
        assert client.get("/account/profile").status_code == 200

    assert log.count == 0, log.summary()
    make_user("malee")  # any commit that changes a row
    with count_queries(db.engine) as log:
        client.get("/account/profile")
    assert log.count == 1, log.summary()


def test_a_remembered_sign_in_is_its_own_copy_in_each_request(app):
    """A request changes and commits the member it was given; what the process remembers is never attached."""
    make_user("somchai")
    client = _sign_in(app)
    assert client.get("/account/profile").status_code == 200

    response = client.post("/account/profile", data={"display_name": "สมชาย ใจดี", "affiliation": "", "bio": ""})

    assert response.status_code == 302
    assert "สมชาย ใจดี" in client.get("/dashboard").get_data(as_text=True)
    for found in app.extensions[signins.MEMO_KEY].values.values():
        state = sa_inspect(found.user)
        assert state.detached and not state.modified


def test_a_remembered_sign_in_still_ends_after_its_lifetime(app, monkeypatch):
    make_user("somchai")
    client = _sign_in(app)
    assert _signed_in(client)
    later = utcnow() + timedelta(seconds=app.config["LOGIN_SESSION_LIFETIME"] + 1)
    monkeypatch.setattr(signins, "utcnow", lambda: later)

    assert not _signed_in(client)


def test_suspending_a_member_ends_the_sign_ins_remembered_for_them(app):
    from app.admin.services import suspend_user

    user = make_user("somchai")
    client = _sign_in(app)
    assert _signed_in(client)

    suspend_user(user, "สแปม", by=None)
    db.session.commit()

    assert not _signed_in(client)


def test_ending_every_sign_in_of_a_member_ends_those_remembered(app):
    user = make_user("somchai")
    laptop, phone = _sign_in(app), _sign_in(app, remember=False)
    assert _signed_in(laptop) and _signed_in(phone)

    signins.end_all_sessions(user)  # without the session version the password change also bumps
    db.session.commit()

    assert not _signed_in(laptop) and not _signed_in(phone)


def test_without_the_page_cache_generation_a_sign_in_is_looked_up_every_time(app, monkeypatch):
    make_user("somchai")
    client = _sign_in(app)
    assert _signed_in(client)

    def cache_out():
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(signins.store, "generation", cache_out)
    with count_queries(db.engine) as log:
        assert client.get("/account/profile").status_code == 200
    assert log.count == 1, log.summary()
