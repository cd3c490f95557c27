"""Pages kept for an audience: rendered once for everyone who would see the same page, finished for each reader.

The page cache (pages.py) serves whole pages to anonymous readers only. A signed-in member, and an anonymous
reader whose page is not stored (or every reader with PAGE_CACHE=0), get the page from the view, which on a
page with thirty comments costs many times the layout it sits in. Yet most of such a page is the same for a
whole class of readers: every member who neither wrote nor moderates an entry sees the same comments and the
same buttons. A view names that class, its *audience*, with the function it gives `cached_page(members=...)`;
guests are one audience. The page rendered for an audience is kept under the same dependency tags as a cached
page (so the same commits retire it) and each later reader of that audience gets it with their own parts put in:

- the site navigation (their name, their admin link, their sign-out form): a slot, filled by
  `app.site_nav.site_nav()`;
- ``viewer_name()`` (the comment form's "commenting as"), a slot filled with the reader's display name;
- CSRF tokens: the page is rendered with a placeholder wherever a form asks for one, filled with the reader's
  own token (as on cached pages, app/page_cache/csrf_slots.py).

The slots and the placeholder are put in by the render itself and contain "<", which user text can never put into
a page (Jinja escapes it; Markdown and comment output are sanitised), so only they are ever replaced.

An audience must capture everything about the reader that the view's output depends on; it is computed by the
area's rules (app/permissions.py), so what the page shows and the key it is kept under follow the same rules.
Only GET and HEAD requests whose session holds nothing else a page shows (no flash message, no saved-draft
tokens) are served this way, and only 200 responses are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app import reads
from app.i18n import current_locale
from app.page_cache import pages, tags
from app.page_cache.csrf_slots import fill, placeholder_tokens
from app.page_cache.invalidation import tracking
from app.site_nav import site_nav

# Changed with pages.PAGE_PREFIX, so that pages kept in an earlier form are never served.
AUDIENCE_PREFIX = "audience:v2:"
AUDIENCE_OF_PREFIX = "audience-of:"
GUESTS = "guests"
SITE_NAV_SLOT = b"<sala-slot-site-nav>"
VIEWER_NAME_SLOT = b"<sala-slot-viewer-name>"
ASSEMBLED = "assembled"  # X-Cache of a page kept for the reader's audience and finished for them
# Session keys of a signed-in member that change nothing a page shows besides the navigation.
MEMBER_SESSION_KEYS = pages.NEUTRAL_SESSION_KEYS | {"_user_id", "_remember", "_remember_seconds"}
_RENDERING = "audience_page_rendering"
_GENERATION = "audience_page_generation"

AudienceOf = Callable[..., "str | None"]


def enabled() -> bool:
    return tracking() and bool(current_app.config.get("AUDIENCE_PAGES", True))


def page_slots() -> bool:
    """Whether the page being rendered is kept for an audience (the layout then leaves the reader's parts out)."""
    return bool(g.get(_RENDERING))


def viewer_name() -> str:
    """The signed-in reader's display name, or its slot in a page kept for an audience."""
    if page_slots():
        return Markup(VIEWER_NAME_SLOT.decode())
    return current_user.display_name


def audience_for(members: AudienceOf | None, view_args: dict[str, Any]) -> str | None:
    """The current reader's audience for this page, or None when the page must be rendered for them alone."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    if not MEMBER_SESSION_KEYS.issuperset(session.keys()):
        return None
    if not current_user.is_authenticated:
        return None if "_user_id" in session else GUESTS
    if members is None:
        return None
    audience = members(**view_args)
    return None if audience is None else f"member:{audience}"


def remembered(members: AudienceOf) -> AudienceOf:
    """Keep each member's audience for a page until something it read changes, like a kept page.

    For a `members` function that reads the database (the entry page's reads the entry, its blog and author,
    and whether the member commented): what it loads, and the lists it declares with `tags.shows`, are its
    dependencies, and a hit costs no query.
    """

    @wraps(members)
    def audience(**view_args: Any) -> str | None:
        args = "&".join(f"{name}={value}" for name, value in sorted(view_args.items()))
        key = f"{AUDIENCE_OF_PREFIX}{request.endpoint}?{args}#{current_user.id}"
        try:
            generation = _generation()
            stored = pages.current_stored(key, generation) if generation is not None else None
        except Exception:  # noqa: BLE001 - a cache outage must not fail the page: work the audience out
            current_app.logger.exception("page cache unavailable")
            return members(**view_args)
        if stored is not None:
            return stored["audience"]
        with tags.collecting_apart() as read:
            found = members(**view_args)
        if generation is not None:
            timeout = current_app.config["PAGE_CACHE_TIMEOUT"]
            try:
                pages.keep(key, {"audience": found}, read, generation, timeout)
            except Exception:  # noqa: BLE001 - worked out; failing to keep it must not fail the request
                current_app.logger.exception("could not keep a member's audience")
        return found

    return audience


def _generation() -> str | None:
    """The site-wide generation, read once per request (an audience and its page are checked against it)."""
    if _GENERATION not in g:
        setattr(g, _GENERATION, pages.current_generation())
    return g.get(_GENERATION)


def _key(audience: str) -> str:
    page = pages.key_for(request, current_locale())  # the language the page is rendered in, found once per request
    return AUDIENCE_PREFIX + hashlib.sha256(f"{page}\n{audience}".encode()).hexdigest()


def respond(view: Callable, args: tuple, kwargs: dict, audience: str) -> Response:
    """The page for the reader: kept for their audience and finished for them, or rendered and then kept."""
    key = _key(audience)
    try:
        generation = _generation()
        stored = pages.current_stored(key, generation) if generation is not None else None
    except Exception:  # noqa: BLE001 - a cache outage must not fail the page: render it for this reader
        current_app.logger.exception("page cache unavailable")
        generation = stored = None
    if stored is not None:
        tags.shows(*stored["versions"])
        if stored["read_entry_id"] is not None:
            reads.count_read(stored["read_entry_id"])
        response = current_app.response_class(_finish(stored["body"], stored["has_csrf"]))
        response.content_type = stored["content_type"]
        response.headers[pages.CACHE_STATUS_HEADER] = ASSEMBLED
        response.vary.add("Cookie")
        return response
    return _render(key, view, args, kwargs, generation)


def _render(key: str, view: Callable, args: tuple, kwargs: dict, generation: str | None) -> Response:
    tags.start_collecting()
    g.setdefault(_RENDERING, True)
    try:
        with placeholder_tokens():
            response = make_response(view(*args, **kwargs))
    finally:
        g.pop(_RENDERING, None)
    if response.is_streamed:
        return response
    fields = pages.stored_fields(response)
    if generation is not None and _storable(response):
        try:
            pages.keep(key, fields, tags.collected(), generation, current_app.config["PAGE_CACHE_TIMEOUT"])
        except Exception:  # noqa: BLE001 - the page is rendered; failing to keep it must not fail the request
            current_app.logger.exception("could not keep a page for its audience")
        response.headers[pages.CACHE_STATUS_HEADER] = "miss"
        response.vary.add("Cookie")
    response.set_data(_finish(fields["body"], fields["has_csrf"]))
    return response


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and MEMBER_SESSION_KEYS.issuperset(session.keys())  # the render did not flash a message
    )


def _finish(body: bytes, has_csrf: bool) -> bytes:
    """Put the reader's own parts into a page kept for their audience (the page, if it is being stored whole,
    keeps the CSRF placeholder: `generate_csrf` gives it)."""
    if has_csrf:
        body = fill(body, generate_csrf())
    if VIEWER_NAME_SLOT in body:
        body = body.replace(VIEWER_NAME_SLOT, str(escape(current_user.display_name)).encode())
    if SITE_NAV_SLOT in body:
        body = body.replace(SITE_NAV_SLOT, site_nav().encode())
    return body
