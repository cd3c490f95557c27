"""Related entries, ranked in the background (app/entries/related.py) and stored for the entry page to read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class RelatedList(db.Model):
    """An entry whose related entries have been ranked (its list may be empty); `updated_at`: when it last changed.

    Without this row the entry's list was never computed (say, it was published before related entries were
    stored), which is not the same as having no related entries. `source` is a digest of what the ranking read
    from the entry itself (app/entries/related.py, `fingerprint`): a change that leaves it alone (a comment, a
    read count) is not worth ranking again.
    """

    __tablename__ = "related_lists"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RelatedList {self.entry_id}>"


class RelatedEntry(db.Model):
    """The entry at `rank` (0 = most alike) among `entry_id`'s related entries."""

    __tablename__ = "related_entries"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # Indexed: a changed entry's refresh also refreshes the entries that list it.
    related_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)

    def __repr__(self) -> str:
        return f"<RelatedEntry {self.entry_id}#{self.rank} -> {self.related_id}>"
