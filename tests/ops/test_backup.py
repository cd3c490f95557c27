"""`flask backup` while the site writes, and `flask restore` into a fresh installation (SQLite)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.comments.services import add_comment
from app.extensions import db
from app.models import Entry
from app.search.query import search
from tests.conftest import IsolatedCliRunner
from tests.factories import make_blog, make_entry, make_user
from tests.uploads.images import image_bytes, name_of, post_image

# These go through the SQLite path (backup API, file copies); tests/ops/test_backup_postgres.py is the PostgreSQL
# round trip, on databases of its own that no other connection holds.
pytestmark = pytest.mark.sqlite_only(reason="the SQLite backup path; test_backup_postgres.py covers PostgreSQL")


class BackgroundWriter(threading.Thread):
    """Posts entries with a comment each, in its own application context, until stopped."""

    def __init__(self, app, blog_id: int) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.blog_id = blog_id
        self.stop = threading.Event()
        self.written = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from app.entries.services import create_entry
        from app.models import Blog

        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    blog = db.session.get(Blog, self.blog_id)
                    entry = create_entry(
                        blog,
                        blog.owner,
                        title=f"ระหว่างสำรอง {self.written}",
                        body_markdown="เนื้อหา",
                        tags="",
                        publish=True,
                    )
                    db.session.flush()
                    add_comment(entry, f"ความเห็นระหว่างสำรอง {self.written}", user=blog.owner, enforce_rules=False)
                    db.session.commit()
                    self.written += 1
                db.session.remove()
        except BaseException as error:  # reported by the test
            self.error = error

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.written < count and self.error is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"the background writer wrote only {self.written} entries")
            time.sleep(0.05)


def _rows(path: Path, query: str) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture
def site(app, client, auth):
    """A member with a blog, an image in an entry, and a comment; returns the blog and the image name."""
    owner = make_user("somchai")
    blog = make_blog(owner)
    auth.login("somchai")
    image = name_of(post_image(client, image_bytes("PNG")).json["url"])
    entry = make_entry(blog, title="ศาลาริมน้ำ", body=f"บันทึกเรื่องตะลิงปลิง ![รูป](/uploads/{image})")
    add_comment(entry, "ความเห็นแรก", user=owner)
    db.session.commit()
    return blog, image


@pytest.mark.sqlite_only(
    reason="restores into a fresh SQLite app; test_backup_postgres.py is the PostgreSQL round trip"
)
def test_backup_during_writes_is_one_point_in_time_and_restores(app, runner, site, tmp_path, migrated_template):
    blog, image = site
    writer = BackgroundWriter(app, blog.id)
    writer.start()
    try:
        writer.wait_for(3)
        result = runner.invoke(args=["backup", str(tmp_path / "backup")])
        writer.wait_for(writer.written + 2)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None
    assert result.exit_code == 0, result.output

    backup_dir = tmp_path / "backup"
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    saved = backup_dir / "database.sqlite3"
    # One point in time: the counts are the copy's, every comment has its entry and every entry's comment
    # count matches its comments (both written in the same transaction as the comment).
    assert manifest["counts"]["entries"] == len(_rows(saved, "SELECT id FROM entries"))
    assert manifest["counts"]["comments"] == len(_rows(saved, "SELECT id FROM comments"))
    assert _rows(saved, "SELECT c.id FROM comments c LEFT JOIN entries e ON e.id = c.entry_id WHERE e.id IS NULL") == []
    assert (
        _rows(
            saved,
            "SELECT e.id FROM entries e "
            "WHERE e.comment_count != (SELECT count(*) FROM comments c WHERE c.entry_id = e.id)",
        )
        == []
    )
    assert _rows(saved, "PRAGMA integrity_check") == [("ok",)]
    assert 4 <= manifest["counts"]["entries"] < db.session.scalar(select(db.func.count(Entry.id)))
    assert manifest["schema_revision"] == _rows(saved, "SELECT version_num FROM alembic_version")[0][0]
    assert list(manifest["uploads"]) == [image]
    assert (backup_dir / "uploads" / image).read_bytes() == (Path(app.config["UPLOAD_DIR"]) / image).read_bytes()

    fresh = _fresh_app(tmp_path / "fresh", migrated_template)
    with fresh.app_context():
        restored = fresh.test_cli_runner().invoke(args=["restore", str(backup_dir)])
        assert restored.exit_code == 0, restored.output
        db.session.remove()
        db.engine.dispose()
    live_db = tmp_path / "fresh" / "sala.db"
    for query in (
        "SELECT id, number, title, status FROM entries ORDER BY id",
        "SELECT id, entry_id, body_text FROM comments ORDER BY id",
        "SELECT id, username, email, password_hash FROM users ORDER BY id",
    ):
        assert _rows(live_db, query) == _rows(saved, query)
    assert (Path(fresh.config["UPLOAD_DIR"]) / image).read_bytes() == (backup_dir / "uploads" / image).read_bytes()
    with fresh.app_context():
        assert [hit.entry.title for hit in search("ตะลิงปลิง").hits] == ["ศาลาริมน้ำ"]
        assert search("ระหว่างสำรอง").total == manifest["counts"]["entries"] - 1
        client = fresh.test_client()
        assert client.get(f"/uploads/{image}").status_code == 200
        assert client.post("/login", data={"login": "somchai", "password": "password123"}).status_code == 302
        db.session.remove()
        db.engine.dispose()


def _fresh_app(folder: Path, migrated_template: Path):
    folder.mkdir()
    shutil.copy(migrated_template, folder / "sala.db")
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'sala.db'}",
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "UPLOAD_DIR": str(folder / "uploads"),
        },
    )
    app.test_cli_runner_class = IsolatedCliRunner
    return app


def test_backup_refuses_a_folder_with_files(runner, site, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x")

    result = runner.invoke(args=["backup", str(tmp_path / "full")])

    assert result.exit_code != 0
    assert "มีไฟล์อยู่แล้ว" in result.stderr


def test_restore_refuses_a_database_with_data_unless_yes(app, runner, site, tmp_path):
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    make_entry(site[0], title="เขียนหลังสำรอง")

    refused = runner.invoke(args=["restore", str(tmp_path / "backup")])

    assert refused.exit_code != 0
    assert "--yes" in refused.stderr
    assert "มีข้อมูลอยู่แล้ว" in refused.stderr
    assert db.session.scalar(select(Entry).where(Entry.title == "เขียนหลังสำรอง")) is not None

    restored = runner.invoke(args=["restore", str(tmp_path / "backup"), "--yes"])

    assert restored.exit_code == 0, restored.output
    db.session.remove()
    assert db.session.scalar(select(Entry).where(Entry.title == "เขียนหลังสำรอง")) is None
    assert [hit.entry.title for hit in search("ศาลาริมน้ำ").hits] == ["ศาลาริมน้ำ"]
    assert search("เขียนหลังสำรอง").total == 0


@pytest.mark.parametrize("damage", ["database", "upload", "manifest", "outside path", "not a manifest"])
def test_restore_refuses_a_damaged_backup(app, runner, site, tmp_path, damage):
    backup_dir = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(backup_dir)]).exit_code == 0
    if damage == "database":
        with open(backup_dir / "database.sqlite3", "ab") as handle:
            handle.write(b"\0")
    elif damage == "upload":
        (backup_dir / "uploads" / site[1]).unlink()
    elif damage == "manifest":
        (backup_dir / "manifest.json").unlink()
    elif damage == "outside path":
        manifest = json.loads((backup_dir / "manifest.json").read_text())
        manifest["uploads"]["../../sala.db"] = manifest["database"]["sha256"]
        (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    else:
        (backup_dir / "manifest.json").write_text('{"database": []}')
    make_entry(site[0], title="ยังอยู่")

    result = runner.invoke(args=["restore", str(backup_dir), "--yes"])

    assert result.exit_code != 0
    assert "ข้อมูลสำรอง" in result.stderr
    assert db.session.scalar(select(Entry).where(Entry.title == "ยังอยู่")) is not None
