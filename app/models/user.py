"""People and who follows whom."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Lower-cased copy: usernames are unique ignoring case on every database.
    username_key: Mapped[str] = mapped_column(String(30), unique=True)
    # The confirmed address (sign-in and password resets use it); None until the emailed link is opened.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # An address given at registration and not yet confirmed (several accounts may claim one; the first to
    # confirm gets it).
    unconfirmed_email: Mapped[str | None] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    # Part of the login cookie's id: bumping it ends every other session of the account.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set together by app.admin.services.suspend_user and cleared by restore_user.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_reason: Mapped[str] = mapped_column(Text, default="")
    suspended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    suspended_by: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[suspended_by_id])

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # The key of the sign-in this object was loaded for (app.auth.signins), set per request, never stored.
    session_key = None

    def get_id(self) -> str:
        """Flask-Login's id for the cookies: the user, the session version and the sign-in's own key."""
        if not self.session_key:
            raise RuntimeError("start a sign-in with app.auth.signins.start_session before login_user")
        return f"{self.id}.{self.session_version}.{self.session_key}"

    @property
    def is_active(self) -> bool:
        return not self.is_suspended

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(db.Model):
    """One sign-in: both login cookies carry its key, so deleting the row ends it on the server."""

    __tablename__ = "user_sessions"

    # SHA-256 of the key, so a copy of the table does not give working cookies.
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Follow(db.Model):
    __tablename__ = "follows"

    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    followed_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
