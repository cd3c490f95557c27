"""Retiring cached pages when a commit changes something they show.

Each dependency tag has a version in the cache (a random token). A stored page keeps the versions its tags had
when it was rendered and is served only while all of them are unchanged. This module consumes the change feed
(app.changes): after each commit it gives new versions to the tags the transaction's changes affect, the row of
each updated or deleted row and every list a row moved into or out of. A rolled-back transaction bumps nothing.

Also after the commit, a site-wide "generation" token changes, both before and after the tags. A render keeps
its page only if the generation is the same after the render as before it, so a page read from the database
while a write was being committed is never stored with the versions of after that write; and each process
trusts the tag versions it remembers only while the generation is the one it read them under
(app/page_cache/pages.py), so the change after the tags sends it back for the new versions.

Read counts reach entries through the feed too (app/reads.py): a flushed batch of reads retires the pages of
those entries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from flask import current_app, has_app_context

from app.changes import INSERT, Change, subscribe
from app.extensions import cache
from app.page_cache import tags as t

GENERATION_KEY = "page-generation"
VERSION_PREFIX = "page-version:"
EXTENSION_KEY = "sala.page_cache"  # pages are cached and served
TRACKING_KEY = "sala.page_cache.tracking"  # changes bump tags: pages or derived values (derived.py) rely on them


def enabled() -> bool:
    """Whether pages are cached (PAGE_CACHE on and a real cache backend)."""
    return has_app_context() and bool(current_app.extensions.get(EXTENSION_KEY))


def tracking() -> bool:
    """Whether committed changes bump tags: whenever the cache backend is real, even with PAGE_CACHE off."""
    return has_app_context() and bool(current_app.extensions.get(TRACKING_KEY))


def version_key(tag: str) -> str:
    return VERSION_PREFIX + tag


def new_token() -> str:
    return os.urandom(8).hex()


def bump(tags: Iterable[str]) -> None:
    """Give the tags new versions; the generation changes before and after them (the module docstring says why)."""
    tags = set(tags)
    if not tags:
        return
    cache.set(GENERATION_KEY, new_token(), timeout=0)
    cache.set_many({version_key(tag): new_token() for tag in tags}, timeout=0)
    cache.set(GENERATION_KEY, new_token(), timeout=0)


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


def tags_of(changes: Iterable[Change]) -> set[str]:
    """The row of each updated or deleted row, and every list a row moved into or out of."""
    tags: set[str] = set()
    for change in changes:
        tags |= change.lists
        if change.kind != INSERT:
            tags.add(change.row)
    return tags


def retire_committed(changes: list[Change]) -> None:
    """Retire what a committed transaction changed."""
    _bump_after_the_fact(tags_of(changes))


def register_listeners() -> None:
    """Consume the change feed, after search sync: consumers run in the order they subscribed."""
    from app.search import sync  # noqa: F401 - subscribes on import; it imports this module, hence here

    subscribe("page_cache", after_commit=retire_committed)
