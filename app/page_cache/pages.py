"""`cached_page`: a view's page kept for everyone who would see the same page, and served again until what it
showed changes.

Readers fall in *audiences*: guests are one; a view may name audiences of members with `members(**view_args)`
(a string from app/permissions.py, the same for every member shown the same page, or None to render the page
for that member alone). Only GET and HEAD requests with no flash message waiting are served this way.

- A page kept for guests is the page exactly as every guest gets it. To a request that sends no session or
  remember-me cookie it is answered by the first before-request function, with `ETag`, `Last-Modified`, a
  `304` to a matching conditional request, and `Cache-Control: public, s-maxage=PAGE_PROXY_SECONDS` so that a
  proxy (DEPLOY.md's nginx) may keep it for that long.
- A page kept for an audience of members holds markers where each reader's own parts go (app/page_cache/parts.py)
  and is sent `Cache-Control: private, no-store` (app/security.py).

What is kept is the body and content type, the entry whose read the page counts (counted here for every reader,
however the page was served) and, beside it, the versions of what the render read (app/page_cache/store.py).
With PAGE_CACHE_CHECK (the tests) every kept page is rendered again when it would be served, and a difference is
an error: a page kept while something it shows has changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, g, get_flashed_messages, make_response, request
from flask_login import current_user
from werkzeug.http import http_date, quote_etag

from app import reads
from app.i18n import select_locale
from app.page_cache import parts, store, tags
from app.security import sends_login_cookies

CACHE_STATUS_HEADER = "X-Cache"
GUESTS = "guests"
CACHED_VIEW_ATTRIBUTE = "cached_page"


class StalePageError(AssertionError):
    """PAGE_CACHE_CHECK: a kept page differs from the page rendered now."""


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    read: tuple[int, int] | None  # (entry id, author id): the read this page counts


def enabled() -> bool:
    return store.tracking() and bool(current_app.config["PAGE_CACHE"])


def _key(audience: str) -> str:
    query = request.query_string.decode("latin-1")
    return f"page:{audience}:{select_locale()}:{request.script_root}{request.path}?{query}"


def _audience(members: Callable[..., str | None] | None, view_args: dict[str, Any]) -> str | None:
    if request.method not in ("GET", "HEAD") or not enabled() or get_flashed_messages():
        return None
    if not current_user.is_authenticated:
        return GUESTS
    audience = members(**view_args) if members is not None else None
    return None if audience is None else f"members:{audience}"


def _count_read(page_read: tuple[int, int] | None) -> None:
    if page_read is not None and not (current_user.is_authenticated and current_user.id == page_read[1]):
        reads.count_read(page_read[0])


def _guest_headers(kept: store.Kept, key: str) -> list[tuple[str, str]]:
    """A page kept for guests: its validators, worked out once (a hit only copies them)."""
    if kept.headers is None:
        etag = hashlib.sha256(f"{key}\n{sorted(kept.versions.items())}".encode()).hexdigest()[:32]
        kept.headers = [
            ("ETag", quote_etag(etag)),
            ("Last-Modified", http_date(kept.made)),
            ("Vary", "Cookie, Accept-Language"),
        ]
    return kept.headers


def _served(kept: store.Kept, key: str, audience: str, status: str) -> Response:
    page: Page = kept.value
    _count_read(page.read)
    if audience != GUESTS or not kept.versions:  # validators only for a page kept for guests
        response = current_app.response_class(parts.fill(page.body) if audience != GUESTS else page.body)
        response.headers.update({"Content-Type": page.content_type, CACHE_STATUS_HEADER: status, "Vary": "Cookie"})
        return response
    headers = [("Content-Type", page.content_type), (CACHE_STATUS_HEADER, status), *_guest_headers(kept, key)]
    if not sends_login_cookies():
        headers.append(("Cache-Control", f"public, max-age=0, s-maxage={current_app.config['PAGE_PROXY_SECONDS']}"))
    response = current_app.response_class(page.body, headers=headers)
    conditional = "HTTP_IF_NONE_MATCH" in request.environ or "HTTP_IF_MODIFIED_SINCE" in request.environ
    return response.make_conditional(request) if conditional else response


def _current(key: str) -> tuple[str | None, store.Kept | None]:
    try:
        since = store.generation()
        return since, store.current(key, since)
    except Exception:  # noqa: BLE001 - a cache outage must not take the site down: render as if nothing were kept
        current_app.logger.exception("page cache unavailable")
        return None, None


def serve_early() -> Response | None:
    """Before every other before-request function: a guest page, kept and current, for a cookieless request."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, CACHED_VIEW_ATTRIBUTE, False) or request.method not in ("GET", "HEAD"):
        return None
    if not enabled() or current_app.config["PAGE_CACHE_CHECK"] or sends_login_cookies():
        return None
    key = _key(GUESTS)
    _, kept = _current(key)
    return None if kept is None else _served(kept, key, GUESTS, "hit")


def _check(kept: Page, fresh: Page, audience: str) -> None:
    """PAGE_CACHE_CHECK: the kept page is the fresh one (for members, as this reader gets each filled in)."""
    if audience != GUESTS:
        kept, fresh = (Page(parts.fill(page.body), page.content_type, page.read) for page in (kept, fresh))
    if kept != fresh:
        at = next((i for i, (a, b) in enumerate(zip(kept.body, fresh.body, strict=False)) if a != b), 0)
        raise StalePageError(
            f"{request.full_path}: the kept page differs from a fresh render at byte {at}: "
            f"{kept.body[at - 80 : at + 80]!r} != {fresh.body[at - 80 : at + 80]!r}"
        )


def _respond(view: Callable, view_args: dict[str, Any], members: Callable[..., str | None] | None) -> Response:
    audience = _audience(members, view_args)
    if audience is None:
        with parts.keeping(None):
            response = make_response(view(**view_args))
        _count_read(g.pop(reads.SHOWN_ENTRY, None))
        return response
    key = _key(audience)
    since, kept = _current(key)
    if kept is not None and not current_app.config["PAGE_CACHE_CHECK"]:
        return _served(kept, key, audience, "hit")
    tags.start_collecting()
    with parts.keeping(GUESTS if audience == GUESTS else "members"):
        response = make_response(view(**view_args))
    # A session the render changed (Flask-Login's freshness mark, a form's CSRF secret) is the reader's own and
    # never part of the page: what makes a page the reader's alone (a flash shown, a token) never gets this far.
    # A page that shows its reader something of their own (parts.own_part) is served, not kept.
    owned = parts.owned()
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers or owned:
        if audience != GUESTS and not response.is_streamed:
            response.set_data(parts.fill(response.get_data()))
        _count_read(g.pop(reads.SHOWN_ENTRY, None))
        return response
    fresh = Page(response.get_data(), response.content_type, g.pop(reads.SHOWN_ENTRY, None))
    if kept is not None:
        _check(kept.value, fresh, audience)
        return _served(kept, key, audience, "hit")
    timeout = current_app.config["PAGE_CACHE_TIMEOUT"]
    made = store.keep(key, fresh, tags.collected(), since, timeout) if since is not None else None
    if made is None:  # a write was committed meanwhile: serve this render, keep nothing
        made = store.Kept(fresh, {}, 0, 0, "")
    return _served(made, key, audience, "miss")


def cached_page(view: Callable | None = None, *, members: Callable[..., str | None] | None = None) -> Callable:
    """Keep the view's page for guests and, when `members` is given, for audiences of members (see above)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(**view_args: Any) -> Response:
            return _respond(view, view_args, members)

        setattr(wrapper, CACHED_VIEW_ATTRIBUTE, True)
        return wrapper

    return decorate if view is None else decorate(view)
