"""Test fixtures: an app per configuration, reused and made fresh before each test (a database built by the real
migrations, an empty search index and upload folder)."""

from __future__ import annotations

import contextvars
import itertools
import logging
import shutil
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import inspect as sa_inspect

from app import create_app, reads, tasks
from app.extensions import cache, db, limiter
from app.page_cache import store
from tests.databases import PostgresDatabases, Snapshot, SQLiteDatabases, on_postgresql, open_databases
from tests.i18n.catalogs import compile_stale_catalogs

T = TypeVar("T")
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
    # Build the .mo files as `make install` does, so a bare `pytest` on a fresh clone serves English too. Only
    # the controller (or a run without xdist) does it, before any worker starts, so workers never race on them.
    if not hasattr(config, "workerinput"):
        compile_stale_catalogs()
    config.addinivalue_line(
        "markers", "sqlite_only(reason=...): the test checks something only SQLite has; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers", "fresh_app: the test changes the app itself, so the `app` fixture builds one for it alone"
    )


def pytest_collection_modifyitems(config, items) -> None:
    """The PostgreSQL pass (`make test-postgres`, after `make test`) runs only the tests whose database is the
    run's: a test without one, or with the PostgreSQL search backend's own database, ran the same in the SQLite
    pass."""
    if not on_postgresql():
        return
    same = pytest.mark.skip(reason="the same in the SQLite pass: the run's database plays no part")
    for item in items:
        params = getattr(item, "callspec", None)
        if "test_databases" not in item.fixturenames or (params and params.params.get("search_backend") == "postgres"):
            item.add_marker(same)


def pytest_runtest_setup(item) -> None:
    marker = item.get_closest_marker("sqlite_only")
    if marker and on_postgresql():
        pytest.skip(f"SQLite only: {marker.kwargs['reason']}")


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


@dataclass
class BuiltApp:
    """An application the `app` fixture reuses, with what it takes to make it fresh again."""

    app: Flask
    config: dict
    folder: Path
    own_database: bool
    snapshots: dict[str, tuple[Any, Snapshot, Path]] = field(default_factory=dict)


class AppPool:
    """One application per configuration (the `app_config` overrides), built on first use and then reused.

    Building an app and compiling its templates and SQL cost more than most tests themselves, so the tests with
    the same configuration share one app and `reset_app_state` makes it fresh before each. Each app has its own
    database (a copy of the migrated template), search index and upload folders. The least recently used apps
    are closed beyond `MAX_APPS` (configurations that differ per test, such as a folder under `tmp_path`).
    """

    MAX_APPS = 8

    def __init__(self, databases: SQLiteDatabases | PostgresDatabases, root: Path) -> None:
        self.databases = databases
        self.root = root
        self.numbers = itertools.count(1)
        self.built: OrderedDict[str, BuiltApp] = OrderedDict()
        self.spare: list[str] = []

    def get(self, overrides: dict) -> Flask:
        key = repr(sorted(overrides.items()))
        if key in self.built:
            self.built.move_to_end(key)
        else:
            self.built[key] = self.build(overrides)
            while len(self.built) > self.MAX_APPS:
                self.close(self.built.popitem(last=False)[1])
        return self.built[key].app

    def build(self, overrides: dict) -> BuiltApp:
        folder = self.root / f"app-{next(self.numbers)}"
        folder.mkdir()
        own_database = "SQLALCHEMY_DATABASE_URI" not in overrides
        settings = {
            "SEARCH_INDEX_DIR": str(folder / "search" / "index"),
            "UPLOAD_DIR": str(folder / "uploads"),
            **overrides,
        }
        if own_database:
            settings["SQLALCHEMY_DATABASE_URI"] = self.spare.pop() if self.spare else self.databases.create(folder)
        app = create_app("testing", settings)
        app.test_client_class = IsolatedClient
        app.test_cli_runner_class = IsolatedCliRunner
        built = BuiltApp(app, dict(app.config), folder, own_database)
        app.extensions[BUILT_KEY] = built
        app.extensions[DATABASES_KEY] = self.databases
        return built

    def close(self, built: BuiltApp) -> None:
        """Close an app. A PostgreSQL database goes to the next app built (emptied before its first test), as
        dropping and creating one each cost a checkpoint; a SQLite file goes with the app's folder."""
        built.app.extensions[reads.EXTENSION_KEY].take()  # reads its last test left: their database goes now
        with built.app.app_context():
            db.engine.dispose()
        if built.own_database and isinstance(self.databases, PostgresDatabases):
            self.spare.append(built.config["SQLALCHEMY_DATABASE_URI"])
        shutil.rmtree(built.folder, ignore_errors=True)

    def close_all(self) -> None:
        while self.built:
            self.close(self.built.popitem()[1])
        for url in self.spare:
            self.databases.drop(url)


BUILT_KEY = "tests.built_app"
APP_FOLDERS = ("search", "uploads")  # an app's search index and uploads, under its folder
DATABASES_KEY = "tests.databases"


def reset_app_state(app: Flask) -> None:
    """Make a reused app as a freshly built one is: its settings as built, a freshly migrated database, empty
    search index and upload folders, empty caches and rate-limit counters, nothing kept in the process.

    Runs inside the app's context, before each test. Whatever the app keeps between requests must be emptied
    here, or one test would see what another left.
    """
    built: BuiltApp = app.extensions[BUILT_KEY]
    app.config.clear()
    app.config.update(built.config)
    db.session.remove()
    if built.own_database:
        app.extensions[DATABASES_KEY].reset(db.engine)
    else:
        db.engine.dispose()  # whoever supplied the database empties it (tests/search/backends.py)
    for name in APP_FOLDERS:
        shutil.rmtree(built.folder / name, ignore_errors=True)
    cache.clear()
    # The limiter is one object for every app: bind it to this app's settings again (a new storage, so empty
    # counters), then empty a storage that outlives the binding (Redis, a shared file).
    limiter.init_app(app)
    if limiter.enabled:
        limiter.reset()
    if store.EXTENSION_KEY in app.extensions:
        store.init_app(app)  # a new, empty memo of kept pages and values
    app.extensions.pop(tasks.EXTENSION_KEY, None)  # the task queue is built again from the settings as built
    app.extensions[reads.EXTENSION_KEY].take()  # reads a previous test counted but did not write


@dataclass
class _Row:
    """A database row in a value `built_once` keeps: its class and primary key, loaded again in each test."""

    model: type
    identity: tuple


def _rows_to_keys(value: Any) -> Any:
    if isinstance(value, db.Model):
        return _Row(type(value), sa_inspect(value).identity)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{field.name: _rows_to_keys(getattr(value, field.name)) for field in fields(value)})
    if isinstance(value, list | tuple | set):
        return type(value)(_rows_to_keys(item) for item in value)
    if isinstance(value, dict):
        return {key: _rows_to_keys(item) for key, item in value.items()}
    return value


def _keys_to_rows(value: Any) -> Any:
    if isinstance(value, _Row):
        return db.session.get(value.model, value.identity)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{field.name: _keys_to_rows(getattr(value, field.name)) for field in fields(value)})
    if isinstance(value, list | tuple | set):
        return type(value)(_keys_to_rows(item) for item in value)
    if isinstance(value, dict):
        return {key: _keys_to_rows(item) for key, item in value.items()}
    return value


def built_once(request: pytest.FixtureRequest, app: Flask, build: Callable[[], T]) -> T:
    """What `build()` returns in the fresh `app`, built by the first test of the module that asks and then
    restored for the others: the database, search index and uploads as `build` left them, and its value with
    rows loaded again in this test's session. Each test starts from that state whatever the previous one wrote,
    so a corpus shared this way is still per test as far as any test can tell.
    """
    built: BuiltApp = app.extensions[BUILT_KEY]
    key = f"{request.module.__name__}:{build.__qualname__}"
    if key in built.snapshots:
        value, snapshot, folder = built.snapshots[key]
        snapshot.restore(db.engine)
        for name in APP_FOLDERS:
            if (folder / name).exists():
                shutil.copytree(folder / name, built.folder / name, symlinks=True)
    else:
        made = build()
        db.session.commit()
        value = _rows_to_keys(made)
        db.session.remove()
        folder = built.folder / "snapshots" / str(len(built.snapshots))
        folder.mkdir(parents=True)
        for name in APP_FOLDERS:
            if (built.folder / name).exists():
                shutil.copytree(built.folder / name, folder / name, symlinks=True)
        built.snapshots[key] = (value, Snapshot(db.engine, folder), folder)
    return _keys_to_rows(value)


@pytest.fixture(scope="session")
def app_pool(test_databases, tmp_path_factory) -> Iterator[AppPool]:
    pool = AppPool(test_databases, tmp_path_factory.mktemp("apps"))
    yield pool
    pool.close_all()


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the `app` fixture; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
def app(request, app_pool, app_config) -> Iterator[Flask]:
    """The app of this configuration, fresh; a test marked `fresh_app` (it changes the app itself: adds a
    route, replaces the engine) gets one built for it alone."""
    fresh = request.node.get_closest_marker("fresh_app") is not None
    built = app_pool.build(app_config) if fresh else None
    app = built.app if built else app_pool.get(app_config)
    with app.app_context():
        reset_app_state(app)
        yield app
        db.session.remove()
    if built:
        app_pool.close(built)


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
