"""What a cached page shows, named as dependency tags, and how a render collects them.

A tag names one thing whose change must retire every page that shows it:

- a row: ``"entries:12"``, ``"users:3"`` — recorded by itself whenever the ORM loads a row while a cacheable
  page is rendered, so a page depends on exactly the rows it read (titles, names, counts kept on rows);
- a list: ``"blog-entries:4"``, ``"entry-comments:12"``, ``"entries"`` — declared by the view with `shows`,
  because a list can gain a member that the render never loaded;
- ``SITE``, which every page depends on: bumped by rare changes that reach across the whole site
  (a member suspended or deleted, a blog or station deleted).

app/page_cache/invalidation.py turns each committed change into the tags it affects.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect

from app.extensions import db

SITE = "site"
ALL_ENTRIES = "entries"  # the newest published entries: any entry published, unpublished, moved or deleted
ALL_STATIONS = "stations"  # the list of stations and their member and blog counts
ALL_TAGS = "tags"  # the popular-tags list and its counts
SEARCH_INDEX = "search-index"  # search results: bumped once the search index has taken a change (app/search)

_COLLECTING = "page_cache_tags"


def row(table: str, *key: object) -> str:
    """The tag of one row: ``"<table>:<primary key>"`` (parts of a composite key joined by "-")."""
    return f"{table}:{'-'.join(str(part) for part in key)}"


def row_tag(obj: Any) -> str | None:
    """The tag of a mapped object's row; None before it has been inserted."""
    identity = inspect(obj).identity
    return None if identity is None else row(obj.__tablename__, *identity)


def blog_entries(blog_id: int) -> str:
    return f"blog-entries:{blog_id}"


def blog_stations(blog_id: int) -> str:
    return f"blog-stations:{blog_id}"


def user_entries(user_id: int) -> str:
    return f"user-entries:{user_id}"


def user_blogs(user_id: int) -> str:
    return f"user-blogs:{user_id}"


def user_follows(user_id: int) -> str:
    """Who follows the member and whom they follow (both lists and both counts)."""
    return f"user-follows:{user_id}"


def tag_entries(tag_id: int) -> str:
    return f"tag-entries:{tag_id}"


def entry_comments(entry_id: int) -> str:
    return f"entry-comments:{entry_id}"


def entry_related(entry_id: int) -> str:
    """The entry's stored related entries (app/entries/related.py)."""
    return f"entry-related:{entry_id}"


def station_entries(station_id: int) -> str:
    return f"station-entries:{station_id}"


def station_members(station_id: int) -> str:
    return f"station-members:{station_id}"


def station_blogs(station_id: int) -> str:
    return f"station-blogs:{station_id}"


def start_collecting() -> None:
    """From now on this request's loaded rows and declared lists are the page's dependencies."""
    g.setdefault(_COLLECTING, {SITE})


def collected() -> set[str]:
    return set(g.get(_COLLECTING, ()))


@contextmanager
def collecting_apart() -> Iterator[set[str]]:
    """Collect what the block loads and declares into a set of its own (then also into the page's, if any)."""
    outer = g.get(_COLLECTING)
    inner = {SITE}
    setattr(g, _COLLECTING, inner)
    try:
        yield inner
    finally:
        if outer is None:
            g.pop(_COLLECTING, None)
        else:
            outer |= inner
            setattr(g, _COLLECTING, outer)


def shows(*tags: str) -> None:
    """Declare lists the page being rendered shows (ignored unless the page is being cached)."""
    if has_request_context() and _COLLECTING in g:
        g.get(_COLLECTING).update(tags)


def _note_loaded(obj: Any, context: Any) -> None:
    if has_request_context() and _COLLECTING in g and (tag := row_tag(obj)) is not None:
        g.get(_COLLECTING).add(tag)


def register_listeners() -> None:
    """Record every row the ORM loads (once per process, for every model)."""
    if not event.contains(db.Model, "load", _note_loaded):
        event.listen(db.Model, "load", _note_loaded, propagate=True)
