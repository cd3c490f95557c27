"""Comments: adding, moderating, hiding, deleting, and the IP mask. Add and flush; never commit."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app import changes
from app.changes.lists import row
from app.database import plain_rows
from app.errors import DomainError, Forbidden
from app.extensions import db
from app.models import Comment, Entry, User
from app.models.comment import COMMENT_PENDING, COMMENT_PUBLISHED
from app.page_cache import tags as shown
from app.permissions import can, reviewable_entries
from app.submissions import add_once, check_owner
from app.text.markdown import count_links, render_comment
from app.text.normalize import normalize_text

logger = logging.getLogger(__name__)

BODY_MAX_LENGTH = 10_000
GUEST_NAME_MAX_LENGTH = 100
GUEST_EMAIL_MAX_LENGTH = 254
IP_MAX_LENGTH = 64

REASON_LINKS = "links"
# Every rule that sends a comment to the moderation queue, by the code stored in Comment.moderation_reason.
MODERATION_REASONS = {REASON_LINKS: _l("มีลิงก์เกินจำนวนที่กำหนด")}


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


def max_links(user: User | None) -> int:
    """How many links a comment may carry before it waits for approval; members are trusted with more."""
    key = "COMMENT_MAX_LINKS_GUEST" if user is None else "COMMENT_MAX_LINKS_MEMBER"
    return current_app.config[key]


def moderation_reasons(text: str, user: User | None) -> list[str]:
    """The rules `text` trips (codes of MODERATION_REASONS): the one place that decides what waits for approval."""
    reasons = []
    if count_links(text) > max_links(user):
        reasons.append(REASON_LINKS)
    return reasons


def reason_labels(comment: Comment) -> list[str]:
    """What a moderator reads for why the comment waits; an unknown code (a retired rule) is shown as is."""
    codes = [code for code in (comment.moderation_reason or "").split(",") if code]
    return [str(MODERATION_REASONS.get(code, code)) for code in codes]


def _visible() -> tuple:
    """The conditions for a comment readers see (and search indexes): approved, not hidden, and not by a
    suspended member."""
    return (Comment.status == COMMENT_PUBLISHED, Comment.is_hidden.is_(False), by_active_author())


def _lock_entry(entry: Entry) -> None:
    """Take the entry row's write lock so concurrent changes cannot count each other's rows wrongly.

    An update that changes nothing: PostgreSQL locks the row for it, and on SQLite it begins the one write
    transaction (a SELECT ... FOR UPDATE would not), so what follows reads what the writer before committed
    and a savepoint nests inside this transaction.
    """
    entries = Entry.__table__
    db.session.execute(
        changes.lock_only(update(entries).where(entries.c.id == entry.id).values(comment_count=entries.c.comment_count))
    )


def by_active_author() -> ColumnElement[bool]:
    """Comments by guests or by members whose account is not suspended: the only ones anybody reads."""
    return or_(Comment.author_id.is_(None), Comment.author.has(User.is_suspended.is_(False)))


def recount_comments(entry: Entry) -> int:
    """Set `entry.comment_count` to the number of comments readers see, counted by the database."""
    db.session.flush()
    stmt = select(func.count()).select_from(Comment).where(Comment.entry_id == entry.id, *_visible())
    count = db.session.scalar(stmt)
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
    submission_key: str | None = None,
) -> Comment:
    """Add a comment by a member (`user`) or a guest (`guest_name`, optional `guest_email`).

    The body is normalised and rendered once here, so pages only print the stored, sanitised HTML.
    A comment that trips a moderation rule is stored as pending. `enforce_rules=False` is for the importer:
    a historical comment is kept, and published, even where the blog no longer takes guest comments.
    `submission_key` is the comment form's one-time key: the comment a form with that key already added is
    returned instead of adding it again (app/submissions.py).
    """
    if enforce_rules:
        _check_entry_open(entry, user)
    text = _clean_body(body)
    reasons = moderation_reasons(text, user) if enforce_rules else []
    comment = Comment(
        entry=entry,
        body_text=text,
        body_html=render_comment(text),
        ip_address=(ip_address or "").strip()[:IP_MAX_LENGTH] or None,
        is_hidden=hidden,
        status=COMMENT_PENDING if reasons else COMMENT_PUBLISHED,
        moderation_reason=",".join(reasons) or None,
    )
    if user is not None:
        comment.author = user
    else:
        comment.guest_name = _clean_guest_name(guest_name)
        comment.guest_email = _clean_guest_email(guest_email)
    if created_at is not None:
        comment.created_at = created_at
    comment.submission_key = submission_key
    _lock_entry(entry)
    if (sent := _sent_comment(entry, user, submission_key)) is not None:
        return sent
    stored = add_once(comment, submission_key, lambda: _sent_comment(entry, user, submission_key))
    if stored is not comment:
        return stored
    recount_comments(entry)
    return comment


def _sent_comment(entry: Entry, user: User | None, submission_key: str | None) -> Comment | None:
    """The comment the form with this key already added, if any (a Conflict when it is not the sender's)."""
    if submission_key is None:
        return None
    comment = db.session.scalar(select(Comment).where(Comment.submission_key == submission_key))
    user_id = user.id if user is not None else None
    return check_owner(comment, comment is not None and (comment.entry_id, comment.author_id) == (entry.id, user_id))


def submit_comment(
    entry: Entry,
    body: str,
    *,
    user: User | None,
    guest_name: str | None,
    guest_email: str | None,
    ip_address: str | None,
    honeypot: str | None,
    submission_key: str | None = None,
) -> Comment | None:
    """Add a comment sent through the web form; None when the hidden honeypot field was filled in.

    People never see that field, so whatever fills it is a bot: nothing is stored, and the caller answers
    as it does for a comment waiting for approval, so the bot learns nothing and no moderator is bothered.
    """
    if (honeypot or "").strip():
        logger.info("comment on entry %s dropped: honeypot filled from %s", entry.id, mask_ip(ip_address))
        return None
    return add_comment(
        entry,
        body,
        user=user,
        guest_name=guest_name,
        guest_email=guest_email,
        ip_address=ip_address,
        submission_key=submission_key,
    )


def approve_comment(comment: Comment) -> None:
    """Publish a waiting comment: readers see it, it counts, and search indexes it (through the outbox)."""
    _lock_entry(comment.entry)
    comment.status = COMMENT_PUBLISHED
    comment.moderation_reason = None
    recount_comments(comment.entry)


def reject_comment(comment: Comment) -> None:
    """A rejected comment is deleted: it was never public, so there is nothing to keep."""
    delete_comment(comment)


def pending_comments_query(user: Any) -> Select:
    """Comments waiting for approval that `user` may review, oldest first."""
    return (
        select(Comment)
        .join(Comment.entry)
        .where(Comment.status == COMMENT_PENDING, reviewable_entries(user))
        .options(contains_eager(Comment.entry), selectinload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )


def pending_comment_count(user: Any) -> int:
    stmt = (
        select(func.count())
        .select_from(Comment)
        .join(Comment.entry)
        .where(Comment.status == COMMENT_PENDING, reviewable_entries(user))
    )
    return db.session.scalar(stmt) or 0


def find_pending_comment(comment_id: int) -> Comment | None:
    """A comment still waiting for approval; None for unknown ids and comments already decided on."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != COMMENT_PENDING:
        return None
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


def find_comment(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id)


_COMMENTS_BY_ID = (
    select(Comment)
    .where(Comment.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(Comment.entry).joinedload(Entry.blog))
)


def comments_by_id(ids: list[int]) -> dict[int, Comment]:
    """The comments with these ids and their entries' rows the rules read, in one query (a signed-in author
    comes from the session)."""
    return {comment.id: comment for comment in db.session.scalars(_COMMENTS_BY_ID, {"ids": ids})}


@dataclass(frozen=True, slots=True)
class ShownAuthor:
    username: str
    display_name: str
    is_suspended: bool


@dataclass(frozen=True, slots=True)
class ShownComment:
    """A comment as an entry's page shows it, read as plain columns: the attributes of a `Comment` that the
    comment templates and the comment rules in app/permissions.py read, under the same names."""

    id: int
    entry_id: int
    author_id: int | None
    guest_name: str | None
    body_html: str
    ip_address: str | None
    is_hidden: bool
    created_at: datetime
    author: ShownAuthor | None
    entry: Entry

    @property
    def display_name(self) -> str:
        return self.author.display_name if self.author else (self.guest_name or "")


def _comments_statement(with_hidden: bool) -> Select:
    stmt = (
        select(
            Comment.id,
            Comment.author_id,
            Comment.guest_name,
            Comment.body_html,
            Comment.ip_address,
            Comment.is_hidden,
            Comment.created_at,
            User.username,
            User.display_name,
            User.is_suspended,
        )
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.entry_id == bindparam("entry_id"), Comment.status == COMMENT_PUBLISHED, by_active_author())
        .order_by(Comment.created_at, Comment.id)
    )
    return stmt if with_hidden else stmt.where(Comment.is_hidden.is_(False))


# Built once: building them cost as much as running them.
_COMMENTS_FOR_MODERATORS = _comments_statement(with_hidden=True)
_COMMENTS_FOR_READERS = _comments_statement(with_hidden=False)


def comments_for_entry(entry: Entry, viewer: Any) -> list[ShownComment]:
    """The comments `viewer` may see, oldest first: hidden ones (`is_hidden`) only for moderators.

    Comments waiting for approval are left out for everyone; they are reviewed on the moderation page.
    Comments by a suspended member are shown to nobody until the account is restored.

    Read as plain rows rather than ORM objects (the objects cost a page of thirty comments a sixth of its
    render); the page cache records ORM loads by itself, so the rows read here are declared with `shows`.
    """
    stmt = _COMMENTS_FOR_MODERATORS if can(viewer, "moderate_comments", entry) else _COMMENTS_FOR_READERS
    comments, rows = [], []
    for comment_id, author_id, guest_name, body_html, ip, hidden, created_at, *author in plain_rows(
        stmt, {"entry_id": entry.id}
    ):
        rows.append(row("comments", comment_id))
        if author_id is not None:
            rows.append(row("users", author_id))
        comments.append(
            ShownComment(
                comment_id,
                entry.id,
                author_id,
                guest_name,
                body_html,
                ip,
                hidden,
                created_at,
                None if author_id is None else ShownAuthor(*author),
                entry,
            )
        )
    shown.shows(*rows)
    return comments


def recount_comments_by(user: User) -> None:
    """Recount every entry `user` commented on: after a suspension or a restore their comments count or not."""
    entry_ids = select(Comment.entry_id).where(Comment.author_id == user.id).distinct()
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids))):
        recount_comments(entry)
