"""A reader's own parts of a page kept for many members: the one way a kept page holds anything per reader.

While a page is rendered to be kept for members (`keeping()`), `part(name)` prints a marker and `fill` gives each
reader theirs: ``nav`` (rendered once per state and kept), ``viewer_name`` and ``csrf`` (Flask-WTF's
`generate_csrf`, asked for only through ``csrf_token()`` and the ``hidden(form)`` macro).

What a page shows one member as a thing's owner (their comment's buttons) is wrapped in ``{% call
own_part(owner_id, name, *keys) %}``: kept as the rest of the audience sees it, between markers naming the owner,
who gets it from `name`'s renderer (`renders_own`); in a page its owner rendered, every reader gets it afresh.

Markers start with "<", which user content never brings into a page (Jinja escapes, bleach sanitised bodies on
save). Asking for a CSRF token while rendering a page kept for guests is an error.
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
_OWN_MARKER = re.compile(rb"<sala-own (\d+) (\w+) ([\d-]+)( afresh)?>(.*?)</sala-own>", re.DOTALL)
# An own part's renderer: the part of each thing its keys name, as the thing's owner sees it.
OwnRenderer = Callable[[list[tuple[int, ...]]], list[str]]
_OWN_RENDERERS: dict[str, OwnRenderer] = {}
_READERS_KEPT = 64  # the first readers whose own parts a kept page remembers


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


def renders_own(name: str, render: OwnRenderer) -> None:
    """Register `render(keys)`: the part `name` of each thing `keys` name, as its owner (the reader) sees it."""
    _OWN_RENDERERS[name] = render


def own_part(owner_id: int | None, name: str, *keys: int, caller: Callable[[], str]) -> Markup:
    """The call block's content as every reader but `owner_id` sees it, marked for the owner in a kept page. Its
    owner's own render holds none: such a part is rendered afresh for every reader."""
    if owner_id is None or g.get(_KEEPING) != "members":
        return Markup(caller())
    marker = f"<sala-own {int(owner_id)} {name} {'-'.join(str(int(key)) for key in keys)}"
    if current_user.is_authenticated and current_user.id == owner_id:
        return Markup(f"{marker} afresh></sala-own>")
    return Markup(f"{marker}>") + Markup(caller()) + Markup("</sala-own>")


def _own_parts(body: bytes, readers: dict[int, dict[int, bytes]] | None) -> bytes:
    """Each marked part as this reader gets it: their own, and those kept without content, rendered afresh (one
    call of a renderer for all its parts on the page), with markers for their session's parts; the others as
    kept. `readers`, kept with the page, remembers what each of its last readers got."""
    reader = current_user.id if current_user.is_authenticated else 0
    rendered = None if readers is None else readers.get(reader)
    if rendered is None:
        afresh = [found for found in _OWN_MARKER.finditer(body) if found[4] or int(found[1]) == reader]
        rendered = {}
        with keeping("members"):
            for name in {found[2] for found in afresh}:
                mine = [found for found in afresh if found[2] == name]
                parts = _OWN_RENDERERS[name.decode()]([tuple(map(int, found[3].split(b"-"))) for found in mine])
                rendered.update((found.start(), part.encode()) for found, part in zip(mine, parts, strict=True))
        if readers is not None and len(readers) < _READERS_KEPT:
            readers[reader] = rendered
    return _OWN_MARKER.sub(lambda found: rendered.get(found.start(), found[5]), body)


def fill(body: bytes, readers: dict[int, dict[int, bytes]] | None = None) -> bytes:
    """A page kept for members, with this reader's own parts."""
    if b"<sala-own " in body:
        body = _own_parts(body, readers)
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
