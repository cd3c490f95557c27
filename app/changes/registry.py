"""Every mapped model, once: which lists a change to its rows moves them into or out of.

Adding a model? Register it here, or the test in tests/changes fails. `lists(session, obj, kind)` runs before
the flush for updates and deletes (the old rows still exist) and after it for inserts (keys are known then);
it names old and new lists alike. Models with `feed=False` are bookkeeping nobody shows or indexes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.changes import lists as ls
from app.changes.feed import DELETE, UPDATE, register
from app.models import (
    STATUS_PUBLISHED,
    Blog,
    BlogAuthor,
    Comment,
    Counter,
    Entry,
    EntryView,
    Follow,
    RelatedEntry,
    RelatedList,
    Report,
    SearchTask,
    Station,
    StationBlog,
    StationMember,
    Tag,
    Upload,
    User,
    UserSession,
)

# Entry attributes that move an entry into or out of a list (or between lists).
ENTRY_LIST_FIELDS = frozenset({"status", "published_at", "blog_id", "author_id", "blog", "author", "tags"})


def changed(obj: Any, names: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def old_and_new(obj: Any, name: str) -> set[Any]:
    """Every value the attribute had in this flush (for a relationship: the related rows)."""
    getattr(obj, name)  # load an expired value, or its history would be empty
    return {value for value in inspect(obj).attrs[name].history.sum() if value is not None}


def ids_of(obj: Any, column: str, relation: str) -> set[int]:
    """The id in `column`, old and new, or the id of the related row when only the relationship is set."""
    ids = old_and_new(obj, column)
    related = getattr(obj, relation)
    if related is not None and related.id is not None:
        ids.add(related.id)
    return ids


def _stations_showing(session: Session, blog_ids: set[int]) -> set[int]:
    if not blog_ids:
        return set()
    return set(session.scalars(select(StationBlog.station_id).where(StationBlog.blog_id.in_(blog_ids))))


# Entries: a draft is on no public page, so only an entry that is or was published moves in lists.
def entry_lists(session: Session, entry: Entry, kind: str) -> set[str]:
    if STATUS_PUBLISHED not in old_and_new(entry, "status"):
        return set()
    if kind == UPDATE and not changed(entry, ENTRY_LIST_FIELDS):
        return set()
    blog_ids = ids_of(entry, "blog_id", "blog")
    names = {ls.ALL_ENTRIES, ls.ALL_TAGS}
    names |= {ls.blog_entries(blog_id) for blog_id in blog_ids}
    names |= {ls.user_entries(user_id) for user_id in ids_of(entry, "author_id", "author")}
    names |= {ls.tag_entries(tag.id) for tag in old_and_new(entry, "tags") if tag.id is not None}
    names |= {ls.station_entries(station_id) for station_id in _stations_showing(session, blog_ids)}
    return names


register(Entry, lists=entry_lists)
register(Tag)  # a tag's own row only; entries moving between tags name the tag lists


def comment_lists(session: Session, comment: Comment, kind: str) -> set[str]:
    return {ls.entry_comments(entry_id) for entry_id in ids_of(comment, "entry_id", "entry")}


register(Comment, lists=comment_lists)


# Members: suspending one hides their entries and comments everywhere; deleting one takes their rows away
# unseen (database cascades).
def user_lists(session: Session, user: User, kind: str) -> set[str]:
    if kind == DELETE or (kind == UPDATE and changed(user, ("is_suspended",))):
        return {ls.SITE}
    return set()


register(User, lists=user_lists)


def follow_lists(session: Session, follow: Follow, kind: str) -> set[str]:
    user_ids = old_and_new(follow, "follower_id") | old_and_new(follow, "followed_id")
    return {ls.user_follows(user_id) for user_id in user_ids}


register(Follow, lists=follow_lists)


# Blogs: the owner's profile lists them; a deleted blog's entries and links cascade away unseen.
def blog_lists(session: Session, blog: Blog, kind: str) -> set[str]:
    if kind == DELETE:
        return {ls.SITE}
    return {ls.user_blogs(user_id) for user_id in ids_of(blog, "owner_id", "owner")}


register(Blog, lists=blog_lists)


# Co-authors: the blog's page lists them; their profiles list the blog.
def blog_author_lists(session: Session, link: BlogAuthor, kind: str) -> set[str]:
    blog_rows = {ls.row(Blog.__tablename__, blog_id) for blog_id in ids_of(link, "blog_id", "blog")}
    return blog_rows | {ls.user_blogs(user_id) for user_id in ids_of(link, "user_id", "user")}


register(BlogAuthor, lists=blog_author_lists)


# Stations: a deleted station's members and blog links cascade away unseen.
register(Station, lists=lambda session, station, kind: {ls.SITE if kind == DELETE else ls.ALL_STATIONS})


def station_member_lists(session: Session, member: StationMember, kind: str) -> set[str]:
    station_ids = ids_of(member, "station_id", "station")
    return {ls.ALL_STATIONS} | {ls.station_members(station_id) for station_id in station_ids}


register(StationMember, lists=station_member_lists)


def station_blog_lists(session: Session, link: StationBlog, kind: str) -> set[str]:
    station_ids, blog_ids = ids_of(link, "station_id", "station"), ids_of(link, "blog_id", "blog")
    names = {ls.ALL_STATIONS} | {ls.blog_stations(blog_id) for blog_id in blog_ids}
    return names | {name(sid) for sid in station_ids for name in (ls.station_blogs, ls.station_entries)}


register(StationBlog, lists=station_blog_lists)
register(Report)  # reports appear on no list a consumer keeps yet: the row only
# An entry's stored related entries (app/entries/related.py), ranked in the background.
register(RelatedEntry, lists=lambda session, row, kind: {ls.entry_related(row.entry_id)})
register(RelatedList, lists=lambda session, row, kind: {ls.entry_related(row.entry_id)})

# Bookkeeping: nobody shows or indexes these rows.
register(SearchTask, feed=False)  # the search outbox itself
register(EntryView, feed=False)  # who read what today; counts reach entries through bulk_update
register(Counter, feed=False)  # the entry-number sequence
register(UserSession, feed=False)  # sign-in keys; ending one is recorded by app/auth/signins.py (`_ended`)
register(Upload, feed=False)  # image files; entries show them through their bodies
