"""Reports (รายงาน) members file about an entry or a comment, for the site administrators to handle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

TARGET_ENTRY = "entry"
TARGET_COMMENT = "comment"
TARGET_TYPES = (TARGET_ENTRY, TARGET_COMMENT)

REPORT_OPEN = "open"
REPORT_RESOLVED = "resolved"
REPORT_DISMISSED = "dismissed"
REPORT_STATUSES = (REPORT_OPEN, REPORT_RESOLVED, REPORT_DISMISSED)

REASON_SPAM = "spam"
REASON_ABUSE = "abuse"
REASON_ILLEGAL = "illegal"
REASON_COPYRIGHT = "copyright"
REASON_PRIVACY = "privacy"
REASON_OTHER = "other"
REASONS = (REASON_SPAM, REASON_ABUSE, REASON_ILLEGAL, REASON_COPYRIGHT, REASON_PRIVACY, REASON_OTHER)


class Report(db.Model):
    """One member's report about one entry or comment.

    The target is (target_type, target_id) rather than two foreign keys, so a report outlives the content
    it is about: an administrator still sees that a deleted comment was reported. A member has at most one
    open report per item (the partial unique index; the service checks it first for a Thai message).
    """

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint("target_type IN ('entry', 'comment')", name="target_type"),
        CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name="status"),
        Index(
            "ix_reports_one_open_per_reporter",
            "reporter_id",
            "target_type",
            "target_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_reports_status_created_at", "status", "created_at"),
        Index("ix_reports_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    target_type: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    # The author of the reported content when the report was made, so it can be found after a deletion.
    target_author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    details: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=REPORT_OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    target_author: Mapped[User | None] = relationship(foreign_keys=[target_author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        return self.status == REPORT_OPEN
