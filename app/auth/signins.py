"""Sign-ins kept on the server: each has a row in user_sessions, and its random key is part of the id that
Flask-Login puts in the session cookie and the remember-me cookie (`User.get_id`). Signing out deletes the row,
so a copy of either cookie stops working; the user's session version still ends every sign-in at once.

Add and flush; never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, delete, select

from app.extensions import db
from app.models import User, UserSession
from app.models.types import utcnow

# Built once: it runs on every signed-in request. One lookup by primary key, joined to the user's row.
_USER_FOR_SESSION = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.key_hash == bindparam("key_hash"),
        User.id == bindparam("user_id"),
        UserSession.created_at > bindparam("since"),
    )
)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


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
        db.session.execute(delete(UserSession).where(UserSession.key_hash == _hash(user.session_key)))
        user.session_key = None
        db.session.flush()


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    user.session_key = None
    db.session.flush()


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: "<user id>.<session version>.<sign-in key>" from either cookie, or None."""
    raw_id, _, rest = user_id.partition(".")
    raw_version, _, key = rest.partition(".")
    if not raw_id.isdigit() or not raw_version.isdigit() or not key:
        return None
    user = db.session.scalar(
        _USER_FOR_SESSION, {"key_hash": _hash(key), "user_id": int(raw_id), "since": _oldest_alive()}
    )
    if user is None or user.session_version != int(raw_version) or user.is_suspended:
        return None
    user.session_key = key
    return user
