"""The page cache's consumer of the change feed (app/changes): after each commit it bumps the tags the
transaction's changes affect — the row of each updated or deleted row and every list a row moved into or out
of — retiring every kept page and value that read them. A rolled-back transaction bumps nothing; so do
changes to rows no kept page could have read yet (inserts)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app

from app.changes import INSERT, Change, subscribe
from app.page_cache import store
from app.page_cache import tags as t


def _bump_after_the_fact(tags: set[str]) -> None:
    """Bump after a change that is already made (committed, or in the index): a cache outage is only logged."""
    if not tags or not store.tracking():
        return
    try:
        store.bump(tags)
    except Exception:  # noqa: BLE001 - the change stands; a cache outage must not turn it into an error
        current_app.logger.exception("could not retire kept pages; they expire within PAGE_CACHE_TIMEOUT")


def index_changed() -> None:
    """The search index took changes (app/search/sync.py, a rebuild): retire the search pages that show it."""
    _bump_after_the_fact({t.SEARCH_INDEX})


def tags_of(changes: Iterable[Change]) -> set[str]:
    tags: set[str] = set()
    for change in changes:
        tags |= change.lists
        if change.kind != INSERT:
            tags.add(change.row)
    return tags


def retire_committed(changes: list[Change]) -> None:
    _bump_after_the_fact(tags_of(changes))


def register_listeners() -> None:
    """Consume the change feed, after search sync: consumers run in the order they subscribed."""
    from app.search import sync  # noqa: F401 - subscribes on import; it imports this module, hence here

    subscribe("page_cache", after_commit=retire_committed)
