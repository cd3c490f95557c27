"""Engine-level settings that must hold on every connection, and the Thai sort order on both databases."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import icu
from sqlalchemy import ColumnElement, Executable, Row, event
from sqlalchemy.engine import Engine

from app.extensions import db

# Thai dictionary order (ICU's Thai rules: a leading vowel sorts under its consonant, so เกษตร comes before ขนม;
# Thai before Latin; case and tone marks only break ties). PostgreSQL names ICU's collation so; on SQLite the
# same name is registered on every connection with PyICU's collator. Code-point order (SQLite's BINARY,
# PostgreSQL's "C") would put every word with a leading vowel after ฮ; the server's default collation would
# depend on how the database was created. So every ORDER BY on Thai text says `thai_order(column)`.
THAI_COLLATION = "th-TH-x-icu"


def thai_order(column: ColumnElement[str]) -> ColumnElement[str]:
    """`column` for ORDER BY in Thai dictionary order, the same on SQLite and PostgreSQL."""
    return column.collate(THAI_COLLATION)


def plain_rows(stmt: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
    """The rows of a select of plain columns (no mapped objects), run on the session's connection, in its
    transaction, after the flush the session would do.

    Through `Session.execute` the ORM's handling of the execution and of its result cost a page's short lists
    as much as running their queries; rows of plain columns need none of it. The page cache does not see them
    either: whoever shows such rows declares them (`shows(row(...))`).
    """
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(stmt, params).all()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """WAL lets readers go on while one writer commits; foreign keys are off in SQLite by default; the Thai order."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.create_collation(THAI_COLLATION, icu.Collator.createInstance(icu.Locale("th_TH")).compare)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def render_migration_item(type_: str, obj, autogen_context) -> str | bool:
    """Migrations spell UTCDateTime as a plain DateTime, so they never import application code."""
    from app.models.types import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False
