"""A reader's own parts of a page kept for many members: the one way a kept page holds anything per reader.

While a page is rendered to be kept for members (`keeping()`), `part(name)` prints a marker and `fill` gives each
reader theirs: ``nav`` (rendered once per state and kept), ``viewer_name`` and ``csrf`` (Flask-WTF's
`generate_csrf`, asked for only through ``csrf_token()`` and the ``hidden(form)`` macro).

What a page shows one member as a thing's owner (their comment's buttons) is wrapped in ``{% call
own_part(owner_id, name, *keys) %}``: kept as the rest of the audience sees it, between markers naming the owner,
who gets it from `name`'s renderer (`renders_own`); in a page its owner rendered, every reader gets it afresh.

Markers start with "<", which user content never brings into a page (Jinja escapes, bleach sanitised bodies on
save). Asking for a CSRF token while rendering a page kept for guests is an error. A kept page is cut at its
markers once (`split`); each reader's copy is then joined from the pieces, with no pattern matched per request.
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
# An own part (owner, name, keys, " afresh", content as kept), or else a reader's part (its name).
_PIECE = re.compile(rb"<sala-own (\d+) (\w+) ([\d-]+)( afresh)?>(.*?)</sala-own>|<sala-part (\w+)>", re.DOTALL)
# An own part's renderer: the part of each thing its keys name, as the thing's owner sees it.
OwnRenderer = Callable[[list[tuple[int, ...]]], list[str]]
_OWN_RENDERERS: dict[str, OwnRenderer] = {}
_READERS_KEPT = 64  # the first readers whose own parts a kept page remembers


class GuestTokenError(RuntimeError):
    """A page kept for guests asked for a CSRF token, which would then be shared by every guest."""


class Own(NamedTuple):
    """An own part of a kept page: as every reader but its owner gets it, unless it is to be rendered afresh."""

    owner: int
    name: str
    keys: bytes  # "12" or "3-40": the keys `own_part` was given
    afresh: bool
    kept: tuple[bytes | str, ...]  # its content, cut at its readers' parts like the page


# A kept page's pieces: text as it is, the name of a reader's part, or an own part.
Piece = bytes | str | Own


class Layout(NamedTuple):
    pieces: tuple[Piece, ...]
    owns: bool  # whether any piece is an own part


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


def _nav_layout(state: NavState) -> Layout:
    """The navigation of one state, with the marker of the sign-out form's token (filled per reader)."""
    with keeping("members"):
        return split(render_template("_site_nav.html", nav=state).encode())


def _render(name: str, values: dict[str, bytes]) -> bytes:
    """The reader's part `name`, worked out once per page (`values`)."""
    found = values.get(name)
    if found is None:
        if name == "csrf":
            found = generate_csrf().encode()
        elif name == "viewer_name":
            found = str(escape(current_user.display_name)).encode()
        else:
            found = _join(current_app.extensions[_NAV_KEY](_nav_state()), None, values)
        values[name] = found
    return found


def part(name: str) -> Markup:
    keeping_for = g.get(_KEEPING)
    if keeping_for == "members":
        return Markup(f"<sala-part {name}>")
    if keeping_for == "guests" and name == "csrf":
        raise GuestTokenError(f"{request.endpoint}: a page kept for guests may hold no CSRF token")
    return Markup(_render(name, {}).decode())


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


def _cut(content: bytes) -> tuple[bytes | str, ...]:
    """Text cut at its readers' parts: the text between them, and each part's name."""
    pieces: list[bytes | str] = []
    at = 0
    for found in _MARKER.finditer(content):
        pieces += [content[at : found.start()], found[1].decode()]
        at = found.end()
    pieces.append(content[at:])
    return tuple(piece for piece in pieces if piece)


def split(body: bytes) -> Layout:
    """A page kept for members, cut at its markers (once per kept page: `fill` joins the pieces)."""
    pieces: list[Piece] = []
    at = 0
    for found in _PIECE.finditer(body):
        pieces.append(body[at : found.start()])
        if found[6] is not None:
            pieces.append(found[6].decode())
        else:
            pieces.append(Own(int(found[1]), found[2].decode(), found[3], bool(found[4]), _cut(found[5])))
        at = found.end()
    pieces.append(body[at:])
    return Layout(tuple(piece for piece in pieces if piece), any(type(piece) is Own for piece in pieces))


def _own_parts(layout: Layout, readers: dict[int, dict[int, tuple]] | None) -> dict[int, tuple]:
    """This reader's own parts, and those kept without content, rendered afresh (one call of a renderer for all
    its parts on the page), cut at their session's parts, by their place in the layout; `readers`, kept with the
    page, remembers what each of its last readers got."""
    reader = current_user.id if current_user.is_authenticated else 0
    rendered = None if readers is None else readers.get(reader)
    if rendered is None:
        afresh = [
            (at, piece)
            for at, piece in enumerate(layout.pieces)
            if type(piece) is Own and (piece.afresh or piece.owner == reader)
        ]
        rendered = {}
        with keeping("members"):
            for name in {piece.name for _, piece in afresh}:
                mine = [(at, piece) for at, piece in afresh if piece.name == name]
                keys = [tuple(int(key) for key in piece.keys.split(b"-")) for _, piece in mine]
                made = _OWN_RENDERERS[name](keys)
                rendered.update((at, _cut(part.encode())) for (at, _), part in zip(mine, made, strict=True))
        if readers is not None and len(readers) < _READERS_KEPT:
            readers[reader] = rendered
    return rendered


def _join(layout: Layout, readers: dict[int, dict[int, tuple]] | None, values: dict[str, bytes]) -> bytes:
    own = _own_parts(layout, readers) if layout.owns else {}
    out: list[bytes] = []
    for at, piece in enumerate(layout.pieces):
        kind = type(piece)
        if kind is bytes:
            out.append(piece)
        elif kind is str:
            out.append(_render(piece, values))
        else:
            out += [text if type(text) is bytes else _render(text, values) for text in own.get(at, piece.kept)]
    return b"".join(out)


def fill(body: bytes | Layout, readers: dict[int, dict[int, tuple]] | None = None) -> bytes:
    """A page kept for members (or its `split` layout), with this reader's own parts."""
    return _join(split(body) if isinstance(body, bytes) else body, readers, {})


def init_app(app) -> None:
    """After Flask-WTF, which offers `csrf_token` both as a template global and from a context processor."""
    app.extensions[_NAV_KEY] = functools.lru_cache(maxsize=512)(_nav_layout)
    helpers = {
        "csrf_token": lambda: part("csrf"),
        "site_nav": lambda: part("nav"),
        "viewer_name": lambda: part("viewer_name"),
        "own_part": own_part,
    }
    app.jinja_env.globals.update(helpers)
    app.context_processor(lambda: helpers)
