"""The search tests run on both backends: Whoosh (an index directory) and PostgreSQL (a tsvector table).

A test module imports these fixtures and the hook (tests/search/conftest.py, tests/api/test_search.py); every
test that uses the `app` fixture then runs once per backend, unless it is marked
`@pytest.mark.search_backends("whoosh")` (or the module sets `pytestmark` so) because it tests what only that
backend has (index directories, Whoosh's lexicon, pair terms).

The PostgreSQL runs need a server: TEST_DATABASE_URL when it names one, else postgres@127.0.0.1:5432. The
migrations run once into a new database for the session (dropped at its end), which each test finds empty
(every table truncated before it starts). Without a reachable server the PostgreSQL runs are skipped, except
under CI=true, where they fail.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import URL, create_engine, make_url
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db

BACKENDS = ("whoosh", "postgres")
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_generate_tests(metafunc) -> None:
    if "search_backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("search_backends")
        metafunc.parametrize("search_backend", marker.args if marker else BACKENDS, indirect=True)


@pytest.fixture
def search_backend(request) -> str:
    """The backend this run of the test uses (parametrised by pytest_generate_tests)."""
    return request.param


def _server_url() -> URL:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured and make_url(configured).get_backend_name() == "postgresql":
        return make_url(configured)
    return make_url(DEFAULT_SERVER)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(scope="session")
def postgres_server():
    """An AUTOCOMMIT engine on the server's maintenance database, for creating and dropping databases."""
    url = _server_url().set(database="postgres")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        reason = f"PostgreSQL is not reachable at {url.render_as_string()}: {error.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield engine
    engine.dispose()


def _database_url(name: str) -> str:
    return _server_url().set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database(postgres_server, tmp_path_factory) -> str:
    """A database built by the real migrations for this test session, dropped at its end."""
    from flask_migrate import upgrade

    name = f"sala_search_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with postgres_server.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {_quoted(name)}")
    url = _database_url(name)
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("pg") / "index")},
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    with postgres_server.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """The session's PostgreSQL database, emptied for this test (every table but Alembic's, ids restarted)."""
    engine = create_engine(postgres_database)
    try:
        with engine.begin() as connection:
            tables = [
                name
                for name in connection.exec_driver_sql(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    " AND tablename <> 'alembic_version'"
                ).scalars()
            ]
            connection.exec_driver_sql(f"TRUNCATE {', '.join(map(_quoted, tables))} RESTART IDENTITY CASCADE")
    finally:
        engine.dispose()
    return postgres_database


@pytest.fixture
def app_config(request, search_backend) -> dict:
    """The `app` fixture's settings for this backend (the PostgreSQL run also gets its own database)."""
    if search_backend == "whoosh":
        return {"SEARCH_BACKEND": "whoosh"}
    return {"SEARCH_BACKEND": "postgres", "SQLALCHEMY_DATABASE_URI": request.getfixturevalue("postgres_url")}
