"""People: following, follower lists and the data a profile page shows. Add and flush; never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ScalarSelect, Select, func, select

from app.errors import DomainError
from app.extensions import db
from app.models import Entry, Follow, User


def get_follow(user: User, target: User) -> Follow | None:
    return db.session.get(Follow, (user.id, target.id))


def is_following(user: User | None, target: User) -> bool:
    """True when `user` (possibly anonymous) follows `target`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return get_follow(user, target) is not None


def follow(user: User, target: User) -> Follow:
    """Start following `target`; following someone already followed changes nothing."""
    if user.id == target.id:
        raise DomainError(_l("ติดตามตัวเองไม่ได้"))
    existing = get_follow(user, target)
    if existing is not None:
        return existing
    link = Follow(follower_id=user.id, followed_id=target.id)
    db.session.add(link)
    db.session.flush()
    return link


def unfollow(user: User, target: User) -> None:
    """Stop following `target`; a no-op when not following."""
    existing = get_follow(user, target)
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()


def followers_query(user: User) -> Select:
    """People who follow `user`, most recent first; suspended accounts are left out."""
    return (
        select(User)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followed_id == user.id, User.is_suspended.is_(False))
        .order_by(Follow.created_at.desc(), User.id.desc())
    )


def following_query(user: User) -> Select:
    """People `user` follows, most recent first; suspended accounts are left out."""
    return (
        select(User)
        .join(Follow, Follow.followed_id == User.id)
        .where(Follow.follower_id == user.id, User.is_suspended.is_(False))
        .order_by(Follow.created_at.desc(), User.id.desc())
    )


def _count(stmt: Select) -> ScalarSelect[int]:
    """The number of rows `stmt` lists, as a column for a larger select."""
    return select(func.count()).select_from(stmt.order_by(None).subquery()).scalar_subquery()


def follow_counts(user: User) -> dict[str, int]:
    """How many people follow `user` and how many `user` follows (as the lists show them), in one query."""
    followers, following = db.session.execute(
        select(_count(followers_query(user)), _count(following_query(user)))
    ).one()
    return {"followers": followers, "following": following}


def profile_entries_query(user: User) -> Select:
    """The published entries `user` wrote, newest first, as every list of entries shows them."""
    from app.entries.services import published_entries_query

    return published_entries_query().where(Entry.author_id == user.id)


def followed_entries_query(user: User) -> Select:
    """Published entries by the people `user` follows, newest first."""
    from app.entries.services import published_entries_query

    followed_ids = select(Follow.followed_id).where(Follow.follower_id == user.id)
    return published_entries_query().where(Entry.author_id.in_(followed_ids))
