"""Accounts: registration, authentication, password and profile changes. Add and flush; never commit."""

from __future__ import annotations

import functools
import hashlib

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import signins
from app.errors import Conflict, DomainError
from app.extensions import db
from app.mail import send_mail
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
    if user is None:
        # Spend the same hashing time as for a real account, so timing does not tell which names exist.
        check_password_hash(_dummy_password_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not user.check_password(password) or user.is_suspended:
        return None
    return user


@functools.cache
def _dummy_password_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password and end every other session of the account."""
    if not user.check_password(current_password):
        raise DomainError(_l("รหัสผ่านปัจจุบันไม่ถูกต้อง"), field="current_password")
    user.set_password(new_password)
    user.session_version += 1
    signins.end_all_sessions(user)


RESET_TOKEN_SALT = "sala.password-reset"


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_TOKEN_SALT)


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_password_reset_token(user: User) -> str:
    """A signed, timestamped token bound to the current password: it dies once the password changes."""
    payload = {"user": user.id, "version": user.session_version, "password": _password_fingerprint(user)}
    return _reset_serializer().dumps(payload)


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired and unused token was made for, or None."""
    try:
        payload = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:  # also covers SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if (
        user is None
        or user.is_suspended
        or payload.get("version") != user.session_version
        or payload.get("password") != _password_fingerprint(user)
    ):
        return None
    return user


def find_user_for_reset(email: str) -> User | None:
    """The active account with this email, or None; callers must answer the same either way."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    return None if user is None or user.is_suspended else user


def send_password_reset_email(user: User) -> None:
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = url_for("auth.reset_password", token=make_password_reset_token(user), _external=True)
    body = _(
        "สวัสดีคุณ %(name)s\n\nมีผู้ขอตั้งรหัสผ่านใหม่สำหรับบัญชี %(username)s ในศาลา "
        "เปิดลิงก์นี้ภายใน %(minutes)d นาทีเพื่อตั้งรหัสผ่านใหม่ (ใช้ได้ครั้งเดียว):\n\n%(link)s\n\n"
        "หากคุณไม่ได้ขอ ไม่ต้องทำอะไร รหัสผ่านเดิมยังใช้ได้ตามปกติ",
        name=user.display_name,
        username=user.username,
        minutes=minutes,
        link=link,
    )
    send_mail(user.email, _("ตั้งรหัสผ่านใหม่สำหรับศาลา"), body)


def reset_password(user: User, new_password: str) -> None:
    """Set a password from a reset link and end every session of the account."""
    user.set_password(new_password)
    user.session_version += 1
    signins.end_all_sessions(user)


def update_profile(user: User, display_name: str, affiliation: str, bio: str) -> None:
    display = _clean_line(display_name)
    if not display:
        raise DomainError(_l("กรุณากรอกชื่อที่แสดง"), field="display_name")
    user.display_name = display
    user.affiliation = _clean_line(affiliation)
    user.bio = normalize_text(bio).strip()
    db.session.flush()
