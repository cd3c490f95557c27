"""Images members upload into their entries; the file itself lives in UPLOAD_DIR under `stored_name`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Upload(db.Model):
    """One member's upload of one image.

    Files are named by a hash of their re-encoded content, so two rows (two members, or one member
    uploading the same picture twice) may share one file; the file goes when its last row does.
    """

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stored_name: Mapped[str] = mapped_column(String(80), index=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(30))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The first entry saved with this image in its body; informational: pruning reads the bodies themselves.
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), index=True)

    __table_args__ = (Index("ix_uploads_owner_id_stored_name", "owner_id", "stored_name"),)

    def __repr__(self) -> str:
        return f"<Upload {self.stored_name}>"
