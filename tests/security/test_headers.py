"""Security headers on every kind of response: HTML pages, JSON, error pages, static files."""

from __future__ import annotations

import pytest

from tests import factories

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def entry_number(app) -> int:
    blog = factories.make_blog(factories.make_user("headers"), "headers-blog")
    return factories.make_entry(blog, title="หัวข้อ", body="**เนื้อหา**").number


@pytest.mark.parametrize(
    ("path", "status", "content_type"),
    [
        ("/", 200, "text/html"),
        ("/login", 200, "text/html"),
        ("/api/v1/search?q=test", 200, "application/json"),
        ("/no-such-page", 404, "text/html"),
        ("/api/v1/no-such-thing", 404, "application/json"),
        ("/static/css/sala.css", 200, "text/css"),
    ],
)
def test_every_response_carries_the_security_headers(client, path, status, content_type):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == content_type
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_entry_page_carries_the_policy(client, entry_number):
    response = client.get(f"/posts/{entry_number}")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response.headers


@pytest.mark.fresh_app
def test_a_server_error_page_carries_the_headers(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise ZeroDivisionError

    app.testing = False  # let the 500 handler answer instead of re-raising into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_scripts_and_styles_come_from_the_site_only(client):
    policy = _directives(client.get("/").headers["Content-Security-Policy"])
    for directive in ("default-src", "script-src", "style-src", "connect-src", "font-src", "form-action", "base-uri"):
        assert policy[directive] == ["'self'"], directive
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    # Entries may show images from other https hosts; never plain http.
    assert policy["img-src"] == ["'self'", "data:", "https:"]


def test_policy_is_configurable_and_can_be_sent_report_only(tmp_path):
    from app import create_app

    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "CONTENT_SECURITY_POLICY": "default-src 'none'",
            "CONTENT_SECURITY_POLICY_REPORT_ONLY": True,
            "PERMISSIONS_POLICY": "",
        },
    )
    response = app.test_client().get("/static/css/sala.css")
    assert response.headers["Content-Security-Policy-Report-Only"] == "default-src 'none'"
    assert "Content-Security-Policy" not in response.headers
    assert "Permissions-Policy" not in response.headers
