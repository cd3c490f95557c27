"""The search outbox: changes the index must still apply, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow

TASK_ENTRY = "entry"
TASK_BLOG = "blog"
TASK_USER = "user"
TASK_KINDS = (TASK_ENTRY, TASK_BLOG, TASK_USER)


class SearchTask(db.Model):
    """One pending index change: re-index (or drop) an entry, every entry of a blog, or of an author.

    Rows are deleted once the index has applied them; re-applying a task is harmless, so a crash between
    the index commit and the delete only repeats work.
    """

    __tablename__ = "search_tasks"
    __table_args__ = (CheckConstraint("kind IN ('entry', 'blog', 'user')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchTask {self.kind} {self.ref_id}>"
