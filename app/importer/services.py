"""Importing text and Markdown files (including pages saved from GotoKnow) as entries.

Each file is one unit of work: the caller commits after a successful `import_text` and rolls back after a
failed one, so a bad file never leaves half an entry behind.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app.comments.services import add_comment
from app.entries.services import create_entry
from app.extensions import db
from app.importer.parser import ParsedEntry, parse_page
from app.licenses import DEFAULT_LICENSE, license_code_from_text
from app.models import Blog, Entry, User
from app.text.normalize import normalize_text
from app.text.tags import MAX_TAG_LENGTH, MAX_TAGS_PER_ENTRY, normalize_tag

STATUS_IMPORTED = "imported"
STATUS_SKIPPED = "skipped"
STATUS_FAILED = "failed"
UNTITLED = "(ไม่มีชื่อเรื่อง)"


@dataclass
class ImportResult:
    file: str
    number: int | None
    status: str
    reason: str = ""

    def as_dict(self) -> dict:
        data = {"file": self.file, "number": self.number, "status": self.status}
        if self.reason:
            data["reason"] = self.reason
        return data


def decode_file(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else TIS-620/Windows-874 as older Thai files often are."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp874")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def import_key_for(text: str) -> str:
    """The same file (whatever its name or line endings) always gets the same key."""
    canonical = "\n".join(line.rstrip() for line in normalize_text(text).splitlines()).strip()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _usable_tags(raw_tags: list[str]) -> list[str]:
    """Imported pages may carry more or longer tags than Sala allows: keep the first ones that fit."""
    tags: list[str] = []
    for raw in raw_tags:
        tag = normalize_tag(raw)
        if tag and len(tag) <= MAX_TAG_LENGTH and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS_PER_ENTRY]


def _free_number(number: int | None) -> int | None:
    """Keep the page's original number so old links can be mapped, unless it is already used."""
    if number is None or number < 1:
        return None
    taken = db.session.scalar(select(Entry.id).where(Entry.number == number))
    return None if taken else number


def _create_from_parsed(parsed: ParsedEntry, key: str, blog: Blog, author: User) -> Entry:
    entry = create_entry(
        blog,
        author,
        title=parsed.title or UNTITLED,
        body_markdown=parsed.body_markdown,
        tags=_usable_tags(parsed.tags),
        license=license_code_from_text(parsed.license) or DEFAULT_LICENSE,
        publish=True,
        published_at=parsed.written_at,
        created_at=parsed.written_at,
        updated_at=parsed.edited_at or parsed.written_at,
        number=_free_number(parsed.source_number),
        import_key=key,
    )
    for comment in parsed.comments:
        if comment.body.strip():
            add_comment(
                entry,
                comment.body,
                guest_name=comment.author_name or _("ผู้เยี่ยมชม"),
                ip_address=comment.ip_masked,
                created_at=comment.written_at or entry.published_at,
                enforce_rules=False,
            )
    return entry


def import_text(text: str, *, filename: str, blog: Blog, author: User) -> ImportResult:
    """Import one file's text into `blog` as `author`; raises DomainError when the entry cannot be written."""
    key = import_key_for(text)
    existing = db.session.scalar(select(Entry.number).where(Entry.import_key == key))
    if existing is not None:
        return ImportResult(filename, existing, STATUS_SKIPPED, _("นำเข้าไว้แล้วเป็น /posts/%(n)s", n=existing))
    parsed = parse_page(text)
    if not parsed.body_markdown.strip():
        return ImportResult(filename, None, STATUS_SKIPPED, _("ไม่มีเนื้อหา"))
    entry = _create_from_parsed(parsed, key, blog, author)
    return ImportResult(filename, entry.number, STATUS_IMPORTED)
