"""Checking the stored comment counter against the database."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Entry


def visible_count(entry: Entry) -> int:
    """A fresh COUNT of the entry's visible (published, not hidden) comments, to check the stored counter against."""
    return db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.entry_id == entry.id, Comment.status == "published", Comment.is_hidden.is_(False))
    )


def stored_count(entry: Entry) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Entry.comment_count).where(Entry.id == entry.id))


def assert_count(entry: Entry, expected: int) -> None:
    assert stored_count(entry) == visible_count(entry) == expected
