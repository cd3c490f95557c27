"""HTTPS in production: Strict-Transport-Security, and a form refused over plain http says why (page and log)."""

from __future__ import annotations

import logging
import re

import pytest

from tests.factories import PASSWORD, make_user
from tests.security.production import production_app

HSTS = "max-age=31536000; includeSubDomains"
OVER_HTTP = "เว็บไซต์นี้ต้องเปิดผ่าน HTTPS"
EXPIRED = "แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"


def test_production_sends_hsts(app):
    client = production_app(app).test_client()
    for path in ("/", "/login", "/healthz", "/no-such-page"):
        assert client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"] == HSTS, path


def test_hsts_can_be_changed_or_turned_off_in_production(app):
    changed = production_app(app, STRICT_TRANSPORT_SECURITY="max-age=600").test_client().get("/")
    assert changed.headers["Strict-Transport-Security"] == "max-age=600"
    off = production_app(app, STRICT_TRANSPORT_SECURITY="").test_client().get("/")
    assert "Strict-Transport-Security" not in off.headers


def test_no_hsts_in_development_or_testing(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def _login_form_token(client, base_url: str) -> str:
    html = client.get("/login", base_url=base_url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def production(app):
    make_user("somchai")
    return production_app(app)  # CSRF protection on, cookies Secure


def test_a_form_refused_over_http_with_secure_cookies_says_to_use_https(production, caplog):
    token = _login_form_token(production.test_client(), "http://localhost")
    # The browser keeps the Secure session cookie to itself over http: the POST arrives without it.
    response = production.test_client().post(
        "/login", data={"login": "somchai", "password": PASSWORD, "csrf_token": token}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert OVER_HTTP in page and "X-Forwarded-Proto" in page
    assert EXPIRED not in page
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert any("SESSION_COOKIE_SECURE" in record.getMessage() for record in warnings)


def test_a_form_refused_over_https_keeps_the_usual_message(production, caplog):
    client = production.test_client()
    response = client.post("/login", data={"login": "somchai", "password": PASSWORD}, base_url="https://localhost")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert EXPIRED in page and OVER_HTTP not in page
    assert "SESSION_COOKIE_SECURE" not in caplog.text


def test_a_form_over_https_works_in_production(production):
    client = production.test_client()
    token = _login_form_token(client, "https://localhost")
    response = client.post(
        "/login",
        data={"login": "somchai", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over https
    )
    assert response.status_code == 302


def test_testing_over_http_keeps_the_usual_message(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.post("/login", data={"login": "x", "password": "y"}).get_data(as_text=True)
    assert EXPIRED in page and OVER_HTTP not in page
