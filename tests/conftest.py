"""Test fixtures: an app on a temporary database (built by the real migrations) and a temporary index."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.extensions import db
from tests.databases import PostgresDatabases, SQLiteDatabases, on_postgresql, open_databases
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


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason=...): the test checks something only SQLite has; skipped on PostgreSQL"
    )


def pytest_runtest_setup(item) -> None:
    marker = item.get_closest_marker("sqlite_only")
    if marker and on_postgresql():
        pytest.skip(f"SQLite only: {marker.kwargs['reason']}")


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Build the .mo files as `make install` does, so a bare `pytest` on a fresh clone serves English too."""
    compile_stale_catalogs()


@pytest.fixture
def mailbox(caplog):
    """The messages written to the log in place of sending them (MAIL_SERVER is empty in tests)."""
    caplog.set_level(logging.INFO, logger="app.mail")
    return lambda: [record.getMessage() for record in caplog.records if record.name == "app.mail"]


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory) -> Iterator[SQLiteDatabases | PostgresDatabases]:
    """The run's migrated template: SQLite, or PostgreSQL when TEST_DATABASE_URL is set (tests/databases.py)."""
    databases = open_databases(tmp_path_factory.mktemp("template"))
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def migrated_template(test_databases, tmp_path_factory) -> Path:
    """A migrated SQLite file, for the tests that copy a whole database file (on either run)."""
    if isinstance(test_databases, SQLiteDatabases):
        return test_databases.template
    return SQLiteDatabases(tmp_path_factory.mktemp("sqlite-template")).template


@pytest.fixture
def database_url(tmp_path, test_databases) -> Iterator[str]:
    """A freshly migrated database for this test (its own on SQLite, emptied after it on PostgreSQL)."""
    url = test_databases.checkout(tmp_path)
    yield url
    test_databases.release(url)


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the `app` fixture; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(tmp_path, database_url, app_config):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
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
