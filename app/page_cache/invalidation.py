"""Retiring cached pages when a commit changes something they show.

Each dependency tag has a version in the cache (a random token). A stored page keeps the versions its tags had
when it was rendered and is served only while all of them are unchanged. Before each flush the listeners
below note which tags the flush's new, changed and deleted rows affect; after the commit they give those
tags new versions. A rolled-back transaction bumps nothing.

Also after the commit, a site-wide "generation" token changes, both before and after the tags. A render keeps
its page only if the generation is the same after the render as before it, so a page read from the database
while a write was being committed is never stored with the versions of after that write; and each process
trusts the tag versions it remembers only while the generation is the one it read them under
(app/page_cache/pages.py), so the change after the tags sends it back for the new versions.

Read counts are written with plain UPDATE statements (app/reads.py) and bump nothing: the count a cached page
shows may lag by up to PAGE_CACHE_TIMEOUT seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app.models import (
    STATUS_PUBLISHED,
    Blog,
    BlogAuthor,
    Comment,
    Entry,
    Follow,
    Station,
    StationBlog,
    StationMember,
    User,
)
from app.page_cache import store
from app.page_cache import tags as t

# Entry columns that move an entry into or out of a list (or between lists).
ENTRY_LIST_FIELDS = frozenset({"status", "published_at", "blog_id", "author_id", "blog", "author", "tags"})
# What decides which entries are "related" to another (the search text): title, body and tags.
ENTRY_TEXT_FIELDS = frozenset({"title", "body_html", "tags"})

_NOTED = "page_cache_noted"


def tracking() -> bool:
    return store.tracking()


def _changed(obj: Any, names: Iterable[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _old_and_new(obj: Any, name: str) -> set[Any]:
    """Every value the attribute had in this flush (for a relationship: the related rows)."""
    getattr(obj, name)  # load an expired value, or its history would be empty
    history = inspect(obj).attrs[name].history
    return {value for value in (*history.deleted, *history.added, *history.unchanged) if value is not None}


def _id_of(obj: Any, column: str, relation: str) -> set[int]:
    """The id in `column`, old and new, or the id of the related row when only the relationship is set."""
    ids = _old_and_new(obj, column)
    related = getattr(obj, relation)
    if related is not None and related.id is not None:
        ids.add(related.id)
    return ids


def _stations_showing(session: Session, blog_ids: set[int]) -> set[int]:
    if not blog_ids:
        return set()
    stmt = select(StationBlog.station_id).where(StationBlog.blog_id.in_(blog_ids))
    return set(session.scalars(stmt))


def _entry_tags(session: Session, entry: Entry, is_new: bool) -> set[str]:
    """A draft is on no public page: only an entry that is or was published affects lists."""
    if STATUS_PUBLISHED not in _old_and_new(entry, "status"):
        return set()
    if not is_new and not _changed(entry, ENTRY_LIST_FIELDS | ENTRY_TEXT_FIELDS):
        return set()
    noted = {t.RELATED_ENTRIES}
    if is_new or _changed(entry, ENTRY_LIST_FIELDS):
        blog_ids = _id_of(entry, "blog_id", "blog")
        noted |= {t.ALL_ENTRIES, t.ALL_TAGS}
        noted |= {t.blog_entries(blog_id) for blog_id in blog_ids}
        noted |= {t.user_entries(user_id) for user_id in _id_of(entry, "author_id", "author")}
        noted |= {t.tag_entries(tag.id) for tag in _old_and_new(entry, "tags") if tag.id is not None}
        noted |= {t.station_entries(station_id) for station_id in _stations_showing(session, blog_ids)}
    return noted


def _list_tags(session: Session, obj: Any, is_new: bool) -> set[str]:
    """The lists (and site-wide tags) a new or changed row affects."""
    if isinstance(obj, Entry):
        return _entry_tags(session, obj, is_new)
    if isinstance(obj, Comment):
        return {t.entry_comments(entry_id) for entry_id in _id_of(obj, "entry_id", "entry")}
    if isinstance(obj, User):
        return {t.SITE} if not is_new and _changed(obj, ("is_suspended",)) else set()
    if isinstance(obj, Blog):
        return {t.user_blogs(user_id) for user_id in _id_of(obj, "owner_id", "owner")}
    if isinstance(obj, BlogAuthor):  # the blog's page lists its co-authors; their profiles list the blog
        blog_rows = {t.row(Blog.__tablename__, blog_id) for blog_id in _id_of(obj, "blog_id", "blog")}
        return blog_rows | {t.user_blogs(user_id) for user_id in _id_of(obj, "user_id", "user")}
    if isinstance(obj, Station):
        return {t.ALL_STATIONS}
    if isinstance(obj, StationMember):
        return {t.ALL_STATIONS} | {t.station_members(sid) for sid in _id_of(obj, "station_id", "station")}
    if isinstance(obj, StationBlog):
        station_ids, blog_ids = _id_of(obj, "station_id", "station"), _id_of(obj, "blog_id", "blog")
        noted = {t.ALL_STATIONS} | {t.blog_stations(blog_id) for blog_id in blog_ids}
        return noted | {tag(sid) for sid in station_ids for tag in (t.station_blogs, t.station_entries)}
    if isinstance(obj, Follow):
        return {t.user_follows(uid) for uid in _old_and_new(obj, "follower_id") | _old_and_new(obj, "followed_id")}
    return set()


def _deleted_tags(session: Session, obj: Any) -> set[str]:
    """Deleting a member, blog or station reaches pages all over the site (their rows cascade away unseen)."""
    if isinstance(obj, (User, Blog, Station)):
        return {t.SITE}
    return _list_tags(session, obj, is_new=True)


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if not tracking():
        return
    noted: set[str] = session.info.setdefault(_NOTED, set())
    with session.no_autoflush:
        for obj in session.new:
            noted |= _list_tags(session, obj, is_new=True)
        for obj in session.dirty:
            if session.is_modified(obj):
                noted |= _list_tags(session, obj, is_new=False)
                noted.add(t.row_tag(obj))
        for obj in session.deleted:
            noted |= _deleted_tags(session, obj)
            noted.add(t.row_tag(obj))
    noted.discard(None)


def bump(tags: Iterable[str]) -> None:
    store.bump(tags)


def _bump_after_the_fact(tags: set[str]) -> None:
    """Bump after a change that is already made (committed, or in the index): a cache outage is only logged."""
    if not tags or not tracking():
        return
    try:
        bump(tags)
    except Exception:  # noqa: BLE001 - the change stands; a cache outage must not turn it into an error
        current_app.logger.exception("could not retire cached pages; they expire within PAGE_CACHE_TIMEOUT")


def index_changed() -> None:
    """The search index took changes (app/search/sync.py, a rebuild): retire the search pages that show it."""
    _bump_after_the_fact({t.SEARCH_INDEX})


def _after_commit(session: Session) -> None:
    """Retire what the transaction changed once it is committed; a released savepoint (SQLAlchemy sends
    after_commit for it too) is not a commit, so what it noted waits for the outermost one."""
    if session.in_nested_transaction():
        return
    _bump_after_the_fact(session.info.pop(_NOTED, None) or set())


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_NOTED, None)


def register_listeners() -> None:
    """Attach the listeners to every SQLAlchemy session, once per process."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
