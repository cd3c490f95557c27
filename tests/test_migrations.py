"""The Alembic migrations build the whole schema from nothing, match the models, and re-run as a no-op."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app import ROOT, create_app
from app.extensions import db


def _schema(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_upgrade_from_nothing_matches_the_models_and_is_idempotent(tmp_path):
    path = tmp_path / "fresh.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        first = _schema(path)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert compare_metadata(context, db.metadata) == []
            head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
            assert context.get_current_revision() == head
        upgrade()
        assert _schema(path) == first
        db.engine.dispose()
    table_names = {name for kind, name, _ in first if kind == "table"}
    assert {"users", "blogs", "entries", "comments", "stations", "station_blogs", "tags"} <= table_names


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
