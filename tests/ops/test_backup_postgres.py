"""`flask backup` and `flask restore` on PostgreSQL (pg_dump -Fc / pg_restore), while the site writes.

Runs against SALA_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres) in temporary
databases; skipped when PostgreSQL is not reachable, except under CI=true where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.comments.services import add_comment
from app.extensions import db
from app.models import Comment, Entry, User
from app.search.query import search
from tests.conftest import IsolatedCliRunner
from tests.factories import make_blog, make_entry, make_user
from tests.ops.test_backup import BackgroundWriter

ADMIN_URL = os.environ.get("SALA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def pg_databases():
    """Two empty databases (the site's and a fresh one to restore into); dropped afterwards."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=2)
    except psycopg.Error as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {ADMIN_URL} must be reachable under CI: {error}")
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is not reachable: {error}")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        admin.close()
        pytest.fail("pg_dump and pg_restore (the PostgreSQL client) are needed next to a reachable server")
    names = [f"sala_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = make_url(ADMIN_URL).set(drivername="postgresql+psycopg")
    yield [base.set(database=name).render_as_string(hide_password=False) for name in names]
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _app(url: str, folder):
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "UPLOAD_DIR": str(folder / "uploads"),
        },
    )
    app.test_cli_runner_class = IsolatedCliRunner
    return app


def _snapshot() -> dict[str, list[tuple]]:
    queries = {
        "entries": select(Entry.id, Entry.number, Entry.title).order_by(Entry.id),
        "comments": select(Comment.id, Comment.entry_id, Comment.body_text).order_by(Comment.id),
        "users": select(User.id, User.username, User.password_hash).order_by(User.id),
    }
    return {name: [tuple(row) for row in db.session.execute(query)] for name, query in queries.items()}


def test_postgres_round_trip_during_writes(pg_databases, tmp_path):
    source_url, target_url = pg_databases
    source = _app(source_url, tmp_path / "source")
    with source.app_context():
        upgrade()
        owner = make_user("somchai")
        blog = make_blog(owner)
        entry = make_entry(blog, title="ศาลาริมน้ำ", body="บันทึกเรื่องตะลิงปลิง")
        add_comment(entry, "ความเห็นแรก", user=owner)
        db.session.commit()
        writer = BackgroundWriter(source, blog.id)
        writer.start()
        try:
            writer.wait_for(3)
            result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
            writer.wait_for(writer.written + 2)
        finally:
            writer.stop.set()
            writer.join(30)
        assert writer.error is None
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()

    target = _app(target_url, tmp_path / "target")
    with target.app_context():
        upgrade()
        restored = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
        assert restored.exit_code == 0, restored.output
        db.session.remove()
        rows = _snapshot()
        # One point in time: the restored counts are the manifest's, and every comment count matches.
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        assert manifest["database"]["dialect"] == "postgresql"
        assert len(rows["entries"]) == manifest["counts"]["entries"] >= 4
        assert len(rows["comments"]) == manifest["counts"]["comments"]
        mismatched = db.session.execute(
            text(
                "SELECT e.id FROM entries e WHERE e.comment_count != "
                "(SELECT count(*) FROM comments c WHERE c.entry_id = e.id)"
            )
        ).all()
        assert mismatched == []
        assert [hit.entry.title for hit in search("ตะลิงปลิง").hits] == ["ศาลาริมน้ำ"]
        assert search("ระหว่างสำรอง").total == len(rows["entries"]) - 1
        db.session.remove()
        db.engine.dispose()

    with source.app_context():
        live = _snapshot()
        assert len(live["entries"]) > len(rows["entries"])  # the writes went on after the snapshot
        assert live["users"] == rows["users"]
        assert live["entries"][: len(rows["entries"])] == rows["entries"]
        db.session.remove()
        db.engine.dispose()
