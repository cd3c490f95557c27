"""Administering accounts: finding people, suspending and restoring them. Add and flush; never commit.

A suspension is one change to the user row (`is_suspended` and who, when, why) plus a new session version,
and everything else follows from the flag: sign-in and session loading refuse the account
(app.auth.services, app.auth_setup), every list of entries and comments leaves it out, its profile is
404 to all but administrators, and the search outbox (app.search.sync watches `is_suspended`) drops its
entries and comments from the index in the same transaction. Restoring clears the flag and all of it comes
back.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from app.comments.services import recount_comments_by
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import User
from app.models.types import utcnow
from app.permissions import suspension_refusal
from app.reports.services import resolve_reports_against
from app.text.normalize import normalize_text

REASON_MAX_LENGTH = 1000
USER_FILTERS = ("all", "suspended", "admins")


def users_query(search: str = "", which: str = "all") -> Select:
    """Accounts matching `search` in the username, display name or email, newest first.

    `which` narrows the list to suspended accounts or administrators.
    """
    stmt = select(User)
    term = " ".join(normalize_text(search or "").split()).lower()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                User.username_key.like(pattern, escape="\\"),
                func.lower(User.display_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if which == "suspended":
        stmt = stmt.where(User.is_suspended.is_(True))
    elif which == "admins":
        stmt = stmt.where(User.is_admin.is_(True))
    return stmt.order_by(User.created_at.desc(), User.id.desc())


def suspended_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.is_suspended.is_(True))) or 0


def _clean_reason(reason: str | None) -> str:
    text = normalize_text(reason or "").strip()
    if not text:
        raise DomainError(_l("กรุณาระบุเหตุผลที่ระงับบัญชี"), field="reason")
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(_l("เหตุผลยาวได้ไม่เกิน 1,000 ตัวอักษร"), field="reason")
    return text


def suspend_user(user: User, reason: str, *, by: User | None) -> int:
    """Suspend `user`: hide their content everywhere, refuse their sign-in and end their sessions.

    `by` is the administrator doing it, or None from the command line. The open reports about what `user`
    wrote are resolved with it; returns how many.
    """
    refusal = suspension_refusal(by, user)
    if refusal is not None:
        raise Forbidden(refusal)
    user.suspended_reason = _clean_reason(reason)
    user.is_suspended = True
    user.suspended_at = utcnow()
    user.suspended_by = by
    user.session_version += 1
    db.session.flush()
    recount_comments_by(user)
    return resolve_reports_against(user, by)


def restore_user(user: User) -> None:
    """Lift a suspension: the account signs in again and its entries and comments are shown and searchable."""
    if not user.is_suspended:
        raise DomainError(_l("บัญชีนี้ไม่ได้ถูกระงับ"))
    user.is_suspended = False
    user.suspended_at = None
    user.suspended_reason = ""
    user.suspended_by = None
    db.session.flush()
    recount_comments_by(user)


def set_admin(user: User, is_admin: bool) -> bool:
    """Grant or revoke administrator rights; False when the account already had that state.

    A suspended account cannot be made an administrator: restore it first.
    """
    if is_admin and user.is_suspended:
        raise DomainError(_l("บัญชี %(name)s ถูกระงับอยู่ ต้องยกเลิกการระงับก่อน", name=user.username))
    if user.is_admin == is_admin:
        return False
    user.is_admin = is_admin
    db.session.flush()
    return True


def find_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)
