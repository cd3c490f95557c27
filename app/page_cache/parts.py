"""A reader's own parts of a page kept for many members: the one way a kept page holds anything per reader.

While a page is rendered to be kept for members (`keeping()`), `part(name)` prints a marker instead of the
part; each reader served the page gets every marker replaced by their own part (`fill`). Outside such a
render `part(name)` prints the part itself. The parts:

- ``nav``: the site navigation (their name, admin link, sign-out form), rendered once per state and kept;
- ``viewer_name``: their display name (the comment form's "commenting as");
- ``csrf``: their CSRF token (Flask-WTF's `generate_csrf`): templates ask for it through ``csrf_token()`` and
  the ``hidden(form)`` macro, which print this part.

A page may also show one member something of their own (the delete button on their comment, the remove button
on their blog's link): the template wraps that spot in ``{% call own_part(owner_id, name, *keys) %}…{% endcall %}``.
A kept page holds it as every other member of the audience sees it, between markers naming the owner; the owner
gets it rendered afresh by the renderer registered as `name` (`renders_own`), everyone else gets what the markers
hold. A render that meets its own reader's part is served but not kept (`owned`): what it holds there is theirs.

Markers start with "<", which user content can never bring into a page: Jinja escapes what templates print,
and entry and comment bodies were sanitised by bleach when saved (app/text/markdown.py). A page kept for
guests is shared by everyone, proxies included, so it may hold no part that differs between guests: asking
for a CSRF token while rendering one is an error (guests comment from a page of their own).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
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
_OWN_MARKER = re.compile(rb"<sala-own (\d+) (\w+) ([\d-]+)>(.*?)</sala-own>", re.DOTALL)
_OWNED = "page_cache_owned"  # on g: the render met a part of its own reader's
_OWN_RENDERERS: dict[str, Callable[..., str]] = {}


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


def renders_own(name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register `render(*keys)`: the part `name` of the thing `keys` name as its owner, the current reader, sees it."""

    def register(render: Callable[..., str]) -> Callable[..., str]:
        _OWN_RENDERERS[name] = render
        return render

    return register


def own_part(owner_id: int | None, name: str, *keys: int, caller: Callable[[], str]) -> Markup:
    """The call block's content, as every reader but `owner_id` sees it; marked for the owner in a kept page."""
    inner = Markup(caller())
    if owner_id is None or g.get(_KEEPING) != "members":
        return inner
    if current_user.is_authenticated and current_user.id == owner_id:
        setattr(g, _OWNED, True)
    key = "-".join(str(int(key)) for key in keys)
    return Markup(f"<sala-own {int(owner_id)} {name} {key}>") + inner + Markup("</sala-own>")


def owned() -> bool:
    """Whether the page just rendered met a part of its own reader's (and so must not be kept)."""
    return bool(g.pop(_OWNED, False))


def _own(found: re.Match) -> bytes:
    if current_user.is_authenticated and current_user.id == int(found[1]):
        return _OWN_RENDERERS[found[2].decode()](*map(int, found[3].split(b"-"))).encode()
    return found[4]


def fill(body: bytes) -> bytes:
    """A page kept for members, with this reader's own parts."""
    if b"<sala-own " in body:
        body = _OWN_MARKER.sub(_own, body)
    return _MARKER.sub(lambda found: _render(found[1].decode()).encode(), body)


def init_app(app) -> None:
    """After Flask-WTF, which offers `csrf_token` both as a template global and from a context processor."""
    app.extensions[_NAV_KEY] = functools.lru_cache(maxsize=512)(_nav_html)
    helpers = {
        "csrf_token": lambda: part("csrf"),
        "site_nav": lambda: part("nav"),
        "viewer_name": lambda: part("viewer_name"),
        "own_part": own_part,
    }
    app.jinja_env.globals.update(helpers)
    app.context_processor(lambda: helpers)
