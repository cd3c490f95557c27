"""Accounts: registration, authentication, password and profile changes. Add and flush; never commit."""

from __future__ import annotations

import functools
import hashlib

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import signins
from app.errors import Conflict, DomainError
from app.extensions import db
from app.mail import send_mail
from app.models import User
from app.text.normalize import normalize_text
from app.urls import site_url


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
    """Create an account with a trusted email (command line, demo); raises Conflict naming a taken field."""
    email = email.strip().lower()
    _check_username_free(username)
    if find_user_by_email(email) is not None:
        raise Conflict(_l("อีเมลนี้ลงทะเบียนไว้แล้ว"), field="email")
    return _create_user(username, display_name, password, email=email, affiliation=affiliation, is_admin=is_admin)


def register_member(username: str, email: str, display_name: str, password: str) -> User:
    """Create an account from the public form, without its email: `send_registration_mail` asks the address's
    owner to confirm it. Whether the address already has an account makes no difference to what is done here
    or shown to the person registering (only the mail differs); a taken username raises Conflict.
    """
    _check_username_free(username)
    return _create_user(username, display_name, password, unconfirmed_email=email.strip().lower())


def _check_username_free(username: str) -> None:
    if find_user_by_username(username.strip()) is not None:
        raise Conflict(_l("ชื่อผู้ใช้ “%(name)s” มีผู้ใช้แล้ว", name=username.strip()), field="username")


def _create_user(username: str, display_name: str, password: str, **fields) -> User:
    username = username.strip()
    display = _clean_line(display_name)
    if not display:
        raise DomainError(_l("กรุณากรอกชื่อที่แสดง"), field="display_name")
    user = User(
        username=username,
        username_key=username.lower(),
        display_name=display,
        affiliation=_clean_line(fields.pop("affiliation", "")),
        bio="",
        **fields,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


EMAIL_CONFIRM_SALT = "sala.email-confirm"


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=EMAIL_CONFIRM_SALT)


def request_email(user: User, email: str, current_password: str) -> None:
    """Ask for `email` to become the account's address once confirmed (`send_registration_mail` sends the link);
    the confirmed address, if any, stays until then."""
    if not user.check_password(current_password):
        raise DomainError(_l("รหัสผ่านปัจจุบันไม่ถูกต้อง"), field="current_password")
    email = email.strip().lower()
    user.unconfirmed_email = None if email == user.email else email
    db.session.flush()


def send_registration_mail(user: User) -> None:
    """Mail the address waiting for confirmation: a link to confirm it, or, when another account has it, a
    notice to that account's owner. One message either way, so the time taken does not tell them apart either."""
    email = user.unconfirmed_email
    if email is None:
        return
    owner = find_user_by_email(email)
    if owner is not None:
        body = _(
            "สวัสดีคุณ %(name)s\n\nมีผู้พยายามสมัครสมาชิกศาลาด้วยอีเมลนี้ ซึ่งใช้กับบัญชี %(username)s อยู่แล้ว "
            "หากเป็นคุณ เข้าสู่ระบบได้ที่\n%(login)s\n\nหากลืมรหัสผ่าน ตั้งรหัสผ่านใหม่ได้ที่\n%(reset)s\n\n"
            "หากไม่ใช่คุณ ไม่ต้องทำอะไร บัญชีของคุณไม่มีการเปลี่ยนแปลง",
            name=owner.display_name,
            username=owner.username,
            login=site_url("auth.login"),
            reset=site_url("auth.forgot_password"),
        )
        send_mail(email, _("มีผู้พยายามสมัครสมาชิกศาลาด้วยอีเมลของคุณ"), body)
        return
    token = _confirm_serializer().dumps({"user": user.id, "email": email})
    body = _(
        "สวัสดีคุณ %(name)s\n\nเปิดลิงก์นี้ภายใน %(days)d วันเพื่อยืนยันว่าอีเมลนี้เป็นของบัญชี %(username)s "
        "ในศาลา แล้วจึงใช้อีเมลนี้เข้าสู่ระบบและตั้งรหัสผ่านใหม่ได้:\n\n%(link)s\n\n"
        "หากคุณไม่ได้สมัคร ไม่ต้องทำอะไร อีเมลนี้จะไม่ถูกผูกกับบัญชีใด",
        name=user.display_name,
        username=user.username,
        days=current_app.config["EMAIL_CONFIRM_MAX_AGE"] // 86400,
        link=site_url("auth.confirm_email", token=token),
    )
    send_mail(email, _("ยืนยันอีเมลสำหรับศาลา"), body)


def confirm_email(token: str) -> User:
    """Attach the address a valid, unexpired confirmation link was made for to its account."""
    try:
        payload = _confirm_serializer().loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except BadSignature:  # also covers SignatureExpired
        payload = None
    user = db.session.get(User, payload["user"]) if _is_confirm_payload(payload) else None
    if user is None or user.unconfirmed_email != payload["email"]:
        raise DomainError(_l("ลิงก์ยืนยันอีเมลนี้ใช้ไม่ได้หรือหมดอายุแล้ว"))
    if find_user_by_email(payload["email"]) is not None:
        raise Conflict(_l("อีเมลนี้ใช้กับบัญชีอื่นแล้ว"))
    user.email = payload["email"]
    user.unconfirmed_email = None
    db.session.flush()
    return user


def _is_confirm_payload(payload: object) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("user"), int) and isinstance(payload.get("email"), str)


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
    user = find_user_by_email(email)
    return None if user is None or user.is_suspended else user


def send_password_reset_email(user: User) -> None:
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    link = site_url("auth.reset_password", token=make_password_reset_token(user))
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
