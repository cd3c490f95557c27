"""Keeping the index in step with the database through an outbox (the search_tasks table).

Every flush that changes something a search document shows writes `SearchTask` rows on the flush's own
connection, so the tasks commit or roll back with the change itself. After the commit the tasks are applied
at once ("drained") on separate connections: pending rows are read under the index's write lock, expanded
to entry ids, written with one Whoosh writer, the writer is committed, and only then are the rows deleted in
a new short transaction — a crash in between re-applies them, which is harmless. When another process or
thread holds the index lock for longer than LOCK_WAIT the tasks simply stay pending: the holder checks the
outbox again after releasing the lock, and `flask search sync` applies whatever is left.

The same outbox feeds both backends (app.search.backends): with PostgreSQL a batch is applied to the
search_documents table, and its rows deleted, in one transaction under an advisory lock instead of the
index's write lock.

The listeners are attached once per process to SQLAlchemy's Session class when this module is imported
(app.cli imports it through app.search.cli, so every application has them); they find the application,
its index directory and its SEARCH_SYNC_ON_COMMIT flag through `current_app`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Engine, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Session

from app.entries import related
from app.extensions import db
from app.models import Blog, Comment, Entry, SearchTask, Station, StationBlog, User
from app.models.search_task import TASK_BLOG, TASK_ENTRY, TASK_USER
from app.models.station import STATUS_ACCEPTED
from app.page_cache.invalidation import index_changed
from app.search import backends
from app.search.index import open_writer, write_entries

logger = logging.getLogger(__name__)

# How long a commit waits for another writer's index lock before leaving its tasks pending.
LOCK_WAIT = 0.5
DRAIN_BATCH = 500

ENTRY_FIELDS = frozenset(
    {"title", "body_html", "status", "published_at", "number", "blog_id", "author_id", "blog", "author", "tags"}
)
COMMENT_FIELDS = frozenset({"is_hidden", "status", "body_text", "entry_id", "entry", "author_id", "author"})
BLOG_FIELDS = frozenset({"title", "slug", "slug_key"})
USER_FIELDS = frozenset({"display_name", "username", "username_key", "is_suspended"})
STATION_FIELDS = frozenset({"name", "slug", "slug_key"})
STATION_BLOG_FIELDS = frozenset({"status", "blog_id", "station_id"})

_QUEUED = "search_queued"  # (kind, id or object) noted before the flush, resolved after it
_WRITTEN = "search_written"  # (kind, id) already in the outbox in this transaction
_ENGINE = "search_engine"  # the engine the tasks were written to, so the drain reads the same database


def _changed(obj: Any, names: frozenset[str]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _old_and_new(obj: Any, name: str) -> set[int]:
    getattr(obj, name)  # load an expired value, or its history would be empty
    history = inspect(obj).attrs[name].history
    return {value for value in (*history.deleted, *history.added, *history.unchanged) if value is not None}


def _accepted_blog_ids(session: Session, station: Station) -> list[int]:
    stmt = select(StationBlog.blog_id).where(
        StationBlog.station_id == station.id, StationBlog.status == STATUS_ACCEPTED
    )
    return list(session.scalars(stmt))


def _note_new(obj: Any, queued: list) -> None:
    if isinstance(obj, (Entry, Comment)):
        queued.append((TASK_ENTRY, obj))
    elif isinstance(obj, StationBlog) and obj.status == STATUS_ACCEPTED:
        queued.append((TASK_BLOG, obj))


def _note_dirty(session: Session, obj: Any, queued: list) -> None:
    if isinstance(obj, Entry) and _changed(obj, ENTRY_FIELDS):
        queued.append((TASK_ENTRY, obj.id))
    elif isinstance(obj, Comment) and _changed(obj, COMMENT_FIELDS):
        queued.extend((TASK_ENTRY, entry_id) for entry_id in _old_and_new(obj, "entry_id"))
        queued.append((TASK_ENTRY, obj))
    elif isinstance(obj, StationBlog) and _changed(obj, STATION_BLOG_FIELDS):
        queued.extend((TASK_BLOG, blog_id) for blog_id in _old_and_new(obj, "blog_id"))
    elif isinstance(obj, Blog) and _changed(obj, BLOG_FIELDS):
        queued.append((TASK_BLOG, obj.id))
    elif isinstance(obj, User) and _changed(obj, USER_FIELDS):
        queued.append((TASK_USER, obj.id))
    elif isinstance(obj, Station) and _changed(obj, STATION_FIELDS):
        queued.extend((TASK_BLOG, blog_id) for blog_id in _accepted_blog_ids(session, obj))


def _note_deleted(session: Session, obj: Any, queued: list) -> None:
    if isinstance(obj, Entry):
        queued.append((TASK_ENTRY, obj.id))
    elif isinstance(obj, Comment):
        queued.extend((TASK_ENTRY, entry_id) for entry_id in _old_and_new(obj, "entry_id"))
    elif isinstance(obj, StationBlog):
        if obj.status == STATUS_ACCEPTED or _changed(obj, STATION_BLOG_FIELDS):
            queued.extend((TASK_BLOG, blog_id) for blog_id in _old_and_new(obj, "blog_id"))
    elif isinstance(obj, Blog):
        queued.append((TASK_BLOG, obj.id))
    elif isinstance(obj, User):
        queued.append((TASK_USER, obj.id))
    elif isinstance(obj, Station):
        queued.extend((TASK_BLOG, blog_id) for blog_id in _accepted_blog_ids(session, obj))


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Note what this flush changes that a search document shows (ids of new rows are known only after it)."""
    queued = session.info.setdefault(_QUEUED, [])
    with session.no_autoflush:
        for obj in session.new:
            _note_new(obj, queued)
        for obj in session.dirty:
            _note_dirty(session, obj, queued)
        for obj in session.deleted:
            _note_deleted(session, obj, queued)


def _resolve(kind: str, ref: Any) -> int | None:
    if isinstance(ref, int):
        return ref
    if isinstance(ref, Comment):
        return ref.entry_id if ref.entry_id is not None else (ref.entry.id if ref.entry else None)
    if isinstance(ref, StationBlog):
        return ref.blog_id
    return ref.id


def _after_flush(session: Session, flush_context: Any) -> None:
    """Write the noted tasks on the flush's connection: they commit or roll back with the change."""
    queued = session.info.pop(_QUEUED, None)
    if not queued:
        return
    written = session.info.setdefault(_WRITTEN, set())
    rows = []
    for kind, ref in queued:
        ref_id = _resolve(kind, ref)
        if ref_id is None or (kind, ref_id) in written:
            continue
        written.add((kind, ref_id))
        rows.append({"kind": kind, "ref_id": ref_id})
    if rows:
        connection = session.connection()
        connection.execute(insert(SearchTask), rows)
        session.info[_ENGINE] = connection.engine


def _forget(session: Session, *args: Any) -> None:
    for key in (_QUEUED, _WRITTEN, _ENGINE):
        session.info.pop(key, None)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    """A finished outer transaction (committed, rolled back or closed) leaves nothing noted behind."""
    if transaction.parent is None:
        _forget(session)


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    """Rows written inside a rolled-back savepoint are gone, so they may be written again."""
    session.info.pop(_QUEUED, None)
    session.info.pop(_WRITTEN, None)


def _after_commit(session: Session) -> None:
    """Apply this transaction's tasks (and any left pending) right away; never raise into the caller.

    SQLAlchemy also sends after_commit when a savepoint is released; the transaction is still open then (on
    SQLite it holds the write lock the drain would wait for), so only the outermost commit applies tasks.
    """
    if session.in_nested_transaction():
        return
    engine = session.info.get(_ENGINE)
    _forget(session)
    if engine is None or not has_app_context():
        return
    if not current_app.config.get("SEARCH_SYNC_ON_COMMIT", True):
        return
    try:
        drain(engine=engine, timeout=LOCK_WAIT)
    except Exception:
        logger.exception("search index update failed; the tasks stay pending for `flask search sync`")


def register_listeners() -> None:
    """Attach the outbox listeners to every SQLAlchemy session, once per process."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
        ("after_soft_rollback", _after_soft_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def pending_count(engine: Engine | None = None) -> int:
    with (engine or db.engine).connect() as connection:
        return connection.scalar(select(func.count()).select_from(SearchTask)) or 0


def expand_tasks(session: Session, tasks: list[tuple[int, str, int]]) -> tuple[list[int], set[int], set[int]]:
    """Entry ids to re-index for the tasks, and the blog and user ids whose documents are rebuilt whole."""
    entry_ids = {ref for _, kind, ref in tasks if kind == TASK_ENTRY}
    blog_ids = {ref for _, kind, ref in tasks if kind == TASK_BLOG}
    user_ids = {ref for _, kind, ref in tasks if kind == TASK_USER}
    if blog_ids:
        entry_ids.update(session.scalars(select(Entry.id).where(Entry.blog_id.in_(blog_ids))))
    if user_ids:
        entry_ids.update(session.scalars(select(Entry.id).where(Entry.author_id.in_(user_ids))))
        # Comments by a suspended member leave the index too.
        entry_ids.update(session.scalars(select(Comment.entry_id).where(Comment.author_id.in_(user_ids))))
    related.note_indexed(entry_ids)
    return sorted(entry_ids), blog_ids, user_ids


def read_tasks(session: Session) -> list[tuple[int, str, int]]:
    """The oldest DRAIN_BATCH pending tasks as (id, kind, ref_id)."""
    stmt = select(SearchTask.id, SearchTask.kind, SearchTask.ref_id).order_by(SearchTask.id).limit(DRAIN_BATCH)
    return [(task_id, kind, ref_id) for task_id, kind, ref_id in session.execute(stmt)]


def apply_whoosh_batch(path: Path, engine: Engine, timeout: float) -> int | None:
    """Apply up to DRAIN_BATCH pending tasks under the index lock; None when the lock was busy."""
    writer = open_writer(path, timeout)
    if writer is None:
        return None
    session = Session(engine)
    try:
        tasks = read_tasks(session)
        if not tasks:
            writer.cancel()
            return 0
        entry_ids, blog_ids, user_ids = expand_tasks(session, tasks)
        for blog_id in blog_ids:
            writer.delete_by_term("blog_id", str(blog_id))
        for user_id in user_ids:
            writer.delete_by_term("author_id", str(user_id))
        write_entries(writer, session, entry_ids)
    except BaseException:
        writer.cancel()
        # A result left half-read would keep an old snapshot on a pooled connection: drop the connection.
        session.invalidate()
        raise
    finally:
        session.close()
    writer.commit()
    with engine.begin() as connection:
        connection.execute(delete(SearchTask).where(SearchTask.id.in_([task_id for task_id, _, _ in tasks])))
    return len(tasks)


def drain(path: Path | None = None, *, engine: Engine | None = None, timeout: float = LOCK_WAIT) -> int | None:
    """Apply every pending task; returns how many, or None when the index stayed locked (tasks kept).

    The outbox is read again after each batch, once the lock is released, so a task whose writer gave up
    waiting for this drain's lock is not left behind.
    """
    backend = backends.current()
    engine = engine or db.engine
    applied = 0
    noted = related.start_noting()  # the entries the index takes have their related entries ranked again
    try:
        while True:
            done = backend.apply_batch(engine, timeout, path)
            if done is None:
                return applied or None
            applied += done
            if pending_count(engine) == 0:
                return applied
    finally:
        if applied:
            index_changed()
        related.refresh_noted(noted)


register_listeners()
