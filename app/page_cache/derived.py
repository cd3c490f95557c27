"""Values derived from many rows (list totals, rankings), computed once and kept until what they count changes.

A list page's total, the most used tags and the most active stations each read every published entry: tens of
milliseconds at 10,000 entries, on every page a signed-in member opens and on every page the page cache
renders. `remember` keeps such a value in the cache with the versions of the tags it depends on, exactly as a
cached page is kept (app/page_cache/pages.py), so it is recomputed only after a commit bumps one of them: the
same invalidation, and the same per-process memo of versions, as pages.

Values are kept whenever the cache backend is real, with the page cache on or off (PAGE_CACHE=0 renders every
page but still keeps these). Every value also depends on the site-wide tag, which a suspension bumps, because
what an entry list counts leaves out suspended members' entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import current_app

from app.page_cache import pages, tags
from app.page_cache.invalidation import tracking

DERIVED_PREFIX = "derived:"
T = TypeVar("T")


def remember(name: str, depends: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()`, or the value it gave before if none of the `depends` tags has changed since.

    `name` must say everything the value depends on besides the tags (for example the tag or station id);
    the value must be picklable (plain numbers, strings, tuples and lists, not ORM objects).
    """
    if not tracking():
        return compute()
    key = DERIVED_PREFIX + name
    try:
        generation = pages.current_generation()
        stored = pages.current_stored(key, generation) if generation is not None else None
    except Exception:  # noqa: BLE001 - a cache outage must not fail the page: compute as if nothing were kept
        current_app.logger.exception("derived value cache unavailable")
        return compute()
    if stored is not None:
        return stored["value"]
    value = compute()
    if generation is not None:
        timeout = current_app.config["DERIVED_CACHE_TIMEOUT"]
        try:
            pages.keep(key, {"value": value}, {tags.SITE, *depends}, generation, timeout)
        except Exception:  # noqa: BLE001 - the value is computed; failing to keep it must not fail the request
            current_app.logger.exception("could not keep a derived value")
    return value
