"""Serving public pages to anonymous visitors from the cache: `cached_page` wraps a view.

Only a GET or HEAD from a visitor who is not signed in (no login in the session, no remember-me cookie) and
whose session holds nothing a page shows (no flash message, no saved-draft tokens) is looked up or stored;
only a 200 response is stored. Everyone else gets the view as if there were no cache.

The key is the host, path, query string and interface language. What is stored is the body and its content
type only: the response served from it is built fresh, so the security headers, the Vary header and the
visitor's own session cookie are added by the usual after-request hooks, and no cookie is ever replayed.

A form's CSRF token belongs to one visitor's session. When a render put one into the page (the guest comment
form on an entry), the stored copy holds a placeholder instead, and each visitor served from the cache gets
their own token in its place. The placeholder contains "<", which user text can never put into a page
(Jinja escapes it; Markdown output is sanitised), so only the token is ever replaced.

Each response considered for the cache says how it was served in an ``X-Cache: hit`` or ``miss`` header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME
from flask_wtf.csrf import generate_csrf

from app import reads
from app.extensions import cache
from app.i18n import current_locale
from app.page_cache import tags
from app.page_cache.invalidation import GENERATION_KEY, enabled, new_token, version_key

CACHE_STATUS_HEADER = "X-Cache"
PAGE_PREFIX = "page:"
CSRF_PLACEHOLDER = b"<sala-csrf-token>"
# Session keys that never change what a page shows an anonymous visitor (the CSRF secret is swapped per visitor).
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "_permanent", "_fresh", "_id"})


def _cacheable_visitor() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies:
        return False
    if not NEUTRAL_SESSION_KEYS.issuperset(session.keys()):
        return False
    return not current_user.is_authenticated


def page_key() -> str:
    """The page's cache key: host (and script root), path, raw query string and language."""
    parts = (request.host_url, request.path, request.query_string.decode("latin-1"), current_locale())
    return PAGE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _still_current(versions: dict[str, str]) -> bool:
    current = cache.get_many(*(version_key(tag) for tag in versions))
    return list(versions.values()) == current


def _from_cache(key: str) -> Response | None:
    """The stored page, rebuilt for this visitor, when every tag it depends on still has its stored version."""
    stored = cache.get(key)
    if not stored or not _still_current(stored["versions"]):
        return None
    body = stored["body"]
    if stored["has_csrf"]:
        body = body.replace(CSRF_PLACEHOLDER, generate_csrf().encode())
    if stored["read_entry_id"] is not None:
        reads.count_read(stored["read_entry_id"])
    response = current_app.response_class(body, content_type=stored["content_type"])
    response.headers[CACHE_STATUS_HEADER] = "hit"
    return response


def _versions_of(dependencies: set[str]) -> dict[str, str] | None:
    """The current version of each tag, giving a first version to tags that have none yet."""
    keys = [version_key(tag) for tag in sorted(dependencies)]
    values = cache.get_many(*keys)
    if None in values:
        for version, value in zip(keys, values, strict=True):
            if value is None:
                cache.add(version, new_token(), timeout=0)  # only if still absent: a concurrent bump wins
        values = cache.get_many(*keys)
    if None in values:
        return None
    return dict(zip(sorted(dependencies), values, strict=True))


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and NEUTRAL_SESSION_KEYS.issuperset(session.keys())  # the render did not flash a message
    )


def _store(key: str, response: Response, generation: str | None) -> None:
    """Keep the rendered page, unless a write was committed during the render (it may be out of date)."""
    versions = _versions_of(tags.collected())
    if versions is None or cache.get(GENERATION_KEY) != generation:
        return
    body = response.get_data()
    token = g.get(_csrf_field())
    if token:
        body = body.replace(token.encode(), CSRF_PLACEHOLDER)
    stored = {
        "body": body,
        "content_type": response.content_type,
        "versions": versions,
        "has_csrf": bool(token),
        "read_entry_id": reads.entry_read_by_this_request(),
    }
    cache.set(key, stored, timeout=current_app.config["PAGE_CACHE_TIMEOUT"])


def _render(key: str, view: Callable, args: tuple, kwargs: dict, generation: str | None) -> Response:
    tags.start_collecting()
    response = make_response(view(*args, **kwargs))
    if not _storable(response):
        return response
    response.headers[CACHE_STATUS_HEADER] = "miss"
    try:
        _store(key, response, generation)
    except Exception:  # noqa: BLE001 - the page is rendered; failing to keep it must not fail the request
        current_app.logger.exception("could not store a page in the cache")
    return response


def cached_page(view: Callable) -> Callable:
    """Serve the view's page from the cache to anonymous visitors, and store it for the next one."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not enabled() or not _cacheable_visitor():
            return view(*args, **kwargs)
        key = page_key()
        try:
            response = _from_cache(key)
            generation = cache.get(GENERATION_KEY) if response is None else None
        except Exception:  # noqa: BLE001 - a cache outage must not take the site down: render as if uncached
            current_app.logger.exception("page cache unavailable")
            return view(*args, **kwargs)
        if response is None:
            response = _render(key, view, args, kwargs, generation)
        response.vary.add("Cookie")
        return response

    return wrapper
