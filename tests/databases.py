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
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
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
        self.replace_file(engine, self.template)

    @staticmethod
    def replace_file(engine: Engine, source: Path) -> None:
        """Make the database file of `engine` a copy of `source` (a closed database file)."""
        engine.dispose()
        path = Path(engine.url.database)
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        fresh = path.with_name(path.name + ".fresh")
        shutil.copy(source, fresh)
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
    def _emptying_statements(url: str) -> str:
        """DELETE from every table, children before parents, then restart every sequence at 1: one string, sent
        in one round trip (20 statements one by one took 20 ms).

        DELETE rather than TRUNCATE: a test leaves a few rows in a few tables, which DELETE removes in
        milliseconds, while TRUNCATE replaces the files of every table and index each time (90 ms).
        """
        engine = create_engine(url, poolclass=NullPool)
        tables, sequences = _postgres_layout(engine)
        engine.dispose()
        statements = ["SET LOCAL lock_timeout = '10s'", *(f'DELETE FROM public."{name}"' for name in tables)]
        if sequences:
            statements.append("SELECT " + ", ".join(f"setval('public.\"{name}\"', 1, false)" for name in sequences))
        return "; ".join(statements)

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
            conn.exec_driver_sql(self.empty)

    def close(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.admin.dispose()


def on_postgresql() -> bool:
    return bool(TEST_DATABASE_URL) and not TEST_DATABASE_URL.startswith("sqlite")


def open_databases(directory: Path) -> SQLiteDatabases | PostgresDatabases:
    if on_postgresql():
        return PostgresDatabases(TEST_DATABASE_URL)
    return SQLiteDatabases(directory)


class Snapshot:
    """The rows of a database at one moment, to put back later (`snapshot` and `restore`)."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        if engine.dialect.name == "sqlite":
            self.file = folder / "database.db"
            engine.dispose()
            source, target = sqlite3.connect(engine.url.database), sqlite3.connect(self.file)
            source.backup(target)
            target.close()
            source.close()
            return
        self.schema = f"snapshot_{secrets.token_hex(4)}"
        self.tables, sequences = _postgres_layout(engine)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            for name in self.tables:
                conn.execute(text(f'CREATE TABLE "{self.schema}"."{name}" AS TABLE public."{name}"'))
            self.sequences = {
                name: conn.execute(text(f'SELECT last_value, is_called FROM public."{name}"')).one()
                for name in sequences
            }

    def restore(self, engine: Engine) -> None:
        """Put the rows back into the database of `engine`, which holds none (reset just before)."""
        if engine.dialect.name == "sqlite":
            SQLiteDatabases.replace_file(engine, self.file)
            return
        with engine.begin() as conn:
            for name in reversed(self.tables):  # parents before children
                conn.execute(
                    text(f'INSERT INTO public."{name}" OVERRIDING SYSTEM VALUE SELECT * FROM "{self.schema}"."{name}"')
                )
            for name, (last_value, is_called) in self.sequences.items():
                restart = text("SELECT setval(:name, :value, :called)")
                conn.execute(restart, {"name": f'public."{name}"', "value": last_value, "called": is_called})


def _postgres_layout(engine: Engine) -> tuple[list[str], list[str]]:
    """The tables of a PostgreSQL database, children before parents (Alembic's own left out), and its sequences."""
    with engine.connect() as conn:
        inspector = inspect(conn)
        ordered = [name for name, _ in reversed(inspector.get_sorted_table_and_fkc_names()) if name]
        sequences = conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).all()
    return [name for name in ordered if name != "alembic_version"], list(sequences)
