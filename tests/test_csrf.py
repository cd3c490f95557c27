"""With CSRF protection on (as in production), every POST route refuses a request without a token."""

from __future__ import annotations

import re

import pytest

from app import create_app


@pytest.fixture
def csrf_app(app):
    protected = create_app("testing", {**app.config, "WTF_CSRF_ENABLED": True})
    return protected


def _sample_url(rule) -> str:
    """The rule with `1` for every number in it (entry numbers, comment, user and report ids) and `x` elsewhere."""
    return re.sub(r"<(\w+:)?(\w+)>", lambda m: "1" if m.group(1) == "int:" else "x", rule.rule)


def test_every_post_route_needs_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    post_rules = [rule for rule in csrf_app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_rules) >= 25
    for rule in post_rules:
        response = client.post(_sample_url(rule), data={"title": "x"})
        assert response.status_code == 400, rule.rule
        assert "แบบฟอร์มหมดอายุ" in response.get_data(as_text=True)


def test_request_over_the_size_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "ใหญ่เกินไป" in response.get_data(as_text=True)
