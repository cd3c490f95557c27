"""Entries (บันทึก), their tags, read tracking and the public entry-number counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.database import thai_order
from app.extensions import db
from app.models.blog import Blog
from app.models.types import UTCDateTime, utcnow
from app.models.user import User
from app.text.markdown import html_to_text

STATUS_DRAFT = "draft"
STATUS_PUBLISHED = "published"

entry_tags = Table(
    "entry_tags",
    db.metadata,
    Column("entry_id", ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Already normalised by app.text.tags.normalize_tag, so plain equality is the right comparison.
    name: Mapped[str] = mapped_column(String(50), unique=True)

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class Entry(db.Model):
    __tablename__ = "entries"
    # Lists of published entries, newest first (home, tags, stations, blogs, feeds): with these the database
    # walks the newest rows in order and stops at a page's worth, instead of sorting every published entry.
    __table_args__ = (
        Index("ix_entries_status_published_at", "status", "published_at", "id"),
        Index("ix_entries_blog_id_status_published_at", "blog_id", "status", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    blog_id: Mapped[int] = mapped_column(ForeignKey("blogs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The visible text of body_html (normalised, on one line), kept with it so that search indexes and quotes
    # it without parsing HTML on every use.
    body_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    license: Mapped[str] = mapped_column(String(20), default="all-rights-reserved")
    status: Mapped[str] = mapped_column(String(10), default=STATUS_DRAFT, index=True)
    comments_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    read_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Digest of an imported file, so importing the same file twice does not duplicate it.
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The editor form's one-time key (app/submissions.py): sending the same form again finds this entry.
    submission_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    blog: Mapped[Blog] = relationship()
    author: Mapped[User] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=entry_tags, order_by=thai_order(Tag.name))

    @property
    def is_published(self) -> bool:
        return self.status == STATUS_PUBLISHED

    @validates("body_html")
    def _keep_body_text(self, _key: str, body_html: str) -> str:
        self.body_text = html_to_text(body_html)
        return body_html

    def __repr__(self) -> str:
        return f"<Entry {self.number}>"


class EntryView(db.Model):
    """One visitor's read of an entry on one day; the key that makes read counts honest."""

    __tablename__ = "entry_views"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    visitor_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)


class Counter(db.Model):
    """Named counters (e.g. the public entry number), incremented under the row's write lock."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
