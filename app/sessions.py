"""The signed-cookie session, with its signing serializers built once per key instead of on every request.

Flask builds a new `URLSafeTimedSerializer` each time it opens or saves a session, which costs about as much as
signing the cookie itself; on a page served from the page cache that was one of the larger costs. The
serializer depends only on the secret key and its fallbacks, so one is kept per set of keys.

`new_csrf_session` starts a session for a visitor who has none, outside Flask's request handling (the
page cache's cookieless path): the session cookie holds the raw CSRF token and the page gets the signed one,
exactly as Flask-WTF's `generate_csrf` and Flask's `save_session` would make them.
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.http import dump_cookie

# Flask-WTF signs its tokens with this salt (flask_wtf.csrf.generate_csrf and validate_csrf).
CSRF_SALT = "wtf-csrf-token"


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        self._csrf_serializers: dict[object, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # a changed key replaces the old one
        return serializer

    def csrf_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        serializer = self._csrf_serializers.get(secret)
        if serializer is None:
            serializer = URLSafeTimedSerializer(secret, salt=CSRF_SALT)
            self._csrf_serializers = {secret: serializer}
        return serializer


def new_csrf_session(app: Flask) -> tuple[str, str]:
    """A fresh session holding only a CSRF token: (the signed token for the form, the Set-Cookie header).

    The cookie is the one `save_session` sets for a new, non-permanent session, with the same name and flags
    (tests/cache/test_cookieless.py compares them).
    """
    interface: SessionInterface = app.session_interface
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # as Flask-WTF makes it
    session = {app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"): raw}
    cookie = dump_cookie(
        interface.get_cookie_name(app),
        interface.get_signing_serializer(app).dumps(session),
        domain=interface.get_cookie_domain(app),
        path=interface.get_cookie_path(app),
        secure=interface.get_cookie_secure(app),
        httponly=interface.get_cookie_httponly(app),
        samesite=interface.get_cookie_samesite(app),
        partitioned=interface.get_cookie_partitioned(app),
    )
    return interface.csrf_serializer(app).dumps(raw), cookie


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
