"""The signed-cookie session, opened without building its serializer when the request sends no session cookie.

Flask builds a new `URLSafeTimedSerializer` each time it opens a session, before looking for the cookie; most
requests of guests carry none (a page kept for guests is answered for about the cost of that build). With no
cookie the session is a new empty one either way, so it is made at once; everything else is Flask's own.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
