"""Consistent online backups of the database and uploads, and restoring them (`flask backup`, `flask restore`).

A backup directory holds the database (SQLite: a copy made with SQLite's backup API; PostgreSQL: `pg_dump -Fc`),
the uploaded images under `uploads/`, and `manifest.json`: when it was made, the schema revision, the number of
rows in every table and a SHA-256 of every file. The manifest is written last, so a directory without one is
an interrupted backup and is never restored.

Both database copies are one point in time while the site keeps writing: SQLite's backup API copies every page
in one step under a read transaction (WAL lets writers go on meanwhile), and pg_dump runs in the snapshot the
row counts were taken in. Images are copied afterwards: they are named by their content and never change, and
an image is on disk before the row that names it commits, so every image the copied database names is there.

The search index is derived data: a restore rebuilds it from the restored database.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_migrate import upgrade
from sqlalchemy import Connection, create_engine, func, inspect, select, text
from sqlalchemy.engine import URL

from app.errors import DomainError
from app.extensions import db
from app.search.index import reindex
from app.uploads.services import STORED_NAME_RE

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
UPLOADS = "uploads"
FORMAT_VERSION = 1
CHUNK = 1024 * 1024


class BackupError(DomainError):
    """A backup or restore that cannot go ahead; the message says why, in Thai."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    uploads: int
    documents: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _url() -> URL:
    return db.engine.url


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _counts(connection: Connection) -> dict[str, int]:
    return {
        table.name: connection.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _pg_command_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for pg_dump/pg_restore (the password goes in the environment, not argv)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _backup_sqlite(target: Path) -> tuple[dict[str, int], str | None]:
    source = sqlite3.connect(_url().database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)  # all pages in one step: one point in time
    finally:
        source.close()
        destination.close()
    # Count in the copy itself, so the manifest describes exactly what was saved.
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            return _counts(connection), _revision(connection)
    finally:
        engine.dispose()


def _backup_postgres(target: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump in the same snapshot the counts are taken in (the transaction stays open until it is done)."""
    dsn, env = _pg_command_env(_url())
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with db.engine.connect().execution_options(**options) as connection:
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        counts, revision = _counts(connection), _revision(connection)
        command = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}", dsn]
        _run(command, env)
        connection.rollback()
    return counts, revision


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(_("ไม่พบโปรแกรม %(name)s ต้องติดตั้ง PostgreSQL client ก่อน", name=command[0])) from None
    if completed.returncode != 0:
        raise BackupError(
            _("%(name)s ทำงานไม่สำเร็จ: %(error)s", name=command[0], error=completed.stderr.strip()[-2000:])
        )


def _copy_uploads(source: Path, target: Path) -> dict[str, str]:
    """Copy every stored image (not files still being written); returns name → SHA-256."""
    target.mkdir(parents=True, exist_ok=True)
    checksums = {}
    if not source.is_dir():
        return checksums
    for path in sorted(source.iterdir()):
        if not STORED_NAME_RE.fullmatch(path.name) or not path.is_file():
            continue
        shutil.copy2(path, target / path.name)
        checksums[path.name] = sha256_of(target / path.name)
    return checksums


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def backup(target: Path) -> dict[str, Any]:
    """Write a backup into `target`, which must not exist yet or be empty; returns the manifest."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(_("โฟลเดอร์ %(path)s มีไฟล์อยู่แล้ว กรุณาระบุโฟลเดอร์ใหม่หรือโฟลเดอร์ว่าง", path=target))
    target.mkdir(parents=True, exist_ok=True)
    dialect = _url().get_backend_name()
    started = datetime.now(UTC)
    if dialect == "sqlite":
        database_file = target / SQLITE_FILE
        counts, revision = _backup_sqlite(database_file)
    elif dialect == "postgresql":
        database_file = target / POSTGRES_FILE
        counts, revision = _backup_postgres(database_file)
    else:
        raise BackupError(_("ยังสำรองฐานข้อมูลชนิด %(name)s ไม่ได้", name=dialect))
    uploads = _copy_uploads(_upload_dir(), target / UPLOADS)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_revision": revision,
        "database": {"dialect": dialect, "file": database_file.name, "sha256": sha256_of(database_file)},
        "counts": counts,
        "uploads": uploads,
    }
    _write_json(target / MANIFEST, manifest)
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest of a complete backup, after checking every file against its checksum."""
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("ไม่พบไฟล์ %(name)s ที่ใช้ได้ใน %(path)s (ข้อมูลสำรองไม่ครบ)", name=MANIFEST, path=source)) from None
    try:
        database = manifest["database"]
        files = {database["file"]: database["sha256"]}
        files.update({f"{UPLOADS}/{name}": checksum for name, checksum in manifest["uploads"].items()})
        # Only the names a backup writes: a manifest edited to name other paths is refused.
        well_formed = database["file"] in (SQLITE_FILE, POSTGRES_FILE) and all(
            STORED_NAME_RE.fullmatch(name) for name in manifest["uploads"]
        )
    except (KeyError, TypeError, AttributeError):
        well_formed = False
    if not well_formed:
        raise BackupError(_("ไฟล์ %(name)s ในข้อมูลสำรองหายหรือเสียหาย จึงไม่กู้คืน", name=MANIFEST))
    for name, checksum in files.items():
        if not (source / name).is_file() or sha256_of(source / name) != checksum:
            raise BackupError(_("ไฟล์ %(name)s ในข้อมูลสำรองหายหรือเสียหาย จึงไม่กู้คืน", name=name))
    return manifest


def database_is_empty() -> bool:
    """True when no table of the application holds a row (a fresh or freshly migrated database)."""
    with db.engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name in existing and connection.scalar(select(func.count()).select_from(table)):
                return False
    return True


def _restore_sqlite(source: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    backup_copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(_url().database, timeout=30)
    try:
        with live:
            backup_copy.backup(live)  # replaces every page of the live file, under its write lock
    finally:
        backup_copy.close()
        live.close()


def _restore_postgres(source: Path) -> None:
    db.session.remove()
    db.engine.dispose()
    dsn, env = _pg_command_env(_url())
    # A connection still using the tables (an app server left running) would make the restore wait for ever:
    # give up after a minute instead, with pg_restore's message.
    env = {**env, "PGOPTIONS": f"{env.get('PGOPTIONS', '')} -c lock_timeout=60s".strip()}
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", f"--dbname={dsn}"]
    _run([*command, str(source)], env)


def _restore_uploads(source: Path, names: list[str]) -> int:
    """Copy the images in (atomically each; one already there has the same content, by its name)."""
    target = _upload_dir()
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for name in names:
        if (target / name).exists():
            continue
        fd, temporary = tempfile.mkstemp(dir=target, prefix=".restore-")
        os.close(fd)
        shutil.copy2(source / name, temporary)
        os.replace(temporary, target / name)
        copied += 1
    return copied


def restore(source: Path, *, overwrite: bool = False) -> RestoreResult:
    """Put a backup back: database, uploads, then a rebuilt search index. Refuses a non-empty database
    unless `overwrite`."""
    manifest = read_manifest(source)
    dialect = _url().get_backend_name()
    if manifest["database"]["dialect"] != dialect:
        raise BackupError(
            _(
                "ข้อมูลสำรองนี้เป็นฐานข้อมูล %(backup)s แต่ฐานข้อมูลปลายทางเป็น %(target)s",
                backup=manifest["database"]["dialect"],
                target=dialect,
            )
        )
    if not overwrite and not database_is_empty():
        raise BackupError(_("ฐานข้อมูลปลายทางมีข้อมูลอยู่แล้ว ถ้าต้องการเขียนทับทั้งหมดให้สั่งซ้ำพร้อม --yes"))
    database_file = source / manifest["database"]["file"]
    if dialect == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgres(database_file)
    upgrade()  # a backup from an older release is brought up to this code's schema
    copied = _restore_uploads(source / UPLOADS, sorted(manifest["uploads"]))
    result = reindex()
    return RestoreResult(manifest=manifest, uploads=copied, documents=result.documents)
