"""Who may do what: the one place these rules live. Views and templates ask `can(user, action, obj)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Blog, BlogAuthor, Comment, Entry, Station, StationBlog, StationMember, User
from app.models.station import ROLE_MODERATOR, ROLE_OWNER, STATUS_ACTIVE


def _member(user: Any) -> User | None:
    """The signed-in, non-suspended user, or None for guests and suspended accounts."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_suspended:
        return None
    return user


def is_blog_owner(user: Any, blog: Blog) -> bool:
    member = _member(user)
    return member is not None and blog.owner_id == member.id


def is_blog_author(user: Any, blog: Blog) -> bool:
    """Owner or co-author: may write entries on the blog."""
    member = _member(user)
    if member is None:
        return False
    if blog.owner_id == member.id:
        return True
    return db.session.get(BlogAuthor, (blog.id, member.id)) is not None


def station_role(user: Any, station: Station) -> str | None:
    """The user's active role in the station (owner, moderator, member), or None."""
    member = _member(user)
    if member is None:
        return None
    if station.owner_id == member.id:
        return ROLE_OWNER
    row = db.session.get(StationMember, (station.id, member.id))
    if row is None or row.status != STATUS_ACTIVE:
        return None
    return row.role


def _edit_entry(user: Any, entry: Entry) -> bool:
    """The blog's owner, or the entry's author while they still write in the blog.

    A co-author the owner removed keeps their name on what they wrote but may no longer change it.
    """
    member = _member(user)
    if member is None:
        return False
    return entry.blog.owner_id == member.id or (entry.author_id == member.id and is_blog_author(member, entry.blog))


def _view_entry(user: Any, entry: Entry) -> bool:
    if entry.author.is_suspended:
        return _edit_entry(user, entry)
    return entry.is_published or _edit_entry(user, entry)


def _comment_on_entry(user: Any, entry: Entry) -> bool:
    if not entry.is_published or not entry.comments_enabled:
        return False
    if _member(user) is not None:
        return True
    if getattr(user, "is_authenticated", False):
        return False
    return entry.blog.allow_guest_comments


def _delete_comment(user: Any, comment: Comment) -> bool:
    member = _member(user)
    if member is None:
        return False
    return comment.author_id == member.id or _edit_entry(member, comment.entry)


def _moderate_station(user: Any, station: Station) -> bool:
    return station_role(user, station) in (ROLE_OWNER, ROLE_MODERATOR)


def _submit_blog(user: Any, station: Station) -> bool:
    """Members submit blogs they own."""
    member = _member(user)
    if member is None or station_role(member, station) is None:
        return False
    owned = db.session.scalar(select(Blog.id).where(Blog.owner_id == member.id).limit(1))
    return owned is not None


def _station_row(user: Any, station: Station) -> StationMember | None:
    """The user's membership row in any status (pending requests included), or None."""
    member = _member(user)
    return None if member is None else db.session.get(StationMember, (station.id, member.id))


def _join_station(user: Any, station: Station) -> bool:
    """Signed-in people who are neither members nor waiting for approval, and do not own the station."""
    member = _member(user)
    return member is not None and station.owner_id != member.id and _station_row(member, station) is None


def _leave_station(user: Any, station: Station) -> bool:
    """Members and moderators leave; people waiting for approval withdraw their request. Owners stay."""
    row = _station_row(user, station)
    return row is not None and station.owner_id != row.user_id and row.role != ROLE_OWNER


def _remove_station_blog(user: Any, link: StationBlog) -> bool:
    return is_blog_owner(user, link.blog) or _moderate_station(user, link.station)


def _follow(user: Any, target: User) -> bool:
    member = _member(user)
    return member is not None and member.id != target.id


_RULES: dict[str, Callable[[Any, Any], bool]] = {
    "write_in_blog": is_blog_author,
    "manage_blog": is_blog_owner,
    "view_entry": _view_entry,
    "edit_entry": _edit_entry,
    "delete_entry": _edit_entry,
    "comment_on_entry": _comment_on_entry,
    "moderate_comments": _edit_entry,
    "delete_comment": _delete_comment,
    "manage_station": lambda user, station: station_role(user, station) == ROLE_OWNER,
    "moderate_station": _moderate_station,
    "join_station": _join_station,
    "leave_station": _leave_station,
    "submit_blog_to_station": _submit_blog,
    "remove_blog_from_station": _remove_station_blog,
    "follow_user": _follow,
    "create_content": lambda user, _obj=None: _member(user) is not None,
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when `user` (a User, an anonymous user or None) may perform `action` on `obj`."""
    try:
        rule = _RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    return rule(user, obj)
