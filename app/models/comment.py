"""Comments (ความเห็น) on entries, by members or guests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.entry import Entry
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

# A comment that trips a moderation rule (app.comments.services.moderation_reasons) waits as `pending`
# until the entry's author, the blog's owner or a station moderator approves it; readers never see it.
COMMENT_PUBLISHED = "published"
COMMENT_PENDING = "pending"


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    guest_name: Mapped[str | None] = mapped_column(String(100))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The full address is private; pages show only app.comments.services.mask_ip(ip_address).
    ip_address: Mapped[str | None] = mapped_column(String(64))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(
        String(10), default=COMMENT_PUBLISHED, server_default=COMMENT_PUBLISHED, index=True
    )
    # Why a pending comment waits: comma-separated rule codes (app.comments.services.MODERATION_REASONS).
    moderation_reason: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The comment form's one-time key (app/submissions.py): sending the same form again finds this comment.
    submission_key: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)

    entry: Mapped[Entry] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.author.display_name if self.author else (self.guest_name or "")

    @property
    def is_pending(self) -> bool:
        return self.status == COMMENT_PENDING

    @property
    def is_guest(self) -> bool:
        return self.author_id is None
