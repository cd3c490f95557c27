"""Interface language: which locale a request gets, the language switcher, and the Vary header it implies.

Thai is the source language (msgids are Thai) and the default; English comes from translations/en.
A reader's choice is remembered in a cookie; without one, the browser's Accept-Language decides.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    before_render_template,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.sansio.request import Request

from app.urls import memo_url_for, safe_next_url

DEFAULT_LOCALE = "th"
# Each language named in itself (an endonym), so a reader finds their own language whatever the page shows.
LANGUAGES: dict[str, str] = {"th": "ไทย", "en": "English"}
LOCALE_COOKIE = "sala_lang"
LOCALE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
_REQUEST_LOCALE = "locale_from_request"  # on g: what the request asked for, once `select_locale` was asked

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Cookie, then Accept-Language, then Thai. Outside a request (the CLI) it is always the default."""
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    chosen = g.get(_REQUEST_LOCALE)
    if chosen is None:  # the request's cookie and headers do not change: worked out once per request
        chosen = locale_for(request)
        setattr(g, _REQUEST_LOCALE, chosen)
    return chosen


def babel_locale() -> Locale:
    """Flask-Babel's locale selector: `select_locale` as a Locale, parsed once per language (Flask-Babel would
    parse the code again in every request, which costs more than the rest of a kept page's navigation)."""
    return _parsed_locale(select_locale())


@functools.cache
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def locale_for(incoming: Request) -> str:
    """The language a request asks for (cookie, then Accept-Language), else the default (`select_locale`)."""
    headers = incoming.headers
    if headers.get("Cookie"):  # parsing the headers costs more than the rest; most first visits send neither
        chosen = incoming.cookies.get(LOCALE_COOKIE)
        if chosen in LANGUAGES:
            return chosen
    preferred = _preferred_by_browser(incoming) if headers.get("Accept-Language") else None
    return preferred or current_app.config.get("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)


def _preferred_by_browser(incoming: Request) -> str | None:
    """The reader's most preferred language that Sala speaks, matching "en-GB" to "en".

    Werkzeug's `best_match` prefers any exact match over a regional one, so "en-GB;q=0.8, th;q=0.1" would give
    Thai; here the reader's order decides.
    """
    for value, quality in incoming.accept_languages:  # highest quality first
        primary = value.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return None


def current_locale() -> str:
    """The language code of the current request ("th" or "en")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def language_switch_url(code: str) -> str:
    """Link to switch to `code` and come back to the page being shown, query string included."""
    here = request.path
    # The raw query string may not be UTF-8 (a request the input guard refuses still gets a page).
    query = request.query_string.decode("utf-8", "replace")
    if query and "\ufffd" not in query:
        here = f"{here}?{query}"
    return memo_url_for("i18n.switch_language", code=code, next=here)


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    """Remember the chosen language for a year and go back to where the reader was (a same-site path only)."""
    if code not in LANGUAGES:
        abort(404)
    response = redirect(safe_next_url(request.args.get("next"), url_for("main.home")))
    response.set_cookie(
        LOCALE_COOKIE,
        code,
        max_age=LOCALE_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


def _vary_on_locale(response: Response) -> Response:
    """A response whose text depended on the cookie or Accept-Language must say so to caches."""
    if g.get(_REQUEST_LOCALE):
        if response.headers.get("Vary") in (None, "", "Cookie"):  # the common cases, without parsing the header
            response.headers["Vary"] = "Cookie, Accept-Language"
        else:
            response.vary.update(("Accept-Language", "Cookie"))
    return response


def _bind_translations(_app: Flask, **_extra: Any) -> None:
    """Before each render: look the catalog up through Flask-Babel once, for every translation in the render.

    Flask-Babel's `get_translations()` resolves the locale and domain through the request context on every call
    (a third of the time the layout took to render, called once per message); its locale likewise (the date
    filters ask for it for every date shown). Looked up per render rather than per request, a template rendered
    under Flask-Babel's `force_locale` still gets that locale's catalog.
    """
    g.template_translations = get_translations()
    g.template_locale = current_locale()


def render_locale() -> str:
    """`current_locale()` as bound for the render in progress; `current_locale()` itself outside a render."""
    try:
        return g.template_locale
    except (AttributeError, RuntimeError):
        return current_locale()


def _catalog() -> Any:
    """The catalog bound for the render in progress; Flask-Babel's own lookup for a template rendered without
    Flask's `render_template` (no binding) or outside an application context."""
    try:
        return g.template_translations
    except (AttributeError, RuntimeError):
        return get_translations()


def _finish(context: Context, text: str, variables: dict[str, Any]) -> str:
    """Jinja's "newstyle" gettext result: markup when autoescaping, always a %-format of the keyword arguments,
    which are escaped."""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:  # nothing to format: `%` would return the same text, at a cost
        return text
    return text % variables


@pass_context
def _gettext(context: Context, string: str, **variables: Any) -> str:
    return _finish(context, _catalog().ugettext(string), variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _finish(context, _catalog().ungettext(singular, plural, num), variables)


@pass_context
def _pgettext(context: Context, message_context: str, string: str, **variables: Any) -> str:
    return _finish(context, _catalog().upgettext(message_context, string), variables)


@pass_context
def _npgettext(context: Context, message_context: str, singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _finish(context, _catalog().unpgettext(message_context, singular, plural, num), variables)


# Environment globals rather than context values, so macros imported without context get them too; they replace
# the callables Flask-Babel installs through Jinja's i18n extension, with the same ("newstyle") behaviour.
TEMPLATE_TRANSLATIONS: dict[str, Callable[..., Any]] = {
    "_": _gettext,
    "gettext": _gettext,
    "ngettext": _ngettext,
    "pgettext": _pgettext,
    "npgettext": _npgettext,
}


def init_app(app: Flask) -> None:
    app.after_request(_vary_on_locale)
    before_render_template.connect(_bind_translations, app)
    app.jinja_env.globals.update(
        TEMPLATE_TRANSLATIONS,
        LANGUAGES=LANGUAGES,
        current_locale=current_locale,
        language_switch_url=language_switch_url,
    )
