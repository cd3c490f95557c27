"""The signed-cookie session, with its signing serializer built once per key instead of on every request.

Flask builds a new `URLSafeTimedSerializer` each time it opens or saves a session, which costs about as much as
signing the cookie itself; on a page served from the page cache that was one of the larger costs. The
serializer depends only on the secret key and its fallbacks, so one is kept per set of keys.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # a changed key replaces the old one
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
