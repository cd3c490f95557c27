"""Blogs and their co-authors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow
from app.models.user import User


class Blog(db.Model):
    __tablename__ = "blogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    slug_key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    allow_guest_comments: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
    coauthor_links: Mapped[list[BlogAuthor]] = relationship(
        back_populates="blog", cascade="all, delete-orphan", order_by="BlogAuthor.added_at"
    )

    @property
    def coauthors(self) -> list[User]:
        return [link.user for link in self.coauthor_links]

    def __repr__(self) -> str:
        return f"<Blog {self.slug}>"


class BlogAuthor(db.Model):
    """A co-author: someone other than the owner who may write on the blog."""

    __tablename__ = "blog_authors"

    blog_id: Mapped[int] = mapped_column(ForeignKey("blogs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blog: Mapped[Blog] = relationship(back_populates="coauthor_links")
    user: Mapped[User] = relationship()
