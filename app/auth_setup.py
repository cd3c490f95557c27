"""Flask-Login wiring: how a session cookie becomes a user."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from app.extensions import db, login_manager
from app.models import User

# Built once: it runs on every signed-in request, and building it cost as much as running it.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def load_user(user_id: str) -> User | None:
    """The id is "<user id>.<session version>": a password change bumps the version and ends old sessions."""
    raw_id, _, raw_version = user_id.partition(".")
    if not raw_id.isdigit() or not raw_version.isdigit():
        return None
    user = db.session.identity_map.get(db.session.identity_key(User, int(raw_id)))  # the page may have loaded them
    if user is None:
        user = db.session.scalar(_USER_BY_ID, {"id": int(raw_id)})
    if user is None or user.session_version != int(raw_version) or user.is_suspended:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("กรุณาเข้าสู่ระบบก่อน")
    login_manager.login_message_category = "info"
