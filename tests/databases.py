"""Databases for the tests: SQLite files by default, PostgreSQL when TEST_DATABASE_URL names a server.

Either way the Alembic migrations run once per test run into a template, and every database the tests use is a
copy of it: one per application the `app` fixture builds (tests/conftest.py, one per configuration), and one for
whoever needs a database of its own (the browser tests' live server, the migration tests), asked of `create()`.
Before each test `reset()` makes the app's database freshly migrated again: on SQLite a new copy of the template
file replaces it; on PostgreSQL, where copying a database costs about 0.3 s, every table is emptied (DELETE and
restart the sequences, milliseconds); the migrations seed no rows, so an empty database is a freshly migrated
one. Everything made on the PostgreSQL server carries the run's prefix (sala_test_<pid>_<random>, so each xdist
worker has its own) and is dropped when the run ends.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
from pathlib import Path

from sqlalchemy import TextClause, create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
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
        """The file goes with the caller's temporary directory."""

    def reset(self, engine: Engine) -> None:
        """Replace the database of `engine` with a fresh copy of the template.

        The copy is renamed into place, so a connection a test left open keeps the old file and never sees a
        half-written one; the WAL files of the old database go with it.
        """
        engine.dispose()
        path = Path(engine.url.database)
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        fresh = path.with_name(path.name + ".fresh")
        shutil.copy(self.template, fresh)
        os.replace(fresh, path)

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
        self.empty = self._emptying_statements(self._url(self.template))

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

    def reset(self, engine: Engine) -> None:
        """Empty the database of `engine`, after ending every connection to it (the engine's own, and any a test
        left open: another app on the same database, a live-server thread, a killed worker's)."""
        engine.dispose()
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

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def on_postgresql() -> bool:
    return bool(TEST_DATABASE_URL) and not TEST_DATABASE_URL.startswith("sqlite")


def open_databases(directory: Path) -> SQLiteDatabases | PostgresDatabases:
    if on_postgresql():
        return PostgresDatabases(TEST_DATABASE_URL)
    return SQLiteDatabases(directory)
