"""The page cache (ARCHITECTURE.md, "The request path"): tags.py (what a render read and declared), store.py (kept
values and their versions; `remember`), pages.py (`cached_page`), parts.py (each member's own parts of a kept page),
invalidation.py (the change feed's consumer). CACHE_TYPE = "NullCache" keeps nothing; PAGE_CACHE = False renders
every page but keeps derived values (totals, rankings).
"""

from __future__ import annotations

from flask import Flask

from app.extensions import cache
from app.page_cache import invalidation, pages, store, tags
from app.page_cache.pages import cached_page
from app.page_cache.store import remember

__all__ = ["cached_page", "init_app", "remember"]

DISABLED_CACHE_TYPES = frozenset({"NullCache", "null", "flask_caching.backends.NullCache"})


def init_app(app: Flask) -> None:
    """Call in `create_app` before the proxy fix, which stays the outermost layer around the guest-page lookup."""
    cache.init_app(app)
    if app.config.get("CACHE_TYPE") in DISABLED_CACHE_TYPES:
        return
    store.init_app(app)
    tags.register_listeners()
    invalidation.register_listeners()
    app.wsgi_app = pages.GuestPages(app)
