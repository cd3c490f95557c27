"""What the home page and a member's dashboard show: read-only queries, no writes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.blogs.services import writable_blog_ids
from app.extensions import db
from app.models import STATUS_DRAFT, Entry, User
from app.users.services import followed_entries_query, profile_entries_query

DRAFTS_LIMIT = 10
RECENT_LIMIT = 5
FOLLOWED_LIST_LIMIT = 5


def drafts_of(user: User, limit: int = DRAFTS_LIMIT) -> list[Entry]:
    """The user's unpublished entries (with their blogs) in blogs they still write in, most recently edited
    first."""
    stmt = (
        select(Entry)
        .where(Entry.author_id == user.id, Entry.status == STATUS_DRAFT, Entry.blog_id.in_(writable_blog_ids(user)))
        .options(joinedload(Entry.blog))
        .order_by(Entry.updated_at.desc(), Entry.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def recent_entries_of(user: User, limit: int = RECENT_LIMIT) -> list[Entry]:
    """The user's latest published entries."""
    return list(db.session.scalars(profile_entries_query(user).limit(limit)))


def entries_from_followed(user: User, limit: int = FOLLOWED_LIST_LIMIT) -> list[Entry]:
    """The latest published entries by people the user follows."""
    return list(db.session.scalars(followed_entries_query(user).limit(limit)))
