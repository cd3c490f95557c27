"""Databases for the tests: SQLite files by default, PostgreSQL when TEST_DATABASE_URL names a server.

Either way the Alembic migrations run once per test run into a template. On SQLite each test gets a copy of the
template file. On PostgreSQL, copying a database (CREATE DATABASE ... TEMPLATE, then DROP) costs about 0.3 s, so the
tests share one copy and each test leaves it empty behind it (DELETE and restart the sequences, milliseconds); the
migrations seed no rows, so an empty database is a freshly migrated one. Whoever needs a database of its own (the
browser tests' live server, the migration tests) asks `create()` for one. Everything made on the PostgreSQL server
carries the run's prefix (sala_test_<pid>_<random>) and is dropped when the run ends.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy import TextClause, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def migrate(url: str) -> None:
    """Build the schema at `url` with the real migrations."""
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


class SQLiteDatabases:
    """A migrated template file; each database is a copy of it in the caller's directory."""

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.db"
        migrate(f"sqlite:///{self.template}")

    def create(self, directory: Path, *, migrated: bool = True) -> str:
        path = directory / "sala.db"
        if migrated:
            shutil.copy(self.template, path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        """The file goes with the test's temporary directory."""

    def checkout(self, directory: Path) -> str:
        """A freshly migrated database for one test."""
        return self.create(directory)

    def release(self, url: str) -> None:
        """The file goes with the test's temporary directory."""

    def close(self) -> None:
        """The template goes with the session's temporary directory."""


class PostgresDatabases:
    """A migrated template database on the server of TEST_DATABASE_URL; each database is a copy of it.

    The database named in the URL is only used to connect and issue CREATE/DROP DATABASE; the tests never
    write to it.
    """

    def __init__(self, server_url: str) -> None:
        self.server: URL = make_url(server_url)
        self.prefix = f"sala_test_{os.getpid()}_{secrets.token_hex(3)}"
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        self.numbers = itertools.count(1)
        self.template = f"{self.prefix}_template"
        self._execute(f"CREATE DATABASE \"{self.template}\" ENCODING 'UTF8' TEMPLATE template0")
        migrate(self._url(self.template))
        self.shared: str | None = None
        self.empty: list[TextClause] = []

    def _url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(statement))

    def create(self, directory: Path, *, migrated: bool = True) -> str:
        name = f"{self.prefix}_{next(self.numbers)}"
        template = self.template if migrated else "template0"
        self._execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE "{template}"')
        # A test database need not survive a crash of the server: commits do not wait for the disk.
        self._execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
        return self._url(name)

    def drop(self, url: str) -> None:
        # FORCE ends connections a test left open (another app on the same database, a live-server thread).
        self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')

    def checkout(self, directory: Path) -> str:
        """The shared database, empty (as migrated) at the start of every test."""
        if self.shared is None:
            self.shared = self.create(directory)
            self.empty = self._emptying_statements(self.shared)
        return self.shared

    @staticmethod
    def _emptying_statements(url: str) -> list[TextClause]:
        """DELETE from every table, children before parents, then restart every sequence at 1.

        DELETE rather than TRUNCATE: a test leaves a few rows in a few tables, which DELETE removes in
        milliseconds, while TRUNCATE replaces the files of every table and index each time.
        """
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            inspector = inspect(conn)
            quote = conn.dialect.identifier_preparer.quote
            ordered = [name for name, _ in reversed(inspector.get_sorted_table_and_fkc_names()) if name]
            sequences = conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).all()
        engine.dispose()
        statements = [text(f"DELETE FROM {quote(name)}") for name in ordered if name != "alembic_version"]
        if sequences:
            restarts = ", ".join(f"setval('{quote(name)}', 1, false)" for name in sequences)
            statements.append(text(f"SELECT {restarts}"))
        return statements

    def release(self, url: str) -> None:
        """Empty the shared database, after ending any connection the test left open."""
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            conn.execute(text("SET LOCAL lock_timeout = '10s'"))
            for statement in self.empty:
                conn.execute(statement)
        engine.dispose()

    def close(self) -> None:
        if self.shared is not None:
            self.drop(self.shared)
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def on_postgresql() -> bool:
    return bool(TEST_DATABASE_URL) and not TEST_DATABASE_URL.startswith("sqlite")


def open_databases(directory: Path) -> SQLiteDatabases | PostgresDatabases:
    if on_postgresql():
        return PostgresDatabases(TEST_DATABASE_URL)
    return SQLiteDatabases(directory)
