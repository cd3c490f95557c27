"""Images members upload into their entries: stored once per content, counted against a quota, pruned when unused.

Decoding and re-encoding live in app/uploads/images.py. Add and flush, never commit. Files are written after the
row is flushed; the view's commit makes both count. A file left without a row (a failed commit, a crash) is
removed by `flask uploads prune`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from app import changes
from app.errors import DomainError
from app.extensions import db
from app.models import Entry, Upload, User
from app.text.dates import utcnow
from app.text.normalize import collapse_spaces, normalize_text
from app.uploads.images import NotAnImage, ProcessedImage, process_image

__all__ = [
    "STORED_NAME_RE",
    "NotAnImage",
    "ProcessedImage",
    "PruneResult",
    "QuotaExceeded",
    "UploadTooLarge",
    "bytes_used",
    "content_type_of",
    "delete_files",
    "link_uploads",
    "markdown_for",
    "process_image",
    "prune_uploads",
    "store_upload",
    "stray_files",
    "upload_dir",
    "upload_limit_mb",
]

STORED_NAME_RE = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp)")
# An uploaded image named in an entry body, as a path or inside a full URL.
UPLOAD_URL_RE = re.compile(r"/uploads/([0-9a-f]{32}\.(?:jpg|png|webp))")
TEMP_PREFIX = ".tmp-"
MIB = 1024 * 1024
ALT_TEXT_MAX = 100


class UploadTooLarge(DomainError):
    status_code = 413


class QuotaExceeded(DomainError):
    status_code = 413


def _mb(size: int) -> str:
    return f"{size / MIB:.1f}".removesuffix(".0")


def upload_limit_mb() -> str:
    """MAX_UPLOAD_BYTES in MB, as the editor tells writers."""
    return _mb(current_app.config["MAX_UPLOAD_BYTES"])


def alt_text(original_name: str) -> str:
    """Alt text proposed for an image: its file name without the extension, safe inside Markdown's []."""
    stem = Path(original_name).stem if original_name else ""
    stem = collapse_spaces(re.sub(r"[\[\]\\\x00-\x1f\x7f]+", " ", stem)).strip()
    return stem[:ALT_TEXT_MAX] or str(_l("รูปภาพ"))


def markdown_for(upload: Upload, url: str) -> str:
    return f"![{alt_text(upload.original_name)}]({url})"


def bytes_used(owner: User) -> int:
    """Stored bytes of everything the member has uploaded and not yet pruned."""
    total = db.session.scalar(select(func.sum(Upload.byte_size)).where(Upload.owner_id == owner.id))
    return int(total or 0)


def _lock_owner(owner: User) -> None:
    """Hold one member's uploads back until this one commits, on PostgreSQL and SQLite alike.

    SQLite ignores SELECT ... FOR UPDATE; an UPDATE of the member's row locks that row on PostgreSQL and takes
    SQLite's write lock, so the usage read after it counts every upload committed before. Core, not the ORM:
    nothing about the member changes.
    """
    users = User.__table__
    db.session.execute(changes.lock_only(update(users).where(users.c.id == owner.id).values(id=users.c.id)))


def _quota_exceeded(used: int, quota: int) -> QuotaExceeded:
    return QuotaExceeded(
        _l(
            "พื้นที่เก็บรูปภาพของคุณเต็มแล้ว: ใช้ไป %(used)s MB จาก %(quota)s MB รูปที่ไม่ได้อยู่ในบันทึกใดจะถูกลบออกโดยอัตโนมัติภายหลัง",
            used=_mb(used),
            quota=_mb(quota),
        ),
        field="file",
    )


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if not data:
        raise NotAnImage(_l("กรุณาเลือกไฟล์รูปภาพ"), field="file")
    if len(data) > limit:
        message = _l("ไฟล์ใหญ่เกินไป: รูปภาพแต่ละไฟล์ต้องไม่เกิน %(mb)s MB", mb=_mb(limit))
        raise UploadTooLarge(message, field="file")
    return data


def _clean_original_name(filename: str) -> str:
    """The name the member's computer gave the file, without any folder (old browsers send a full path)."""
    name = normalize_text(filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return collapse_spaces(name)[:255]


def store_upload(owner: User, stream: IO[bytes], filename: str) -> Upload:
    """Check, re-encode and keep an image for `owner`; nothing is written when any check fails.

    Uploading the same picture again returns the member's existing upload (no second charge on the quota)
    and restarts its grace period before pruning.
    """
    config = current_app.config
    data = _read_limited(stream, config["MAX_UPLOAD_BYTES"])
    quota = config["UPLOAD_QUOTA_BYTES"]
    used = bytes_used(owner)
    if used >= quota:  # a full quota is refused before any decoding
        raise _quota_exceeded(used, quota)
    image = process_image(data, config["UPLOAD_MAX_SIDE"])
    # Decoded before the lock, so the lock lasts a few queries; the usage is read again under it.
    _lock_owner(owner)
    used = bytes_used(owner)
    name = image.stored_name
    existing = db.session.scalar(select(Upload).where(Upload.owner_id == owner.id, Upload.stored_name == name).limit(1))
    if existing is not None:
        existing.created_at = utcnow()
        db.session.flush()
        _write_file(name, image.data)  # in case the file was lost
        return existing
    if used + len(image.data) > quota:
        raise _quota_exceeded(used, quota)
    upload = Upload(
        owner_id=owner.id,
        stored_name=name,
        original_name=_clean_original_name(filename),
        content_type=image.output.content_type,
        byte_size=len(image.data),
        width=image.width,
        height=image.height,
        created_at=utcnow(),
    )
    db.session.add(upload)
    db.session.flush()
    _write_file(name, image.data)
    return upload


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _write_file(name: str, data: bytes) -> None:
    """Write atomically (a reader never sees half a file); a file of that name already has this content."""
    directory = upload_dir()
    target = directory / name
    if target.exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp_path = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp_path, 0o644)  # a front-end web server may serve the folder directly
        os.replace(temp_path, target)
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise


def content_type_of(name: str) -> str | None:
    """The content type of a stored upload, or None when no upload has this name."""
    if not STORED_NAME_RE.fullmatch(name):
        return None
    return db.session.scalar(select(Upload.content_type).where(Upload.stored_name == name).limit(1))


def link_uploads(entry: Entry) -> None:
    """Note `entry` on the author's uploads its body shows that no entry claims yet."""
    names = set(UPLOAD_URL_RE.findall(entry.body_markdown or ""))
    if not names:
        return
    db.session.execute(
        update(Upload)
        .where(Upload.owner_id == entry.author_id, Upload.entry_id.is_(None), Upload.stored_name.in_(names))
        .values(entry_id=entry.id)
    )


def referenced_names() -> set[str]:
    """Every upload name that appears in some entry body (drafts included)."""
    stmt = select(Entry.body_markdown).where(Entry.body_markdown.contains("/uploads/"))
    names: set[str] = set()
    for body in db.session.scalars(stmt.execution_options(yield_per=500)):
        names.update(UPLOAD_URL_RE.findall(body))
    return names


@dataclass(frozen=True)
class PruneResult:
    uploads: int  # rows removed
    bytes: int  # their stored bytes, as counted against quotas
    files: list[str]  # names whose last row went: delete these files once the removal is committed


def prune_uploads(older_than: timedelta, now: datetime | None = None) -> PruneResult:
    """Remove uploads created before `now - older_than` that no entry body mentions.

    The grace period protects images a writer has uploaded into an entry not saved yet.
    """
    cutoff = (now or utcnow()) - older_than
    referenced = referenced_names()
    old = db.session.execute(select(Upload.id, Upload.stored_name, Upload.byte_size).where(Upload.created_at < cutoff))
    doomed = [(upload_id, name, size) for upload_id, name, size in old if name not in referenced]
    ids = [upload_id for upload_id, _, _ in doomed]
    for start in range(0, len(ids), 500):
        db.session.execute(delete(Upload).where(Upload.id.in_(ids[start : start + 500])))
    db.session.flush()
    names = {name for _, name, _ in doomed}
    still_used = set()
    if names:
        still_used = set(db.session.scalars(select(Upload.stored_name).where(Upload.stored_name.in_(names))))
    return PruneResult(len(doomed), sum(size for _, _, size in doomed), sorted(names - still_used))


def _is_ours(name: str) -> bool:
    """A stored image or an unfinished write; nothing else in the folder is ever touched."""
    return bool(STORED_NAME_RE.fullmatch(name)) or (name.startswith(TEMP_PREFIX) and "/" not in name)


def delete_files(names: Iterable[str]) -> int:
    """Delete stored files by name; returns how many were there."""
    deleted = 0
    for name in names:
        path = upload_dir() / name
        if _is_ours(name) and path.is_file():
            path.unlink()
            deleted += 1
    return deleted


def stray_files(older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Files in UPLOAD_DIR older than the grace period that no upload row names (left by a failed commit)."""
    directory = upload_dir()
    if not directory.is_dir():
        return []
    cutoff = ((now or utcnow()) - older_than).timestamp()
    known = set(db.session.scalars(select(Upload.stored_name).distinct()))
    strays = []
    for path in directory.iterdir():
        if _is_ours(path.name) and path.name not in known and path.is_file() and path.stat().st_mtime < cutoff:
            strays.append(path.name)
    return sorted(strays)
