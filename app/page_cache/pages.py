"""Serving public pages to anonymous visitors from the cache: `cached_page` marks a view, `serve_from_cache` serves.

Only a GET or HEAD from a visitor who is not signed in (no login in the session, no remember-me cookie) and
whose session holds nothing a page shows (no flash message, no saved-draft tokens) is looked up or stored;
only a 200 response is stored. Everyone else gets the view as if there were no cache.

A hit is answered by `serve_from_cache`, the application's first before-request function, so a page served
from the cache costs no rate-limit bookkeeping, form parsing or view code (no cached page is rate-limited, and
its query string passed the input guard when the page was rendered). A miss goes on to the view, and the
`cached_page` wrapper stores what it renders.

The key is the host, path, query string and interface language. What is stored is the body and its content
type only: the response served from it is built fresh, so the security headers, the Vary header and the
visitor's own session cookie are added by the usual after-request hooks, and no cookie is ever replayed.

A form's CSRF token belongs to one visitor's session. A page that will be stored is rendered with a placeholder
wherever a form asks for a token (the guest comment form on an entry), and each visitor served from the cache
gets their own token in those places only (app/page_cache/csrf_slots.py).

Checking a page's dependency versions (often fifty tags) in the shared cache on every hit would cost more
than serving the page. Each process keeps a `ProcessMemo` instead: the versions it has read and the pages it
has served, good for as long as the site-wide generation is unchanged. Every bump changes the generation
after the tags (app/page_cache/invalidation.py), so a hit costs one read of the generation while nothing is
written, and any write sends every process back to the shared cache for the versions it needs.

Each response considered for the cache says how it was served in an ``X-Cache: hit`` or ``miss`` header.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_login.config import COOKIE_NAME
from flask_wtf.csrf import generate_csrf
from werkzeug.sansio.request import Request

from app import reads
from app.extensions import cache
from app.i18n import select_locale
from app.page_cache import tags
from app.page_cache.csrf_slots import CSRF_PLACEHOLDER, fill, placeholder_tokens
from app.page_cache.invalidation import GENERATION_KEY, enabled, new_token, version_key

CACHE_STATUS_HEADER = "X-Cache"
# Changed when what a stored page holds changes, so that copies stored in the earlier form are never served.
PAGE_PREFIX = "page:v2:"
# Session keys that never change what a page shows an anonymous visitor (the CSRF secret is swapped per visitor).
NEUTRAL_SESSION_KEYS = frozenset({"csrf_token", "_permanent", "_fresh", "_id"})
MEMO_KEY = "sala.page_cache.memo"
# Set on a view function by `cached_page`; `serve_from_cache` only looks up pages of views that carry it.
CACHED_VIEW_ATTRIBUTE = "serves_cached_page"
# On `g` after a miss: the page's key and the generation read before the render (see `keep`).
_PENDING = "page_cache_pending"
# In the WSGI environ after the cookieless path found no current page: (key, generation), so it is not looked up again.
COOKIELESS_MISS = "sala.page_cache.miss"


class ProcessMemo:
    """This process's copies of tag versions and of recently served pages, valid for one generation.

    Versions are dropped whenever the generation changes. Pages are kept (at most `max_pages`, least recently
    served first out) because a page is only served while its own stored versions equal the current ones; a
    page found current is marked with the generation, so it is not checked again until the next write.
    """

    def __init__(self, max_pages: int) -> None:
        self.lock = threading.Lock()
        self.max_pages = max_pages
        self.generation: str | None = None
        self.versions: dict[str, str] = {}
        self.pages: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.checked: dict[str, str] = {}  # page key -> the generation under which it was last found current

    def versions_for(self, generation: str) -> dict[str, str]:
        """The versions known for `generation`, forgetting those of an earlier one."""
        with self.lock:
            if generation != self.generation:
                self.generation, self.versions = generation, {}
            return self.versions

    def page(self, key: str) -> tuple[dict[str, Any] | None, bool]:
        """The kept page (or None), and whether it was found current under the present generation."""
        with self.lock:
            stored = self.pages.get(key)
            if stored is None:
                return None, False
            self.pages.move_to_end(key)
            return stored, self.checked.get(key) == self.generation

    def keep(self, key: str, stored: dict[str, Any], generation: str) -> None:
        if self.max_pages <= 0:
            return
        with self.lock:
            self.pages[key] = stored
            self.pages.move_to_end(key)
            self.checked[key] = generation
            while len(self.pages) > self.max_pages:
                oldest, _ = self.pages.popitem(last=False)
                self.checked.pop(oldest, None)

    def forget(self, key: str) -> None:
        with self.lock:
            self.pages.pop(key, None)
            self.checked.pop(key, None)


def memo() -> ProcessMemo:
    return current_app.extensions[MEMO_KEY]


def _cacheable_visitor() -> bool:
    """Anonymous with a neutral session; Flask-Login signs in only through `_user_id` or the remember cookie."""
    if request.method not in ("GET", "HEAD"):
        return False
    if current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) in request.cookies:
        return False
    return NEUTRAL_SESSION_KEYS.issuperset(session.keys())


def key_for(incoming: Request, locale: str) -> str:
    """A page's cache key: host (and script root), path, raw query string and language."""
    host = f"{incoming.scheme}://{incoming.host}{incoming.root_path}"
    parts = (host, incoming.path, incoming.query_string.decode("latin-1"), locale)
    return PAGE_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def page_key() -> str:
    """The current request's page key."""
    return key_for(request, select_locale())


def current_generation() -> str | None:
    """The site-wide generation, giving it a first value if the cache has none."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, new_token(), timeout=0)
        generation = cache.get(GENERATION_KEY)
    return generation


def _is_current(stored: dict[str, Any], known: dict[str, str]) -> bool:
    """Whether every tag of the stored page still has the version it was rendered with."""
    if stored["expires"] <= time.time():
        return False
    versions = stored["versions"]
    missing = [tag for tag in versions if tag not in known]
    if missing:
        for tag, value in zip(missing, cache.get_many(*(version_key(tag) for tag in missing)), strict=True):
            if value is not None:
                known[tag] = value
    return all(known.get(tag) == version for tag, version in versions.items())


def current_stored(key: str, generation: str) -> dict[str, Any] | None:
    """What is stored under `key` (a page, or a derived value) if it is still current: from this process's memo,
    else from the shared cache.
    """
    process = memo()
    known = process.versions_for(generation)
    stored, checked = process.page(key)
    if stored is not None:
        if checked and stored["expires"] > time.time():
            return stored
        if _is_current(stored, known):
            process.keep(key, stored, generation)
            return stored
        process.forget(key)
    stored = cache.get(key)
    if not stored or not _is_current(stored, known):
        return None
    process.keep(key, stored, generation)
    return stored


def _response_from(stored: dict[str, Any]) -> Response:
    """The stored page, rebuilt for this visitor: their own CSRF token, and their read counted."""
    body = stored["body"]
    if stored["has_csrf"]:
        body = fill(body, generate_csrf())
    if stored["read_entry_id"] is not None:
        reads.count_read(stored["read_entry_id"], anonymous=True)
    response = current_app.response_class(body, content_type=stored["content_type"])
    response.headers[CACHE_STATUS_HEADER] = "hit"
    response.headers["Vary"] = "Cookie"
    return response


def serve_from_cache() -> Response | None:
    """Before every request: answer from the cache when the page is stored and current, else leave a note."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, CACHED_VIEW_ATTRIBUTE, False) or not enabled() or not _cacheable_visitor():
        return None
    missed = request.environ.get(COOKIELESS_MISS)
    if missed is not None:  # the cookieless path looked it up already: render and store
        setattr(g, _PENDING, missed)
        return None
    key = page_key()
    try:
        generation = current_generation()
        stored = current_stored(key, generation) if generation is not None else None
    except Exception:  # noqa: BLE001 - a cache outage must not take the site down: render as if uncached
        current_app.logger.exception("page cache unavailable")
        return None
    if stored is not None:
        return _response_from(stored)
    if generation is not None:
        setattr(g, _PENDING, (key, generation))
    return None


def versions_of(dependencies: set[str]) -> dict[str, str] | None:
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


def keep(key: str, fields: dict[str, Any], depends: set[str], generation: str, timeout: int) -> None:
    """Store `fields` (a page, or a derived value) with the versions of `depends`, in the cache and this process's
    memo, unless a write was committed since `generation` was read (what was computed may be out of date).
    """
    versions = versions_of(depends)
    if versions is None or cache.get(GENERATION_KEY) != generation:
        return
    stored = {**fields, "versions": versions, "expires": time.time() + timeout}
    cache.set(key, stored, timeout=timeout)
    memo().keep(key, stored, generation)


def stored_fields(response: Response) -> dict[str, Any]:
    """What is kept of a page rendered within `placeholder_tokens`: its body (the placeholder where a form asked
    for a CSRF token), its content type, and the entry whose read it counted (counted again for each reader)."""
    body = response.get_data()
    return {
        "body": body,
        "content_type": response.content_type,
        "has_csrf": CSRF_PLACEHOLDER in body,
        "read_entry_id": reads.entry_read_by_this_request(),
    }


def with_own_token(response: Response) -> Response:
    """The response rendered to be stored, with the reader's own CSRF token where the placeholder is."""
    if not response.is_streamed:
        body = response.get_data()
        if CSRF_PLACEHOLDER in body:
            response.set_data(fill(body, generate_csrf()))
    return response


def _store(key: str, response: Response, generation: str) -> None:
    keep(key, stored_fields(response), tags.collected(), generation, current_app.config["PAGE_CACHE_TIMEOUT"])


def _keep_page(pending: tuple[str, str], response: Response) -> Response:
    """After a miss: store the page the view gave, if it may be stored, and finish it for this reader."""
    if not _storable(response):
        return with_own_token(response)
    key, generation = pending
    response.headers.setdefault(CACHE_STATUS_HEADER, "miss")
    response.vary.add("Cookie")
    try:
        _store(key, response, generation)
    except Exception:  # noqa: BLE001 - the page is rendered; failing to keep it must not fail the request
        current_app.logger.exception("could not store a page in the cache")
    return with_own_token(response)


def cached_page(view: Callable | None = None, *, members: Callable[..., str | None] | None = None) -> Callable:
    """Mark the view's page as cacheable: whole for anonymous visitors, and kept for each reader's audience
    (app/page_cache/audiences.py) for guests and, when `members` is given, for signed-in members.

    `members(**view_args)` names the member's audience for the page (a string that is the same for every member
    who would see the same page), or None to render the page for them alone.
    """
    from app.page_cache import audiences

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            pending = g.pop(_PENDING, None)  # set by serve_from_cache after a miss of a storable page
            audience = audiences.audience_for(members, kwargs)
            if pending is None:
                return view(*args, **kwargs) if audience is None else audiences.respond(view, args, kwargs, audience)
            tags.start_collecting()
            with placeholder_tokens():
                if audience is None:
                    response = make_response(view(*args, **kwargs))
                else:
                    response = audiences.respond(view, args, kwargs, audience)
            return _keep_page(pending, response)

        setattr(wrapper, CACHED_VIEW_ATTRIBUTE, True)
        return wrapper

    return decorate if view is None else decorate(view)


def init_app(app: Flask) -> None:
    """Give the app its process memo and put the cache lookup before every other before-request function."""
    from app.page_cache.audiences import page_slots, viewer_name
    from app.page_cache.cookieless import CookielessHits

    app.extensions[MEMO_KEY] = ProcessMemo(app.config.get("PAGE_CACHE_MEMO_PAGES", 256))
    app.jinja_env.globals.update(page_slots=page_slots, viewer_name=viewer_name)
    app.before_request_funcs.setdefault(None, []).insert(0, serve_from_cache)
    app.wsgi_app = CookielessHits(app, app.wsgi_app)
