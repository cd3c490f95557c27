"""A client for an app with CSRF protection on (as in production), logged in through the real form."""

from __future__ import annotations

import re

from app import create_app
from tests.factories import PASSWORD

_FORM_TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_META_TOKEN_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def page_token(html: str) -> str:
    """The token a page gives its scripts (<meta name="csrf-token">), else the one in its forms."""
    match = _META_TOKEN_RE.search(html) or _FORM_TOKEN_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def csrf_protected_client(app, login: str | None = None):
    """A test client of a CSRF-protected copy of `app` (same database and folders), logged in as `login`."""
    protected = create_app("testing", {**app.config, "WTF_CSRF_ENABLED": True})
    client = protected.test_client()
    if login is not None:
        token = page_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
    return client
