"""Who may do what: the one place these rules live. Views and templates ask `can(user, action, obj)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, event, false, or_, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Blog, BlogAuthor, Comment, Entry, Station, StationBlog, StationMember, User
from app.models.station import ROLE_MODERATOR, ROLE_OWNER, STATUS_ACCEPTED, STATUS_ACTIVE

_NO_MEMBERSHIP = "sala_no_membership"
_OWNS_A_BLOG = "sala_owns_a_blog"


def _forget_missing_memberships(session: Session, *args: Any) -> None:
    if has_request_context():
        g.pop(_NO_MEMBERSHIP, None)
        g.pop(_OWNS_A_BLOG, None)


def _register_listeners() -> None:
    """Any change a session makes (or undoes) may create the row a miss (or a blog count) was remembered for."""
    for name in ("after_attach", "after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
        if not event.contains(Session, name, _forget_missing_memberships):
            event.listen(Session, name, _forget_missing_memberships)


_register_listeners()


def _membership_row(station: Station, member: User) -> StationMember | None:
    """The membership row in any status, or None; a page asking about many links to one station asks once.

    Rows that exist stay in the session's identity map, but `Session.get` asks the database again for a row
    that does not, so within a request a miss is remembered until the session next changes.
    """
    key = (station.id, member.id)
    missing: set[tuple[int, int]] = g.setdefault(_NO_MEMBERSHIP, set()) if has_request_context() else set()
    if key in missing:
        return None
    row = db.session.get(StationMember, key)
    if row is None:
        missing.add(key)
    return row


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
    row = _membership_row(station, member)
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
    """The station's owner and its active moderators."""
    return station_role(user, station) in (ROLE_OWNER, ROLE_MODERATOR)


def moderated_stations(user: Any) -> ColumnElement[bool]:
    """SQL condition on `Station`: the stations `user` owns or moderates, as `_moderate_station` decides for one."""
    member = _member(user)
    if member is None:
        return false()
    moderating = select(StationMember.station_id).where(
        StationMember.user_id == member.id,
        StationMember.status == STATUS_ACTIVE,
        StationMember.role.in_((ROLE_OWNER, ROLE_MODERATOR)),
    )
    return or_(Station.owner_id == member.id, Station.id.in_(moderating))


def reviewable_entries(user: Any) -> ColumnElement[bool]:
    """SQL condition on `Entry`: entries whose waiting comments `user` may approve or reject.

    The entry's author, the blog's owner, and the owner or a moderator of any station that accepted the
    blog. `can(user, "review_comments", entry)` evaluates this same condition for one entry.
    """
    member = _member(user)
    if member is None:
        return false()
    station_blogs = (
        select(StationBlog.blog_id)
        .join(Station, Station.id == StationBlog.station_id)
        .where(StationBlog.status == STATUS_ACCEPTED, moderated_stations(member))
    )
    owned_blogs = select(Blog.id).where(Blog.owner_id == member.id)
    return or_(Entry.author_id == member.id, Entry.blog_id.in_(owned_blogs), Entry.blog_id.in_(station_blogs))


def _review_comments(user: Any, entry: Entry) -> bool:
    if _member(user) is None:
        return False
    stmt = select(Entry.id).where(Entry.id == entry.id, reviewable_entries(user))
    return db.session.scalar(stmt) is not None


def _submit_blog(user: Any, station: Station) -> bool:
    """Members submit blogs they own (asked once a request: a station page asks for its audience and its
    buttons; forgotten, like a missing membership, when the session changes)."""
    member = _member(user)
    if member is None or station_role(member, station) is None:
        return False
    owns: dict[int, bool] = g.setdefault(_OWNS_A_BLOG, {}) if has_request_context() else {}
    if member.id not in owns:
        owns[member.id] = db.session.scalar(select(Blog.id).where(Blog.owner_id == member.id).limit(1)) is not None
    return owns[member.id]


def _station_row(user: Any, station: Station) -> StationMember | None:
    """The user's membership row in any status (pending requests included), or None."""
    member = _member(user)
    return None if member is None else _membership_row(station, member)


def _join_station(user: Any, station: Station) -> bool:
    """Signed-in people who are neither members nor waiting for approval, and do not own the station."""
    member = _member(user)
    return member is not None and station.owner_id != member.id and _station_row(member, station) is None


def _leave_station(user: Any, station: Station) -> bool:
    """Members and moderators leave; people waiting for approval withdraw their request. Owners stay."""
    row = _station_row(user, station)
    return row is not None and station.owner_id != row.user_id and row.role != ROLE_OWNER


def _remove_station_blog(user: Any, link: StationBlog) -> bool:
    """The blog's owner and the station's moderators (asked first whether there is a member at all: a station
    page asks for every accepted blog, and a guest's answer needs no station loaded)."""
    if _member(user) is None:
        return False
    return is_blog_owner(user, link.blog) or _moderate_station(user, link.station)


def _follow(user: Any, target: User) -> bool:
    member = _member(user)
    return member is not None and member.id != target.id


def _administer(user: Any, _obj: Any = None) -> bool:
    member = _member(user)
    return member is not None and member.is_admin


def suspension_refusal(admin: User | None, user: User) -> str | None:
    """Why `admin` may not suspend `user` (a Thai message), or None when they may; `admin` is None from the
    command line.

    Administrators are never suspended from the web: an account with that much power is first demoted
    with `flask users revoke-admin`, which needs shell access; so one administrator cannot lock the others
    (or themselves) out.
    """
    if admin is not None and admin.id == user.id:
        return str(_l("ระงับบัญชีของตัวเองไม่ได้"))
    if user.is_admin:
        return str(_l("บัญชีนี้เป็นผู้ดูแลระบบ ต้องถอนสิทธิ์ผู้ดูแลระบบก่อนจึงจะระงับได้"))
    if user.is_suspended:
        return str(_l("บัญชีนี้ถูกระงับอยู่แล้ว"))
    return None


def _suspend_user(user: Any, person: User) -> bool:
    return _administer(user) and suspension_refusal(user, person) is None


def _view_profile(user: Any, person: User) -> bool:
    """A suspended member's profile (and who they follow) is hidden from everyone but administrators."""
    return not person.is_suspended or _administer(user)


def _edit_profile(user: Any, person: User) -> bool:
    """Members edit their own profile, and are offered their own shortcuts on its pages."""
    member = _member(user)
    return member is not None and member.id == person.id


def _report_entry(user: Any, entry: Entry) -> bool:
    """Members report published entries others wrote."""
    member = _member(user)
    return member is not None and entry.is_published and _view_entry(member, entry) and entry.author_id != member.id


def _act_on_comments(user: Any, _entry: Entry) -> bool:
    """Whether any action on the entry's comments (hide, delete, report) may be open to `user`: each needs a
    signed-in member, so a page for anyone else leaves the comments' actions out without asking per comment."""
    return _member(user) is not None


def _act_on_station_blogs(user: Any, _station: Station) -> bool:
    """Whether removing any of the station's blogs may be open to `user`: it needs a signed-in member, so a page
    for anyone else leaves the blogs' remove buttons out without asking per blog."""
    return _member(user) is not None


def _report_comment(user: Any, comment: Comment) -> bool:
    """Members report comments readers can see on entries they can see, except their own."""
    member = _member(user)
    if member is None or comment.is_hidden or comment.author_id == member.id:
        return False
    if comment.author is not None and comment.author.is_suspended:
        return False
    return _view_entry(member, comment.entry)


_RULES: dict[str, Callable[[Any, Any], bool]] = {
    "write_in_blog": is_blog_author,
    "manage_blog": is_blog_owner,
    "view_entry": _view_entry,
    "edit_entry": _edit_entry,
    "delete_entry": _edit_entry,
    "comment_on_entry": _comment_on_entry,
    "moderate_comments": _edit_entry,
    "act_on_comments": _act_on_comments,
    "review_comments": _review_comments,
    "delete_comment": _delete_comment,
    "manage_station": lambda user, station: station_role(user, station) == ROLE_OWNER,
    "moderate_station": _moderate_station,
    "join_station": _join_station,
    "leave_station": _leave_station,
    "submit_blog_to_station": _submit_blog,
    "remove_blog_from_station": _remove_station_blog,
    "act_on_station_blogs": _act_on_station_blogs,
    "follow_user": _follow,
    "view_profile": _view_profile,
    "edit_profile": _edit_profile,
    "create_content": lambda user, _obj=None: _member(user) is not None,
    "report_entry": _report_entry,
    "report_comment": _report_comment,
    "administer": _administer,
    "suspend_user": _suspend_user,
}


# Pages whose member view depends on nothing but being signed in (home, tag and search pages).
ANY_MEMBER = "any"


def member_audience(user: Any) -> str:
    """The audience of a page that shows members nothing of their own: active members, or suspended ones."""
    return ANY_MEMBER if _member(user) is not None else "suspended"


def entry_page_audience(user: Any, entry: Entry) -> str:
    """What the entry page shows a signed-in `user` that depends on them, as a key (app/page_cache/pages.py):
    members with the same key are shown the same page.

    The rules the page applies decide it: editing (which also moderates the comments and shows hidden ones) and
    being the author (who may not report the entry). A member's own comments show them a delete button instead
    of a report link: the page marks those buttons as their author's own part (app/page_cache/parts.py).
    """
    member = _member(user)
    if member is None:
        return "suspended"
    editor = "editor" if _edit_entry(member, entry) else "reader"
    return f"{editor}:{'author' if entry.author_id == member.id else 'other'}"


def station_page_audience(user: Any, station: Station) -> str:
    """What a station's page shows a signed-in `user` that depends on them, as a key: their role and the state of
    their membership (which decide join, leave, submit, settings and the approvals waiting), and whether they own
    a blog to submit. A link to a blog of their own shows them its remove button: their own part of the page."""
    member = _member(user)
    if member is None:
        return "suspended"
    row = _station_row(member, station)
    role = station_role(member, station)
    blogs = role is not None and _submit_blog(member, station)
    return f"{role}:{row.status if row is not None else None}:{row.role if row is not None else None}:{blogs}"


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when `user` (a User, an anonymous user or None) may perform `action` on `obj`."""
    try:
        rule = _RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    return rule(user, obj)
