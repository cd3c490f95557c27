"""Community stations (ชุมชน): members, moderators and the blogs submitted to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.blog import Blog
from app.models.types import UTCDateTime, utcnow
from app.models.user import User

JOIN_OPEN = "open"
JOIN_APPROVAL = "approval"

ROLE_OWNER = "owner"
ROLE_MODERATOR = "moderator"
ROLE_MEMBER = "member"

STATUS_PENDING = "pending"
STATUS_ACTIVE = "active"
STATUS_ACCEPTED = "accepted"


class Station(db.Model):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    slug_key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    join_policy: Mapped[str] = mapped_column(String(10), default=JOIN_OPEN)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Station {self.slug}>"


class StationMember(db.Model):
    """Membership; the owner has a row too (role owner) so member lists need no special case."""

    __tablename__ = "station_members"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(10), default=ROLE_MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=STATUS_ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    station: Mapped[Station] = relationship()
    user: Mapped[User] = relationship()


class StationBlog(db.Model):
    """A blog submitted to a station; once accepted its entries, past and future, show in the feed."""

    __tablename__ = "station_blogs"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    blog_id: Mapped[int] = mapped_column(ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(10), default=STATUS_PENDING)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    station: Mapped[Station] = relationship()
    blog: Mapped[Blog] = relationship()
    submitted_by: Mapped[User | None] = relationship()
