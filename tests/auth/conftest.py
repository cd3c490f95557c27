"""Fixtures shared by the account tests."""

from __future__ import annotations

import pytest
from flask import g


@pytest.fixture
def per_request_user(app):
    """Load the user from each request's own cookies.

    The `app` fixture keeps an application context pushed, and Flask reuses it (and its `g`) for test
    requests, so Flask-Login would otherwise keep the user of the previous request, whatever the client.
    """

    @app.before_request
    def _forget_previous_user() -> None:
        g.pop("_login_user", None)
