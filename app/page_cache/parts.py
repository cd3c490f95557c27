"""A reader's own parts of a page kept for many members: the one way a kept page holds anything per reader.

While a page is rendered to be kept for members (`keeping()`), `part(name)` prints a marker instead of the
part; each reader served the page gets every marker replaced by their own part (`fill`). Outside such a
render `part(name)` prints the part itself. The parts:

- ``nav``: the site navigation (their name, admin link, sign-out form), rendered once per state and kept;
- ``viewer_name``: their display name (the comment form's "commenting as");
- ``csrf``: their CSRF token (Flask-WTF's `generate_csrf`): templates ask for it through ``csrf_token()`` and
  the ``hidden(form)`` macro, which print this part.

Markers start with "<", which user content can never bring into a page: Jinja escapes what templates print,
and entry and comment bodies were sanitised by bleach when saved (app/text/markdown.py). A page kept for
guests is shared by everyone, proxies included, so it may hold no part that differs between guests: asking
for a CSRF token while rendering one is an error (guests comment from a page of their own).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from flask import current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.i18n import current_locale
from app.permissions import can

_NAV_KEY = "sala.page_cache.nav"
_KEEPING = "page_cache_keeping"  # on g while a page is rendered to be kept: "guests" or "members"
_MARKER = re.compile(rb"<sala-part (\w+)>")


class GuestTokenError(RuntimeError):
    """A page kept for guests asked for a CSRF token, which would then be shared by every guest."""


class NavState(NamedTuple):
    locale: str
    script_root: str
    endpoint: str
    username: str | None  # None for a guest
    display_name: str | None
    open_reports: int | None  # administrators only


@contextmanager
def keeping(audience: str | None) -> Iterator[None]:
    """Render for `audience` ("guests", "members"), or for this reader alone (None), within the block."""
    outer = g.get(_KEEPING)
    setattr(g, _KEEPING, audience)
    try:
        yield
    finally:
        setattr(g, _KEEPING, outer)


def _nav_state() -> NavState:
    base = (current_locale(), request.script_root, request.endpoint or "")
    if not current_user.is_authenticated:
        return NavState(*base, None, None, None)
    open_reports = None
    if can(current_user, "administer"):
        from app.reports.services import open_report_count

        open_reports = open_report_count()
    return NavState(*base, current_user.username, current_user.display_name, open_reports)


def _nav_html(state: NavState) -> str:
    """The navigation of one state, with the marker of the sign-out form's token (filled per reader)."""
    with keeping("members"):
        return render_template("_site_nav.html", nav=state)


def _render(name: str) -> str:
    if name == "csrf":
        return generate_csrf()
    if name == "viewer_name":
        return str(escape(current_user.display_name))
    return fill(current_app.extensions[_NAV_KEY](_nav_state()).encode()).decode()


def part(name: str) -> Markup:
    keeping_for = g.get(_KEEPING)
    if keeping_for == "members":
        return Markup(f"<sala-part {name}>")
    if keeping_for == "guests" and name == "csrf":
        raise GuestTokenError(f"{request.endpoint}: a page kept for guests may hold no CSRF token")
    return Markup(_render(name))


def fill(body: bytes) -> bytes:
    """A page kept for members, with this reader's own parts."""
    return _MARKER.sub(lambda found: _render(found[1].decode()).encode(), body)


def init_app(app) -> None:
    """After Flask-WTF, which offers `csrf_token` both as a template global and from a context processor."""
    app.extensions[_NAV_KEY] = functools.lru_cache(maxsize=512)(_nav_html)
    helpers = {
        "csrf_token": lambda: part("csrf"),
        "site_nav": lambda: part("nav"),
        "viewer_name": lambda: part("viewer_name"),
    }
    app.jinja_env.globals.update(helpers)
    app.context_processor(lambda: helpers)
