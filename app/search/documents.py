"""How an entry becomes a search document — the one place that decides what the index may hold — and which
entries belong in the index; shared by both backends."""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, object_session, selectinload

from app.extensions import db
from app.models import STATUS_PUBLISHED, Comment, Entry, Station, StationBlog, User
from app.models.comment import COMMENT_PUBLISHED
from app.models.station import STATUS_ACCEPTED
from app.search.analyzer import Sections, analyze

# Weight of each section of the `text` field (a term's frequency counts this much for ranking).
SECTION_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "tags": 2.0,
    "names": 1.0,  # blog title, author's display name and username, station names and slugs
    "body": 1.0,
    "comments": 0.3,
}
# Entries read from the database at a time when documents are made in bulk (a rebuild).
DOCUMENT_BATCH = 500
Job = TypeVar("Job")
Result = TypeVar("Result")


@dataclass
class EntryContext:
    """What a document needs beyond the entry row, loaded for a whole batch in two queries."""

    # entry id -> texts of visible comments (not hidden, author not suspended), oldest first
    comments: dict[int, list[str]] = field(default_factory=dict)
    stations: dict[int, list[Station]] = field(default_factory=dict)  # blog id -> accepted stations


def entries_by_id(session: Session, ids: Iterable[int]) -> list[Entry]:
    """The entries with these ids, with author, blog and tags loaded (no per-entry queries later)."""
    ids = list(ids)
    if not ids:
        return []
    stmt = (
        select(Entry)
        .where(Entry.id.in_(ids))
        .options(joinedload(Entry.author), joinedload(Entry.blog), selectinload(Entry.tags))
    )
    return list(session.scalars(stmt).unique())


def load_context(session: Session, entries: Sequence[Entry]) -> EntryContext:
    """Visible comment texts and accepted stations for `entries`."""
    context = EntryContext()
    entry_ids = [e.id for e in entries if e.status == STATUS_PUBLISHED]
    if not entry_ids:
        return context
    rows = session.execute(
        select(Comment.entry_id, Comment.body_text)
        .outerjoin(User, User.id == Comment.author_id)
        .where(
            Comment.entry_id.in_(entry_ids),
            Comment.status == COMMENT_PUBLISHED,
            Comment.is_hidden.is_(False),
            or_(Comment.author_id.is_(None), User.is_suspended.is_(False)),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    comments: dict[int, list[str]] = defaultdict(list)
    for entry_id, text in rows:
        comments[entry_id].append(text)
    blog_ids = {e.blog_id for e in entries}
    links = session.execute(
        select(StationBlog.blog_id, Station)
        .join(Station, Station.id == StationBlog.station_id)
        .where(StationBlog.blog_id.in_(blog_ids), StationBlog.status == STATUS_ACCEPTED)
        .order_by(Station.slug_key)
    )
    stations: dict[int, list[Station]] = defaultdict(list)
    for blog_id, station in links:
        stations[blog_id].append(station)
    context.comments, context.stations = dict(comments), dict(stations)
    return context


def _naive_utc(moment: datetime) -> datetime:
    """Whoosh stores naive datetimes; ours are UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None)


def entry_document(entry: Entry, context: EntryContext | None = None) -> dict | None:
    """The index document for `entry`, or None when it must not be in the index.

    Only published entries of authors who are not suspended are indexed; comments contribute their text
    only when visible and not written by a suspended member; no email or IP address is ever copied.
    `context` comes from `load_context` for a batch; without it the entry's comments and stations are
    loaded here.
    """
    author = entry.author
    if entry.status != STATUS_PUBLISHED or entry.published_at is None or author is None or author.is_suspended:
        return None
    if context is None:
        context = load_context(object_session(entry), [entry])
    blog = entry.blog
    tag_names = [tag.name for tag in entry.tags]
    stations = context.stations.get(entry.blog_id, [])
    names = [blog.title, author.display_name, author.username] + [w for s in stations for w in (s.slug, s.name)]
    sections = {
        "title": entry.title,
        "tags": "\n".join(tag_names),
        "names": "\n".join(names),
        "body": entry.body_text,
        "comments": "\n".join(context.comments.get(entry.id, [])),
    }
    return {
        "entry_id": str(entry.id),
        "text": Sections((sections[name], weight) for name, weight in SECTION_WEIGHTS.items()),
        "tags": ",".join(tag_names),
        "blog": blog.slug_key,
        "blog_id": str(blog.id),
        "author_id": str(author.id),
        "author": author.username_key,
        "stations": ",".join(s.slug_key for s in stations),
        "published": _naive_utc(entry.published_at),
    }


def indexable_entries_query():
    """Ids of the entries that belong in the index (the documents decide the finer points)."""
    return (
        select(Entry.id)
        .join(User, User.id == Entry.author_id)
        .where(Entry.status == STATUS_PUBLISHED, Entry.published_at.is_not(None), User.is_suspended.is_(False))
        .order_by(Entry.id)
    )


def entry_documents(session: Session, entry_ids: list[int]) -> Iterator[dict]:
    """The index documents of these entries (those that belong in the index), read in batches."""
    for start in range(0, len(entry_ids), DOCUMENT_BATCH):
        entries = entries_by_id(session, entry_ids[start : start + DOCUMENT_BATCH])
        context = load_context(session, entries)
        for entry in entries:
            document = entry_document(entry, context)
            if document is not None:
                yield document
        session.expunge_all()
        session.rollback()  # end the read transaction between batches


def key_terms(entry: Entry) -> Counter[str]:
    """The words of `entry`'s title and body as the query analyzer reads them, counted: the material of
    "more like this" -- single words, not the pair terms, which mostly occur in one entry only and so would
    find nothing but the entry."""
    return Counter(analyze(f"{entry.title}\n{entry.body_text}"))


def _forget_parent_connections() -> None:
    """A forked worker must not use the database connections it inherited from the parent."""
    db.engine.dispose(close=False)


def map_in_processes(work: Callable[[Job], Result], jobs: list[Job], procs: int) -> list[Result]:
    """`work` over `jobs` in up to `procs` forked processes, each with database connections of its own (the
    parent's pool is emptied first): a rebuild reads and analyses its entries on every core."""
    db.engine.dispose()
    with multiprocessing.get_context("fork").Pool(min(procs, len(jobs)), _forget_parent_connections) as pool:
        return pool.map(work, jobs, chunksize=1)
