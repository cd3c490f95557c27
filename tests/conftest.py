"""Test fixtures: an app on a temporary database (built by the real migrations) and a temporary index."""

from __future__ import annotations

import contextvars
import shutil
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.extensions import db
from tests.i18n.catalogs import compile_stale_catalogs

SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    The test itself holds an app context (for its own queries); without this, requests would reuse it and
    share its database session and `g` (Flask-Login caches the user there) from one request to the next.
    Objects the test loaded are expired afterwards so it sees what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not inside the nested call Werkzeug makes to follow a redirect
            db.session.expire_all()
        return response


class IsolatedCliRunner(FlaskCliRunner):
    def invoke(self, *args, **kwargs):
        result = contextvars.Context().run(super().invoke, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return result


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Build the .mo files as `make install` does, so a bare `pytest` on a fresh clone serves English too."""
    compile_stale_catalogs()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """Run the Alembic migrations once into a template SQLite file that each test copies."""
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the `app` fixture; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(tmp_path, migrated_template, app_config):
    db_path = tmp_path / "sala.db"
    shutil.copy(migrated_template, db_path)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            **app_config,
        },
    )
    app.test_client_class = IsolatedClient
    app.test_cli_runner_class = IsolatedCliRunner
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Log in and out through the real forms."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, login: str, password: str = "password123", remember: bool = False):
        data = {"login": login, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip("../shared/seeds is not present")
    return SEEDS_DIR
