"""`cached_page`: a view's page kept for everyone who would see the same page, until what it showed changes.

Readers fall in *audiences*: guests are one; `members(**view_args)` names a member's (from app/permissions.py;
None renders the page for them alone). GET and HEAD only, with no flash message waiting. A page kept for guests
is sent with `ETag`, `Last-Modified`, `304`s and, without login cookies, `Cache-Control: public,
s-maxage=PAGE_PROXY_SECONDS` (DEPLOY.md's nginx); without any cookie `GuestPages` sends it, in front of Flask. A
page kept for members holds markers for each reader's own parts (parts.py) and is sent `private, no-store`.
A page's read is counted in `_count_read` however it was served. With PAGE_CACHE_CHECK (the tests) every kept
page is rendered again when served, and a difference is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, get_flashed_messages, make_response, request
from flask_login import current_user
from werkzeug.exceptions import SecurityError
from werkzeug.http import http_date, quote_etag
from werkzeug.wrappers import Request
from werkzeug.wsgi import ClosingIterator

from app import reads
from app.i18n import locale_for, select_locale
from app.page_cache import parts, store, tags
from app.security import security_headers, sends_login_cookies

CACHE_STATUS_HEADER = "X-Cache"
GUESTS = "guests"
CACHED_VIEW_ATTRIBUTE = "cached_page"
T = TypeVar("T")


class StalePageError(AssertionError):
    """PAGE_CACHE_CHECK: a kept page differs from the page rendered now."""


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str
    read: tuple[int, int] | None  # (entry id, author id): the read this page counts


def _key(audience: str, locale: str, incoming: Request) -> str:
    query = incoming.query_string.decode("latin-1")
    return f"page:{audience}:{locale}:{incoming.script_root}{incoming.path}?{query}"


def _audience(members: Callable[..., str | None] | None, view_args: dict[str, Any], since: str | None) -> str | None:
    """The reader's audience; a member's is worked out again once anything has changed (the generation): what an
    audience reads is rows, and the lists a new row joins (app/changes/registry.py), so a commit bumps it."""
    if request.method not in ("GET", "HEAD") or not store.tracking() or not current_app.config["PAGE_CACHE"]:
        return None
    if get_flashed_messages():
        return None
    if not current_user.is_authenticated:
        return GUESTS
    if members is None:
        return None
    memo, key = current_app.extensions[store.AUDIENCES_KEY], f"{current_user.id}:{request.endpoint}:{view_args}"
    found = memo.get(key)
    if found is None or found.checked != since:
        found = store.Kept(members(**view_args), {}, 0, 0, since or "")
        if since is not None:
            memo.put(key, found)
    return None if found.value is None else f"members:{found.value}"


def _count_read(response: Response, page_read: tuple[int, int] | None, guest: bool) -> Response:
    """The one place a page's read is counted, for every reader but its author, however the page was served."""
    if page_read is None or (not guest and current_user.is_authenticated and current_user.id == page_read[1]):
        return response
    if reads.count_read(page_read[0]):
        app = current_app._get_current_object()
        response.call_on_close(lambda: reads.flush_quietly(app))
    return response


def _guest_headers(kept: store.Kept, key: str, status: str, public: bool) -> list[tuple[str, str]]:
    """A page kept for guests: its validators and the headers Flask's hooks would add (worked out once: a hit
    copies them), and `public` when the reader sent no login cookie."""
    if kept.headers is None:
        etag = hashlib.sha256(f"{key}\n{sorted(kept.versions.items())}".encode()).hexdigest()[:32]
        kept.headers = [("Content-Type", kept.value.content_type), ("ETag", quote_etag(etag))]
        kept.headers += [("Last-Modified", http_date(kept.made)), ("Vary", "Cookie, Accept-Language")]
        kept.headers += security_headers(current_app).items()
    headers = [(CACHE_STATUS_HEADER, status), *kept.headers]
    if public:
        headers.append(("Cache-Control", f"public, max-age=0, s-maxage={current_app.config['PAGE_PROXY_SECONDS']}"))
    return headers


def _guest_response(kept: store.Kept, headers: list[tuple[str, str]], incoming: Request) -> Response:
    response = current_app.response_class(kept.value.body, headers=headers)
    conditional = "HTTP_IF_NONE_MATCH" in incoming.environ or "HTTP_IF_MODIFIED_SINCE" in incoming.environ
    return response.make_conditional(incoming) if conditional else response


def _served(kept: store.Kept, key: str, audience: str, status: str) -> Response:
    page: Page = kept.value
    if audience == GUESTS and kept.versions:  # validators only for a page kept for guests
        response = _guest_response(kept, _guest_headers(kept, key, status, not sends_login_cookies()), request)
    else:
        response = current_app.response_class(parts.fill(page.body, kept.readers) if audience != GUESTS else page.body)
        response.headers.update({"Content-Type": page.content_type, CACHE_STATUS_HEADER: status, "Vary": "Cookie"})
    return _count_read(response, page.read, audience == GUESTS)


def _quietly(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception:  # noqa: BLE001 - a cache outage must not take the site down: render as if nothing were kept
        current_app.logger.exception("page cache unavailable")
        return None


class GuestPages:
    """WSGI middleware: a GET or HEAD that sends no cookie, for a page kept for guests, is answered here, before
    Flask makes a request of it: no session, no routing, no request hooks, which would add nothing to such a page
    (the headers they set are kept with it: `_guest_headers`; tests/cache/test_guest_pages.py compares). A Host
    that TRUSTED_HOSTS refuses, and anything not kept, go on to Flask."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app = app, app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not environ.get("HTTP_COOKIE"):
            with self.app.app_context():  # a page cache fault must not fail the request: Flask answers it
                served = _quietly(partial(self._serve, Request(environ), environ, start_response))
            if served is not None:
                return served
        return self.wsgi_app(environ, start_response)

    def _serve(self, incoming: Request, environ: dict, start_response: Callable) -> Any:
        config = self.app.config
        if store.EXTENSION_KEY not in self.app.extensions or not config["PAGE_CACHE"] or config["PAGE_CACHE_CHECK"]:
            return None
        incoming.trusted_hosts = config["TRUSTED_HOSTS"]
        try:
            incoming.host  # noqa: B018 - raises for a host TRUSTED_HOSTS refuses
        except SecurityError:
            return None
        key = _key(GUESTS, locale_for(incoming), incoming)
        since = _quietly(store.generation)
        kept = since and _quietly(partial(store.current, key, since))
        if kept is None:
            return None
        headers, read = _guest_headers(kept, key, "hit", True), kept.value.read
        due = read and reads.count_guest_read(read[0], incoming.remote_addr, incoming.user_agent.string)
        flush = [partial(reads.flush_quietly, self.app)] if due else []
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            return ClosingIterator(_guest_response(kept, headers, incoming)(environ, start_response), flush)
        # The common case without building a Response (whose headers werkzeug would check and copy again).
        start_response("200 OK", [*headers, ("Content-Length", str(len(kept.value.body)))])
        return ClosingIterator([] if incoming.method == "HEAD" else [kept.value.body], flush)


def _check(kept: store.Kept, fresh: Page, audience: str) -> None:
    """PAGE_CACHE_CHECK: the kept page is the fresh one (for members, as this reader gets each filled in)."""
    old, readers = kept.value, kept.readers
    if audience != GUESTS:
        old, fresh = (Page(parts.fill(p.body, r), p.content_type, p.read) for p, r in ((old, readers), (fresh, None)))
    if old != fresh:
        at = next((i for i, (a, b) in enumerate(zip(old.body, fresh.body, strict=False)) if a != b), 0)
        raise StalePageError(
            f"{request.full_path}: the kept page differs from a fresh render at byte {at}: "
            f"{old.body[at - 80 : at + 80]!r} != {fresh.body[at - 80 : at + 80]!r}"
        )


def _respond(view: Callable, view_args: dict[str, Any], members: Callable[..., str | None] | None) -> Response:
    since = _quietly(store.generation) if store.tracking() and current_app.config["PAGE_CACHE"] else None
    audience = _audience(members, view_args, since)
    if audience is None:
        with parts.keeping(None):
            response = make_response(view(**view_args))
        return _count_read(response, g.pop(reads.SHOWN_ENTRY, None), False)
    key = _key(audience, select_locale(), request)
    kept = since and _quietly(partial(store.current, key, since))
    if kept is not None and not current_app.config["PAGE_CACHE_CHECK"]:
        return _served(kept, key, audience, "hit")
    tags.start_collecting()
    with parts.keeping(GUESTS if audience == GUESTS else "members"):
        response = make_response(view(**view_args))
    # A session the render changed (Flask-Login's freshness mark, a form's CSRF secret) is the reader's own and
    # never part of the page: what makes a page the reader's alone (a flash shown, a token) never gets this far.
    if response.status_code != 200 or response.is_streamed or "Set-Cookie" in response.headers:
        if audience != GUESTS and not response.is_streamed:
            response.set_data(parts.fill(response.get_data()))
        return _count_read(response, g.pop(reads.SHOWN_ENTRY, None), audience == GUESTS)
    fresh = Page(response.get_data(), response.content_type, g.pop(reads.SHOWN_ENTRY, None))
    if kept is not None:
        _check(kept, fresh, audience)
        return _served(kept, key, audience, "hit")
    made = since and store.keep(key, fresh, tags.collected(), since, current_app.config["PAGE_CACHE_TIMEOUT"])
    if not made:  # a write was committed meanwhile, or the cache is out: serve this render, keep nothing
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
