"""What a cached page shows, named as dependency tags, and how a render collects them.

A tag names one thing whose change must retire every page that shows it:

- a row: ``"entries:12"``, ``"users:3"`` — recorded by itself whenever the ORM loads a row while a cacheable
  page is rendered, so a page depends on exactly the rows it read (titles, names, counts kept on rows);
- a list: ``"blog-entries:4"``, ``"entry-comments:12"``, ``"entries"`` — declared by the view with `shows`,
  because a list can gain a member that the render never loaded;
- ``SITE``, which every page depends on: bumped by rare changes that reach across the whole site
  (a member suspended or deleted, a blog or station deleted).

The names of rows and lists come from app/changes/lists.py; app/page_cache/invalidation.py retires the tags each
committed change affects.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect

from app.changes.lists import SITE, row
from app.extensions import db

SEARCH_INDEX = "search-index"  # search results: bumped once the search index has taken a change (app/search)

_COLLECTING = "page_cache_tags"


def row_tag(obj: Any) -> str | None:
    """The tag of a mapped object's row; None before it has been inserted."""
    identity = inspect(obj).identity
    return None if identity is None else row(obj.__tablename__, *identity)


def start_collecting() -> None:
    """From now on this request's loaded rows and declared lists are the page's dependencies."""
    g.setdefault(_COLLECTING, {SITE})


def collected() -> set[str]:
    return set(g.get(_COLLECTING, ()))


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
