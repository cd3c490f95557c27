"""Page cache: public pages rendered once for anonymous readers and served again until what they show changes.

Flask-Caching holds the pages and the version of each dependency tag: files in CACHE_DIR by default, shared by
the worker processes of one machine, Redis when CACHE_REDIS_URL is set (required when several machines serve the
site). A cache inside each process (SimpleCache) suits one worker only: a write in one would not retire the
pages another keeps. CACHE_TYPE = "NullCache" turns page caching off.

- tags.py: what a page depends on (rows it loaded, lists it declares);
- invalidation.py: which tags a committed change bumps;
- derived.py: `remember`, values computed from many rows (counts, rankings) kept under the same tags;
- pages.py: `serve_from_cache` and the `cached_page` view decorator — who is served from the cache, the key,
  CSRF tokens, read counts, and each process's memo of versions and pages.
- csrf_slots.py: the placeholder a page rendered to be kept holds where a form asks for a CSRF token, filled
  with each reader's own token.
"""

from __future__ import annotations

from flask import Flask

from app.extensions import cache
from app.page_cache import invalidation, pages, tags

DISABLED_CACHE_TYPES = frozenset({"NullCache", "null", "flask_caching.backends.NullCache"})


def init_app(app: Flask) -> None:
    cache.init_app(app)
    app.extensions[invalidation.TRACKING_KEY] = app.config.get("CACHE_TYPE") not in DISABLED_CACHE_TYPES
    app.extensions[invalidation.EXTENSION_KEY] = (
        app.config.get("PAGE_CACHE", True) and app.extensions[invalidation.TRACKING_KEY]
    )
    tags.register_listeners()
    invalidation.register_listeners()
    pages.init_app(app)
