"""Comments: adding, hiding, deleting, and the IP mask. Add and flush; never commit."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import selectinload

from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Comment, Entry, User
from app.permissions import can
from app.text.markdown import render_comment
from app.text.normalize import normalize_text

BODY_MAX_LENGTH = 10_000
GUEST_NAME_MAX_LENGTH = 100
GUEST_EMAIL_MAX_LENGTH = 254
IP_MAX_LENGTH = 64


def mask_ip(address: str | None) -> str:
    """Mask an address as GotoKnow shows it: IPv4 `xxx.157.44.226`, IPv6 keeps the last four groups.

    Already-masked text (as found on imported pages) is returned unchanged, so the mask is idempotent.
    """
    address = (address or "").strip()
    if not address:
        return ""
    if address.startswith("xxx"):
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "xxx"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address):
        return "xxx." + ".".join(str(ip).split(".")[1:])
    # Rebuilding from the integer drops a zone id (`%eth0`), which would otherwise leak into the last group.
    groups = ipaddress.IPv6Address(int(ip)).exploded.split(":")
    return "xxxx:xxxx:xxxx:xxxx:" + ":".join(group.lstrip("0") or "0" for group in groups[4:])


def _clean_body(body: str) -> str:
    text = normalize_text(body or "").strip()
    if not text:
        raise DomainError(_l("กรุณาเขียนความเห็น"), field="body")
    if len(text) > BODY_MAX_LENGTH:
        raise DomainError(_l("ความเห็นยาวได้ไม่เกิน 10,000 ตัวอักษร"), field="body")
    return text


def _clean_guest_name(name: str | None) -> str:
    cleaned = " ".join(normalize_text(name or "").split())
    if not cleaned:
        raise DomainError(_l("กรุณากรอกชื่อของคุณ"), field="guest_name")
    if len(cleaned) > GUEST_NAME_MAX_LENGTH:
        raise DomainError(_l("ชื่อยาวได้ไม่เกิน 100 ตัวอักษร"), field="guest_name")
    return cleaned


def _clean_guest_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > GUEST_EMAIL_MAX_LENGTH:
        raise DomainError(_l("อีเมลยาวได้ไม่เกิน 254 ตัวอักษร"), field="guest_email")
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise DomainError(_l("รูปแบบอีเมลไม่ถูกต้อง"), field="guest_email") from None


def _check_entry_open(entry: Entry, user: User | None) -> None:
    """The same rules as `can(..., 'comment_on_entry', ...)`, with a message that says which one failed."""
    if not entry.is_published:
        raise Forbidden(_l("บันทึกนี้ยังไม่เผยแพร่ จึงยังแสดงความเห็นไม่ได้"))
    if not entry.comments_enabled:
        raise Forbidden(_l("บันทึกนี้ปิดรับความเห็นแล้ว"))
    if user is None:
        if not entry.blog.allow_guest_comments:
            raise Forbidden(_l("บล็อกนี้รับความเห็นจากสมาชิกเท่านั้น กรุณาเข้าสู่ระบบ"))
    elif user.is_suspended:
        raise Forbidden(_l("บัญชีนี้ถูกระงับ จึงแสดงความเห็นไม่ได้"))


def _lock_entry(entry: Entry) -> None:
    """Take the entry row's write lock so concurrent changes cannot count each other's rows wrongly.

    PostgreSQL honours FOR UPDATE; SQLite ignores it and already lets only one writer in at a time.
    """
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update())


def by_active_author() -> ColumnElement[bool]:
    """Comments by guests or by members whose account is not suspended: the only ones anybody reads."""
    return or_(Comment.author_id.is_(None), Comment.author.has(User.is_suspended.is_(False)))


def recount_comments(entry: Entry) -> int:
    """Set `entry.comment_count` to the number of comments readers see, counted by the database."""
    db.session.flush()
    count = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.entry_id == entry.id, Comment.is_hidden.is_(False), by_active_author())
    )
    entry.comment_count = count or 0
    db.session.flush()
    return entry.comment_count


def add_comment(
    entry: Entry,
    body: str,
    *,
    user: User | None = None,
    guest_name: str | None = None,
    guest_email: str | None = None,
    ip_address: str | None = None,
    created_at: datetime | None = None,
    hidden: bool = False,
    enforce_rules: bool = True,
) -> Comment:
    """Add a comment by a member (`user`) or a guest (`guest_name`, optional `guest_email`).

    The body is normalised and rendered once here, so pages only print the stored, sanitised HTML.
    `enforce_rules=False` is for the importer: a historical comment is kept even where the blog no longer
    takes guest comments.
    """
    if enforce_rules:
        _check_entry_open(entry, user)
    text = _clean_body(body)
    comment = Comment(
        entry=entry,
        body_text=text,
        body_html=render_comment(text),
        ip_address=(ip_address or "").strip()[:IP_MAX_LENGTH] or None,
        is_hidden=hidden,
    )
    if user is not None:
        comment.author = user
    else:
        comment.guest_name = _clean_guest_name(guest_name)
        comment.guest_email = _clean_guest_email(guest_email)
    if created_at is not None:
        comment.created_at = created_at
    _lock_entry(entry)
    db.session.add(comment)
    recount_comments(entry)
    return comment


def _set_hidden(comment: Comment, hidden: bool) -> None:
    _lock_entry(comment.entry)
    comment.is_hidden = hidden
    recount_comments(comment.entry)


def hide_comment(comment: Comment) -> None:
    """Hide a comment from readers; the entry's author and the blog's owner still see it."""
    _set_hidden(comment, True)


def unhide_comment(comment: Comment) -> None:
    _set_hidden(comment, False)


def delete_comment(comment: Comment) -> None:
    entry = comment.entry
    _lock_entry(entry)
    db.session.delete(comment)
    recount_comments(entry)


def get_comment_or_404(comment_id: int) -> Comment:
    return db.get_or_404(Comment, comment_id)


def comments_for_entry(entry: Entry, viewer: Any) -> list[Comment]:
    """The comments `viewer` may see, oldest first: hidden ones (`is_hidden`) only for moderators.

    Comments by a suspended member are shown to nobody until the account is restored.
    """
    stmt = (
        select(Comment)
        .where(Comment.entry_id == entry.id, by_active_author())
        .options(selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )
    if not can(viewer, "moderate_comments", entry):
        stmt = stmt.where(Comment.is_hidden.is_(False))
    return list(db.session.scalars(stmt))


def recount_comments_by(user: User) -> None:
    """Recount every entry `user` commented on: after a suspension or a restore their comments count or not."""
    entry_ids = select(Comment.entry_id).where(Comment.author_id == user.id).distinct()
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids))):
        recount_comments(entry)
