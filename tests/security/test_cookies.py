"""Session, remember-me and language cookies: HttpOnly and SameSite=Lax always, Secure in production."""

from __future__ import annotations

import pytest

from tests import factories
from tests.security.production import production_app


def _cookies(response) -> dict[str, list[str]]:
    """Cookie name → the attributes of its Set-Cookie header, lower-cased ("httponly", "samesite=lax", ...)."""
    return {
        header.split("=", 1)[0]: [part.strip().lower() for part in header.split(";")[1:]]
        for header in response.headers.getlist("Set-Cookie")
    }


def _log_in(client) -> dict[str, list[str]]:
    response = client.post("/login", data={"login": "cookies", "password": factories.PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return _cookies(response)


@pytest.fixture
def production_like(app):
    """The production settings (ProductionConfig) on the test database, with a strong key."""
    return production_app(app, WTF_CSRF_ENABLED=False)


def test_cookies_are_httponly_and_lax_but_not_secure_in_testing(app, client):
    factories.make_user("cookies")
    cookies = _log_in(client)
    cookies.update(_cookies(client.get("/lang/en?next=/")))
    for name in ("session", "remember_token", "sala_lang"):
        assert "httponly" in cookies[name], name
        assert "samesite=lax" in cookies[name], name
        assert "secure" not in cookies[name], name


def test_cookies_are_secure_in_production(app, production_like):
    factories.make_user("cookies")
    client = production_like.test_client()
    cookies = _log_in(client)
    cookies.update(_cookies(client.get("/lang/en?next=/")))
    for name in ("session", "remember_token", "sala_lang"):
        assert "secure" in cookies[name], name
        assert "httponly" in cookies[name], name
        assert "samesite=lax" in cookies[name], name
