"""The cookieless path: a stored page served to a visitor who sends no cookie, before Flask handles the request.

Most anonymous requests carry no cookie at all (a first visit, a link from elsewhere, a crawler). For them
nothing Flask would do depends on a session, a login or a language cookie, so when their page is stored and
current (`pages.current_stored`, the same check the in-Flask path makes) this middleware answers it in an app
context only. That skips the request context, session handling and every before- and after-request hook,
which cost more than the page itself.

What Flask would have added is added here, from the same sources: the security headers
(`security.security_headers`), ``Vary: Cookie, Accept-Language`` (the page depends on both), ``X-Cache: hit``,
and, for a page with a form, a new session holding a CSRF token (`sessions.new_csrf_session`, Flask's own
cookie). A read of an entry is counted as the entry view counts it (`reads.record_guest_read`).

Everything else goes on to Flask unchanged: a request with any cookie, any method but GET and HEAD, a page
not stored or no longer current (Flask renders and stores it), or a cache that fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.wrappers import Request
from werkzeug.wsgi import ClosingIterator

from app import reads
from app.i18n import locale_for
from app.page_cache import pages
from app.page_cache.csrf_slots import fill
from app.page_cache.invalidation import enabled
from app.security import security_headers
from app.sessions import new_csrf_session

VARY = "Cookie, Accept-Language"


class CookielessHits:
    """WSGI middleware around the Flask app's `wsgi_app` (installed by `pages.init_app`)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.headers = list(security_headers(app).items())

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("HTTP_COOKIE") or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            if not enabled():
                return self.wsgi_app(environ, start_response)
            incoming = Request(environ, shallow=True)  # the class Flask's request extends: same key
            try:
                key, generation = pages.key_for(incoming, locale_for(incoming)), pages.current_generation()
                stored = pages.current_stored(key, generation) if generation is not None else None
            except Exception:  # noqa: BLE001 - let Flask's path render (and log) as if there were no cache
                return self.wsgi_app(environ, start_response)
            if stored is None:
                if generation is not None:
                    environ[pages.COOKIELESS_MISS] = (key, generation)
                return self.wsgi_app(environ, start_response)
            return self._answer(incoming, stored, start_response)

    def _answer(self, incoming: Request, stored: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        body = stored["body"]
        headers = [("Content-Type", stored["content_type"])]
        if stored["has_csrf"]:
            token, cookie = new_csrf_session(self.app)
            body = fill(body, token)
            headers.append(("Set-Cookie", cookie))
        headers += [
            ("Content-Length", str(len(body))),
            (pages.CACHE_STATUS_HEADER, "hit"),
            ("Vary", VARY),
            *self.headers,
        ]
        flush_after = stored["read_entry_id"] is not None and reads.record_guest_read(
            stored["read_entry_id"], incoming.remote_addr, incoming.headers.get("User-Agent", "")
        )
        start_response("200 OK", headers)
        chunks = [b""] if incoming.method == "HEAD" else [body]
        if flush_after:
            return ClosingIterator(chunks, [lambda: reads.flush_quietly(self.app)])
        return chunks
