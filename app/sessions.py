"""The signed-cookie session, with its signing serializers built once per key instead of on every request.

Flask builds a new `URLSafeTimedSerializer` each time it opens or saves a session, which costs about as much as
signing the cookie itself; on a page served from the page cache that was one of the larger costs. The
serializer depends only on the secret key and its fallbacks, so one is kept per set of keys.

`new_csrf_session` starts a session for a visitor who has none, outside Flask's request handling (the
page cache's cookieless path): the session cookie holds the raw CSRF token and the page gets the signed one,
exactly as Flask-WTF's `generate_csrf` and Flask's `save_session` would make them. It is half of what a
cached entry page costs, so its two signatures are made with `_QuickSigner` (the derived key computed once,
not for every signature) and the cookie's tiny payload is not run through zlib first (itsdangerous keeps
whichever of the two is shorter, and reads both): the same bytes Flask would verify, for less work.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from werkzeug.http import dump_cookie

# Flask-WTF signs its tokens with this salt (flask_wtf.csrf.generate_csrf and validate_csrf).
CSRF_SALT = "wtf-csrf-token"


class _QuickSigner(TimestampSigner):
    """A TimestampSigner that derives each key once (itsdangerous derives it again for every signature) and
    makes the same HMAC through `hmac.digest`, OpenSSL's one-shot call, instead of a Python `hmac.HMAC` object."""

    def get_signature(self, value: str | bytes) -> bytes:
        return base64_encode(hmac.digest(self.derive_key(), want_bytes(value), self.digest_method))

    _derived: dict[tuple, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        key = (self.secret_keys[-1] if secret_key is None else secret_key, self.salt, self.key_derivation)
        derived = self._derived.get(key)
        if derived is None:
            derived = super().derive_key(secret_key)
            if len(self._derived) > 32:  # keys are few; never let a stream of new ones grow this
                self._derived.clear()
            self._derived[key] = derived
        return derived


class _PlainPayloadSerializer(URLSafeTimedSerializer):
    """Signs small payloads (a session holding one token, the token itself) without trying zlib first, with one
    signer kept per salt (itsdangerous builds a new one for every value)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signers: dict[object, Any] = {}

    def dump_payload(self, obj: object) -> bytes:
        return base64_encode(self.serializer.dumps(obj, **self.serializer_kwargs).encode("utf-8"))

    def make_signer(self, salt: str | bytes | None = None) -> Any:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        self._csrf_serializers: dict[object, URLSafeTimedSerializer] = {}
        self._new_session_serializers: dict[tuple, URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {keys: serializer}  # a changed key replaces the old one
        return serializer

    def new_session_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        """Flask's session serializer (same keys, salt and signing), for a new session's small payload."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._new_session_serializers.get(keys)
        if serializer is None:
            flasks = self.get_signing_serializer(app)
            serializer = _PlainPayloadSerializer(
                flasks.secret_keys,
                salt=self.salt,
                serializer=self.serializer,
                signer=_QuickSigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
            )
            self._new_session_serializers = {keys: serializer}
        return serializer

    def csrf_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        serializer = self._csrf_serializers.get(secret)
        if serializer is None:
            serializer = _PlainPayloadSerializer(secret, salt=CSRF_SALT, signer=_QuickSigner)
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
        interface.new_session_serializer(app).dumps(session),
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
