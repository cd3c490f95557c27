"""Entries: writing, editing, deleting, numbering and tagging them. Add and flush; never commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, literal, select, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from app.changes.lists import row
from app.database import plain_rows
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.licenses import DEFAULT_LICENSE, LICENSES_BY_CODE
from app.models import STATUS_DRAFT, STATUS_PUBLISHED, Blog, Counter, Entry, Tag, User
from app.page_cache import tags as shown
from app.permissions import can
from app.submissions import add_once, check_owner
from app.text.dates import utcnow
from app.text.markdown import render_markdown
from app.text.normalize import normalize_text
from app.text.tags import TagError, parse_tags
from app.uploads.services import link_uploads

TITLE_MAX_LENGTH = 200
NUMBER_COUNTER = "entry_number"
# The number column is a 32-bit INTEGER on PostgreSQL; larger numbers in a URL cannot name an entry.
MAX_NUMBER = 2**31 - 1


def _clean_title(title: str) -> str:
    cleaned = " ".join(normalize_text(title or "").split())
    if not cleaned:
        raise DomainError(_l("กรุณากรอกชื่อบันทึก"), field="title")
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise DomainError(_l("ชื่อบันทึกยาวได้ไม่เกิน 200 ตัวอักษร"), field="title")
    return cleaned


class BodyTooLarge(DomainError):
    """The body is over MAX_ENTRY_BODY_BYTES (the form shows it as a field error, the preview as a 413)."""


def _normalized_body(body: str | None) -> str:
    """The normalised Markdown, refused when over MAX_ENTRY_BODY_BYTES of UTF-8."""
    cleaned = normalize_text(body or "").strip("\n")
    limit = current_app.config["MAX_ENTRY_BODY_BYTES"]
    if len(cleaned.encode("utf-8")) > limit:
        kb = f"{limit // 1024:,}"
        message = _l("เนื้อหายาวเกินไป: ได้ไม่เกิน %(kb)s KB (ตัวอักษรไทยหนึ่งตัวใช้ 3 ไบต์)", kb=kb)
        raise BodyTooLarge(message, field="body")
    return cleaned


def _clean_body(body: str) -> str:
    """The normalised Markdown, refused when empty or too large."""
    cleaned = _normalized_body(body)
    if not cleaned.strip():
        raise DomainError(_l("กรุณาเขียนเนื้อหาบันทึก"), field="body")
    return cleaned


def preview_html(body: str | None) -> str:
    """The HTML an entry with this body would show: the normalising, limit, renderer and sanitiser of saving."""
    return render_markdown(_normalized_body(body))


def _check_license(code: str | None) -> str:
    code = code or DEFAULT_LICENSE
    if code not in LICENSES_BY_CODE:
        raise DomainError(_l("ไม่รู้จักสัญญาอนุญาตนี้ กรุณาเลือกจากรายการ"), field="license")
    return code


def _parse(tags: str | Iterable[str] | None) -> list[str]:
    """Normalised tag names, in the order given, without repeats; TagError becomes a DomainError on `tags`."""
    text = tags if isinstance(tags, str) else ", ".join(tags or ())
    try:
        return parse_tags(text)
    except TagError as error:
        raise DomainError(str(error), field="tags") from None


def _tags_named(names: list[str]) -> list[Tag]:
    """Get or create the tags, safe when another writer creates the same new tag at the same moment.

    INSERT ... ON CONFLICT DO NOTHING lets the database settle the race on the unique name without a
    savepoint (pysqlite's SAVEPOINT handling could otherwise commit part of the action early).
    """
    if not names:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(Tag).values([{"name": name} for name in names]).on_conflict_do_nothing(index_elements=["name"])
    )
    found = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    return [found[name] for name in names]


def set_entry_tags(entry: Entry, tags: str | Iterable[str] | None) -> list[Tag]:
    """Replace the entry's tags with `tags` (comma-separated text or a list of names)."""
    entry.tags = _tags_named(_parse(tags))
    db.session.flush()
    return entry.tags


def _counter_value() -> int | None:
    return db.session.scalar(select(Counter.value).where(Counter.name == NUMBER_COUNTER))


def _ensure_counter() -> None:
    """Create the number counter on first use, starting after the highest number already taken."""
    highest = db.session.scalar(select(func.max(Entry.number))) or 0
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    row = insert(Counter).values(name=NUMBER_COUNTER, value=highest)
    db.session.execute(row.on_conflict_do_nothing(index_elements=["name"]))


def _next_number() -> int:
    """The next public entry number; incrementing the counter row first locks it, serialising writers."""
    stmt = update(Counter).where(Counter.name == NUMBER_COUNTER).values(value=Counter.value + 1)
    if db.session.execute(stmt).rowcount == 0:
        _ensure_counter()
        db.session.execute(stmt)
    return _counter_value()


def _claim_number(number: int) -> int:
    """Keep a given (imported) number when it is free, and move the counter past it."""
    if not 1 <= number <= MAX_NUMBER:
        raise DomainError(_l("หมายเลขบันทึกต้องเป็นจำนวนเต็มบวก"), field="number")
    if db.session.scalar(select(Entry.id).where(Entry.number == number)) is not None:
        raise Conflict(_l("หมายเลขบันทึก %(n)s มีอยู่แล้ว", n=number), field="number")
    _ensure_counter()
    db.session.execute(
        update(Counter).where(Counter.name == NUMBER_COUNTER, Counter.value < number).values(value=number)
    )
    return number


def _sent_entry(blog: Blog, author: User, submission_key: str | None) -> Entry | None:
    """The entry the editor form with this key already wrote, if any (a Conflict when it is not theirs)."""
    if submission_key is None:
        return None
    entry = db.session.scalar(select(Entry).where(Entry.submission_key == submission_key))
    return check_owner(entry, entry is not None and entry.author_id == author.id and entry.blog_id == blog.id)


def create_entry(
    blog: Blog,
    author: User,
    *,
    title: str,
    body_markdown: str,
    tags: str | Iterable[str] = "",
    license: str = DEFAULT_LICENSE,
    publish: bool = True,
    comments_enabled: bool = True,
    published_at: datetime | None = None,
    created_at: datetime | None = None,
    updated_at: datetime | None = None,
    number: int | None = None,
    import_key: str | None = None,
    submission_key: str | None = None,
) -> Entry:
    """Write an entry in `blog`; the body is rendered and sanitised here, once.

    `number`, the dates and `import_key` are for the importer, which keeps what the original page showed.
    `submission_key` is the editor form's one-time key: the entry a form with that key already wrote is
    returned instead of writing it again (app/submissions.py).
    """
    if not can(author, "write_in_blog", blog):
        raise Forbidden(_l("คุณไม่ได้เป็นผู้เขียนของบล็อกนี้"))
    if submission_key is not None and (sent := _sent_entry(blog, author, submission_key)) is not None:
        return sent
    clean_title = _clean_title(title)
    body = _clean_body(body_markdown)
    license_code = _check_license(license)
    tag_names = _parse(tags)
    if import_key is not None and db.session.scalar(select(Entry.id).where(Entry.import_key == import_key)):
        raise Conflict(_l("นำเข้าบันทึกนี้ไว้แล้ว"), field="import_key")
    now = utcnow()
    created = created_at or published_at or now
    entry = Entry(
        number=_claim_number(number) if number is not None else _next_number(),
        blog=blog,
        author=author,
        title=clean_title,
        body_markdown=body,
        body_html=render_markdown(body),
        license=license_code,
        status=STATUS_PUBLISHED if publish else STATUS_DRAFT,
        comments_enabled=comments_enabled,
        comment_count=0,
        read_count=0,
        created_at=created,
        updated_at=updated_at or created,
        published_at=(published_at or now) if publish else published_at,
        import_key=import_key,
        submission_key=submission_key,
    )
    # The counter's update above is this transaction's first write, so the savepoint nests on SQLite too.
    stored = add_once(entry, submission_key, lambda: _sent_entry(blog, author, submission_key))
    if stored is not entry:
        return stored
    entry.tags = _tags_named(tag_names)
    link_uploads(entry)
    db.session.flush()
    return entry


def update_entry(
    entry: Entry,
    *,
    title: str | None = None,
    body_markdown: str | None = None,
    tags: str | Iterable[str] | None = None,
    license: str | None = None,
    publish: bool | None = None,
    comments_enabled: bool | None = None,
    updated_at: datetime | None = None,
) -> Entry:
    """Change what is given (None leaves a field as it is) and bump `updated_at`.

    Publishing a draft for the first time sets `published_at`; taking an entry back to draft keeps it,
    so re-publishing does not move an old entry to the top of every list.
    """
    if title is not None:
        entry.title = _clean_title(title)
    if body_markdown is not None:
        body = _clean_body(body_markdown)
        if body != entry.body_markdown:
            entry.body_markdown = body
            entry.body_html = render_markdown(body)
            link_uploads(entry)
    if license is not None:
        entry.license = _check_license(license)
    tag_names = _parse(tags) if tags is not None else None
    if comments_enabled is not None:
        entry.comments_enabled = comments_enabled
    now = utcnow()
    if publish is not None:
        entry.status = STATUS_PUBLISHED if publish else STATUS_DRAFT
        if publish and entry.published_at is None:
            entry.published_at = now
    entry.updated_at = updated_at or now
    db.session.flush()
    if tag_names is not None:
        entry.tags = _tags_named(tag_names)
        db.session.flush()
    return entry


def delete_entry(entry: Entry) -> None:
    """Delete the entry with its comments, tag links and reads; its number is never given out again."""
    db.session.delete(entry)
    db.session.flush()


# Built once: every entry page, and the audience of a member's entry page, looks an entry up by number, and
# building the statement cost SQLAlchemy as much again as running it. Not its tags: joined in, SQLite's plan read
# every tag link (16 ms at 10,000 entries).
_ENTRY_BY_NUMBER = (
    select(Entry).where(Entry.number == bindparam("number")).options(joinedload(Entry.author), joinedload(Entry.blog))
)


def find_entry(number: int) -> Entry | None:
    """The entry with this public number, with its author and blog (permissions and pages ask for both)."""
    if not 1 <= number <= MAX_NUMBER:
        return None
    return db.session.scalar(_ENTRY_BY_NUMBER, {"number": number})


def shown_entry() -> ColumnElement[bool]:
    """The condition for an entry readers see: published, by an author who is not suspended."""
    return and_(Entry.status == STATUS_PUBLISHED, Entry.author.has(User.is_suspended.is_(False)))


def _shown_entries() -> Select:
    """Published entries whose author is not suspended, newest first."""
    return select(Entry).where(shown_entry()).order_by(Entry.published_at.desc(), Entry.id.desc())


_PUBLISHED_ENTRIES = _shown_entries().options(
    joinedload(Entry.author), joinedload(Entry.blog), selectinload(Entry.tags)
)


def published_entries_query() -> Select:
    """Published entries whose author is not suspended, newest first, with what cards show loaded.

    Built once (a select is immutable: callers' `.where()` makes a new one); building it cost 0.2 ms a page.
    """
    return _PUBLISHED_ENTRIES


def _neighbour_statement(newer: bool) -> Select:
    """The nearest published entry in a blog before (or after) a point in time: only what links show."""
    at, entry_id = bindparam("published_at"), bindparam("entry_id")
    stmt = (
        select(Entry.id, Entry.number, Entry.title, literal(newer).label("newer"))
        .where(shown_entry(), Entry.blog_id == bindparam("blog_id"), Entry.id != entry_id)
        .limit(1)
    )
    if not newer:
        return stmt.where((Entry.published_at < at) | ((Entry.published_at == at) & (Entry.id < entry_id))).order_by(
            Entry.published_at.desc(), Entry.id.desc()
        )
    return stmt.where((Entry.published_at > at) | ((Entry.published_at == at) & (Entry.id > entry_id))).order_by(
        Entry.published_at.asc(), Entry.id.asc()
    )


# Both neighbours in one statement, built once: each statement cost SQLAlchemy more than the database.
_NEIGHBOURS = union_all(*(select(_neighbour_statement(newer).subquery()) for newer in (False, True)))


def neighbours(entry: Entry) -> tuple[Row | None, Row | None]:
    """The previous (older) and next (newer) published entries in the same blog, as rows of id, number and
    title (what the links show; declared to the page cache, which sees no ORM load here)."""
    if not entry.is_published or entry.published_at is None:
        return None, None
    where = {"blog_id": entry.blog_id, "entry_id": entry.id, "published_at": entry.published_at}
    found: dict[bool, Row] = {}
    for found_row in plain_rows(_NEIGHBOURS, where):
        shown.shows(row("entries", found_row.id))
        found[bool(found_row.newer)] = found_row
    return found.get(False), found.get(True)
