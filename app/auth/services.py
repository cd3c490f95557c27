"""Accounts: registration, authentication, password and profile changes. Add and flush; never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.errors import Conflict, DomainError
from app.extensions import db
from app.models import User
from app.text.normalize import normalize_text


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username_key == username.lower()))


def find_user_by_login(login: str) -> User | None:
    """Look a user up by username or email, ignoring case."""
    login = login.strip()
    if "@" in login:
        return db.session.scalar(select(User).where(User.email == login.lower()))
    return find_user_by_username(login)


def _clean_line(value: str) -> str:
    return " ".join(normalize_text(value).split())


def register_user(
    username: str,
    email: str,
    display_name: str,
    password: str,
    *,
    affiliation: str = "",
    is_admin: bool = False,
) -> User:
    """Create an account; raises Conflict naming the field when the username or email is taken."""
    username = username.strip()
    email = email.strip().lower()
    if find_user_by_username(username) is not None:
        raise Conflict(_l("ชื่อผู้ใช้ “%(name)s” มีผู้ใช้แล้ว", name=username), field="username")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Conflict(_l("อีเมลนี้ลงทะเบียนไว้แล้ว"), field="email")
    display = _clean_line(display_name)
    if not display:
        raise DomainError(_l("กรุณากรอกชื่อที่แสดง"), field="display_name")
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        display_name=display,
        affiliation=_clean_line(affiliation),
        bio="",
        is_admin=is_admin,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The user for these credentials, or None; a wrong user and a wrong password look the same."""
    user = find_user_by_login(login)
    if user is None or not user.check_password(password) or user.is_suspended:
        return None
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every other session of the account."""
    if not user.check_password(current_password):
        raise DomainError(_l("รหัสผ่านปัจจุบันไม่ถูกต้อง"), field="current_password")
    user.set_password(new_password)
    user.session_version += 1
    db.session.flush()


def update_profile(user: User, display_name: str, affiliation: str, bio: str) -> None:
    display = _clean_line(display_name)
    if not display:
        raise DomainError(_l("กรุณากรอกชื่อที่แสดง"), field="display_name")
    user.display_name = display
    user.affiliation = _clean_line(affiliation)
    user.bio = normalize_text(bio).strip()
    db.session.flush()
