"""The Alembic migrations build the whole schema from nothing, match the models, re-run as a no-op and go all the
way down again — on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import ROOT, create_app
from app.extensions import db

TABLES = {"users", "blogs", "entries", "comments", "stations", "station_blogs", "tags", "uploads", "counters"}


@pytest.fixture
def empty_database(tmp_path, test_databases) -> Iterator[str]:
    """A database of this test's own with nothing in it, so the migrations start from nothing."""
    url = test_databases.create(tmp_path, migrated=False)
    yield url
    test_databases.drop(url)


def _not_search_tables(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name in ("search_documents", "search_terms"))


def _comparable_index(index: dict) -> dict:
    """A partial index's condition comes back as a SQL text object, which compares by identity: compare its text."""
    options = {name: str(value) for name, value in index.get("dialect_options", {}).items()}
    return {**index, "dialect_options": options}


def _schema(connection) -> dict[str, dict]:
    """Everything the inspector sees of each table, in a form that compares equal when the schema is the same."""
    inspector = inspect(connection)
    schema = {}
    for table in sorted(inspector.get_table_names()):
        columns = [(c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in inspector.get_columns(table)]
        schema[table] = {
            "columns": columns,
            "primary_key": inspector.get_pk_constraint(table),
            "foreign_keys": sorted(inspector.get_foreign_keys(table), key=lambda fk: fk["name"] or ""),
            "indexes": sorted(map(_comparable_index, inspector.get_indexes(table)), key=lambda ix: ix["name"] or ""),
            "unique": sorted(inspector.get_unique_constraints(table), key=lambda uq: uq["name"] or ""),
            "checks": sorted(inspector.get_check_constraints(table), key=lambda ck: ck["name"] or ""),
        }
    return schema


def test_upgrade_from_nothing_matches_the_models_and_is_idempotent(empty_database):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        with db.engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        upgrade()
        with db.engine.connect() as conn:
            first = _schema(conn)
            # The PostgreSQL search backend's tables are made by their own migrations, outside the models.
            context = MigrationContext.configure(conn, opts={"include_name": _not_search_tables})
            assert compare_metadata(context, db.metadata) == []
            head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
            assert context.get_current_revision() == head
        upgrade()
        with db.engine.connect() as conn:
            assert _schema(conn) == first
        db.engine.dispose()
    assert set(first) >= TABLES


def test_every_migration_downgrades_and_upgrades_again(empty_database):
    script = ScriptDirectory(str(ROOT / "migrations"))
    revisions = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            at_head = _schema(conn)
        for revision in reversed(revisions[:-1]):
            downgrade(revision=revision)
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == revision
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            assert _schema(conn) == at_head
        db.engine.dispose()


@pytest.mark.sqlite_only(reason="WAL and the foreign-key switch are SQLite pragmas; PostgreSQL always enforces keys")
def test_sqlite_runs_with_wal_and_foreign_keys(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_the_body_text_migration_fills_the_text_of_entries_there_are(empty_database):
    from app.models import Entry
    from tests.factories import make_blog, make_entry, make_user

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        entry_id = make_entry(make_blog(make_user()), body="วง **ลปรร.** ครั้งที่ ๒").id
        db.session.remove()
        downgrade(revision="t19q_count_sample")
        upgrade()
        assert db.session.get(Entry, entry_id).body_text == "วง ลปรร. ครั้งที่ ๒"
        db.session.remove()
        db.engine.dispose()
