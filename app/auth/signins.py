"""Sign-ins kept on the server: each has a row in user_sessions, and its random key is part of the id that
Flask-Login puts in the session cookie and the remember-me cookie (`User.get_id`). Signing out deletes the row,
so a copy of either cookie stops working; the user's session version still ends every sign-in at once.

A process remembers the sign-ins it found (`load_user`) while the page cache's generation is unchanged: every
committed change to a member's row changes it, and so does ending a sign-in (`_ended`), so a remembered sign-in
is as good as the query. Add and flush; never commit.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from app.changes import DELETE, Change, record
from app.extensions import db
from app.models import User, UserSession
from app.models.types import utcnow
from app.page_cache import store

MEMO_KEY = "sala.auth.signins"
_SESSION_COLUMNS = frozenset(column.key for column in inspect(UserSession).column_attrs)

# Built once: it runs on a signed-in request the memo cannot answer. One lookup by primary key, joined to the
# user's row.
_USER_FOR_SESSION = (
    select(User, UserSession.created_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.key_hash == bindparam("key_hash"),
        User.id == bindparam("user_id"),
        UserSession.created_at > bindparam("since"),
    )
)


@dataclass(frozen=True)
class _Found:
    """A sign-in found valid: its member as loaded then (a detached copy no session ever holds: each request
    merges its own), when it started, and the generation it was found under."""

    user: User
    created_at: datetime
    checked: str
    expires: float  # a sign-out a cache outage failed to announce is noticed by then


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _generation() -> str | None:
    """The page cache's generation, or None when nothing is kept (no cache, or it is out: ask the database)."""
    if MEMO_KEY not in current_app.extensions:
        return None
    try:
        return store.generation()
    except Exception:  # noqa: BLE001 - a cache outage must not fail the request: the query answers
        current_app.logger.exception("page cache unavailable")
        return None


def _detached_copy(user: User) -> User:
    copy = User(**{attr.key: getattr(user, attr.key) for attr in inspect(User).column_attrs})
    make_transient_to_detached(copy)
    return copy


def _ended(key_hashes: Iterable[str]) -> None:
    """Record ended sign-ins in the change feed, which a bulk DELETE bypasses: their commit changes the page
    cache's generation, so every process forgets them (`load_user`)."""
    record(
        db.session(),
        [Change(UserSession.__tablename__, (key_hash,), DELETE, _SESSION_COLUMNS) for key_hash in key_hashes],
    )


def _oldest_alive():
    return utcnow() - timedelta(seconds=current_app.config["LOGIN_SESSION_LIFETIME"])


def start_session(user: User) -> None:
    """Record a new sign-in for `user` (call before `login_user`); drops sign-ins past their lifetime."""
    db.session.execute(delete(UserSession).where(UserSession.created_at <= _oldest_alive()))
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, created_at=utcnow()))
    user.session_key = key
    db.session.flush()


def end_session(user: User) -> None:
    """End the sign-in `user` was loaded for (the current one)."""
    if user.session_key:
        key_hash = _hash(user.session_key)
        db.session.execute(delete(UserSession).where(UserSession.key_hash == key_hash))
        _ended([key_hash])
        user.session_key = None
        db.session.flush()


def end_all_sessions(user: User) -> None:
    ended = db.session.scalars(
        delete(UserSession).where(UserSession.user_id == user.id).returning(UserSession.key_hash)
    ).all()
    _ended(ended)
    user.session_key = None
    db.session.flush()


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: "<user id>.<session version>.<sign-in key>" from either cookie, or None."""
    raw_id, _, rest = user_id.partition(".")
    raw_version, _, key = rest.partition(".")
    if not raw_id.isdigit() or not raw_version.isdigit() or not key:
        return None
    key_hash, user_id, oldest = _hash(key), int(raw_id), _oldest_alive()
    since = _generation()
    found = None if since is None else current_app.extensions[MEMO_KEY].get(key_hash)
    if found is not None and found.checked == since and found.expires > time.time():
        if found.user.id != user_id or found.created_at <= oldest:
            return None
        # Merged as loaded then, unless this request's session already holds the member (as the query would).
        held = db.session.identity_map.get(identity_key(User, user_id))
        user = held if held is not None else db.session.merge(found.user, load=False)
    else:
        loaded = db.session.execute(_USER_FOR_SESSION, {"key_hash": key_hash, "user_id": user_id, "since": oldest})
        row = loaded.first()
        if row is None:
            return None
        user, created_at = row
        if since is not None:
            expires = time.time() + current_app.config["PAGE_CACHE_TIMEOUT"]
            current_app.extensions[MEMO_KEY].put(key_hash, _Found(_detached_copy(user), created_at, since, expires))
    if user.session_version != int(raw_version) or user.is_suspended:
        return None
    user.session_key = key
    return user


def init_app(app: Flask) -> None:
    """Remember sign-ins where the page cache keeps pages (its generation says when to forget them)."""
    if store.EXTENSION_KEY in app.extensions:
        app.extensions[MEMO_KEY] = store.Memo(4 * app.config["PAGE_CACHE_MEMO_PAGES"])
