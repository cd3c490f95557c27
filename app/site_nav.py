"""The site navigation in the header: the part of every page that depends on who is reading.

It shows one of few states (a guest; a member by name; an administrator with the number of open reports) on
one page type, so each state is rendered once per process and kept (a few hundred, least recently used out),
with a placeholder where the sign-out form asks for its CSRF token, filled in for each reader
(app/page_cache/csrf_slots.py). `NavState` holds everything `_site_nav.html` shows, so a kept navigation is
exactly the one the template would render.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.i18n import current_locale
from app.page_cache.csrf_slots import CSRF_PLACEHOLDER, placeholder_tokens
from app.permissions import can

KEPT_STATES = 512
_CSRF_PLACEHOLDER = CSRF_PLACEHOLDER.decode()
_EXTENSION_KEY = "sala.site_nav"


class NavState(NamedTuple):
    endpoint: str
    username: str | None  # None for a guest
    display_name: str | None
    open_reports: int | None  # administrators only


class _Kept:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.html: OrderedDict[tuple, str] = OrderedDict()

    def get(self, key: tuple) -> str | None:
        with self.lock:
            html = self.html.get(key)
            if html is not None:
                self.html.move_to_end(key)
            return html

    def put(self, key: tuple, html: str) -> None:
        with self.lock:
            self.html[key] = html
            while len(self.html) > KEPT_STATES:
                self.html.popitem(last=False)


def state() -> NavState:
    endpoint = request.endpoint or ""
    if not current_user.is_authenticated:
        return NavState(endpoint, None, None, None)
    open_reports = None
    if can(current_user, "administer"):
        from app.reports.services import open_report_count

        open_reports = open_report_count()
    return NavState(endpoint, current_user.username, current_user.display_name, open_reports)


def site_nav() -> Markup:
    """The navigation for the current reader."""
    nav = state()
    key = (current_locale(), request.script_root, nav)
    kept: _Kept = current_app.extensions[_EXTENSION_KEY]
    html = kept.get(key)
    if html is None:
        with placeholder_tokens():
            html = render_template("_site_nav.html", nav=nav)
        kept.put(key, html)
    if _CSRF_PLACEHOLDER in html:
        html = html.replace(_CSRF_PLACEHOLDER, generate_csrf())
    return Markup(html)


def init_app(app) -> None:
    app.extensions[_EXTENSION_KEY] = _Kept()
    app.jinja_env.globals.update(site_nav=site_nav)
