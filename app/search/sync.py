"""Keeping the index in step with the database through an outbox (the search_tasks table).

Every flush that changes something a search document shows writes `SearchTask` rows on the flush's own
connection (an in-transaction consumer of the change feed, app.changes), so the tasks commit or roll back with
the change itself. After the commit the task worker (app.tasks) is asked to apply them, off the request
path: the request that wrote them answers without waiting for the index. The worker "drains" the outbox on
separate connections: pending rows are read under the index's write lock, expanded
to entry ids, written with one Whoosh writer, the writer is committed, and only then are the rows deleted in
a new short transaction — a crash in between re-applies them, which is harmless. When another process or
thread holds the index lock for longer than LOCK_WAIT the tasks simply stay pending: the holder checks the
outbox again after releasing the lock, and `flask search sync` applies whatever is left.

The same outbox feeds both backends (app.search.backends), which read it through app.search.outbox: with
PostgreSQL a batch is applied to the search_documents table, and its rows deleted, in one transaction under
an advisory lock instead of the index's write lock. An index of an older release takes no changes: they wait
here for `flask search reindex`.

The module subscribes to the change feed when it is imported (app.cli imports it through app.search.cli, so
every application has it); after a commit it finds the application, its index directory and its
SEARCH_SYNC_ON_COMMIT flag through `current_app`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from app import tasks
from app.changes import UPDATE, Change, subscribe
from app.entries import related
from app.extensions import db
from app.models import Blog, Comment, Entry, SearchTask, Station, StationBlog, User
from app.models.search_task import TASK_BLOG, TASK_ENTRY, TASK_USER
from app.models.station import STATUS_ACCEPTED
from app.page_cache.invalidation import index_changed
from app.search import backends, outbox
from app.search.outbox import pending_count

logger = logging.getLogger(__name__)

# How long a commit waits for another writer's index lock before leaving its tasks pending.
LOCK_WAIT = 0.5

ENTRY_FIELDS = frozenset(
    {"title", "body_html", "status", "published_at", "number", "blog_id", "author_id", "blog", "author", "tags"}
)
COMMENT_FIELDS = frozenset({"is_hidden", "status", "body_text", "entry_id", "entry", "author_id", "author"})
BLOG_FIELDS = frozenset({"title", "slug", "slug_key"})
USER_FIELDS = frozenset({"display_name", "username", "username_key", "is_suspended"})
STATION_FIELDS = frozenset({"name", "slug", "slug_key"})
STATION_BLOG_FIELDS = frozenset({"status", "blog_id", "station_id"})

_WRITTEN = "search_written"  # {open transaction or savepoint: {(kind, id)}} tasks already in the outbox

# What each table's search documents show; an insert or delete always counts.
WATCHED = {
    Entry.__tablename__: ENTRY_FIELDS,
    Comment.__tablename__: COMMENT_FIELDS,
    Blog.__tablename__: BLOG_FIELDS,
    User.__tablename__: USER_FIELDS,
    Station.__tablename__: STATION_FIELDS,
    StationBlog.__tablename__: STATION_BLOG_FIELDS,
}


def _watched(change: Change) -> bool:
    names = WATCHED.get(change.table)
    return names is not None and (change.kind != UPDATE or bool(change.fields & names))


def _accepted_blog_ids(session: Session, station_id: int) -> list[int]:
    accepted = StationBlog.status == STATUS_ACCEPTED
    stmt = select(StationBlog.blog_id).where(StationBlog.station_id == station_id, accepted)
    return list(session.scalars(stmt))


def _tasks(session: Session, change: Change) -> set[tuple[str, int]]:
    """The outbox tasks a change needs: the entries, blogs or members whose documents it alters."""
    if not _watched(change):
        return set()
    (ref_id, *_) = change.key
    if change.table == Entry.__tablename__:
        return {(TASK_ENTRY, ref_id)}
    if change.table == Comment.__tablename__:
        return {(TASK_ENTRY, entry_id) for entry_id in change.refs["entry_id"]}
    if change.table == StationBlog.__tablename__:
        return {(TASK_BLOG, blog_id) for blog_id in change.refs["blog_id"]}
    if change.table == Station.__tablename__:
        return {(TASK_BLOG, blog_id) for blog_id in _accepted_blog_ids(session, ref_id)}
    return {(TASK_BLOG if change.table == Blog.__tablename__ else TASK_USER, ref_id)}


def _already_written(session: Session) -> tuple[set, set]:
    """Tasks this transaction (and its open savepoints) wrote, and the set to add this flush's to.

    A rolled-back savepoint's rows are gone with it, so only the transactions still open count.
    """
    by_transaction = session.info.setdefault(_WRITTEN, {})
    chain, transaction = [], session.get_nested_transaction() or session.get_transaction()
    while transaction is not None:
        chain.append(transaction)
        transaction = transaction.parent
    for gone in by_transaction.keys() - set(chain):
        del by_transaction[gone]
    written = set().union(*(by_transaction.get(open_one, ()) for open_one in chain))
    return written, by_transaction.setdefault(chain[0], set())


def write_tasks(session: Session, changes: list[Change]) -> None:
    """Write the changes' tasks on the flush's connection: they commit or roll back with the change."""
    tasks = set().union(*(_tasks(session, change) for change in changes))
    written, writing = _already_written(session)
    rows = [{"kind": kind, "ref_id": ref_id} for kind, ref_id in sorted(tasks - written)]
    if rows:
        session.connection().execute(insert(SearchTask), rows)
        writing.update(tasks)


def apply_committed(changes: list[Change]) -> None:
    """After the commit, queue the application of the tasks (and any left pending) for the task worker; never
    raise into the caller. In TASK_QUEUE_IMMEDIATE mode (tests) they are applied here and now."""
    if not has_app_context() or not any(_watched(change) for change in changes):
        return
    if not current_app.config.get("SEARCH_SYNC_ON_COMMIT", True):
        return
    try:
        tasks.enqueue(apply_pending)
    except Exception:
        logger.exception("could not queue the search index update; the tasks stay pending for `flask search sync`")


@tasks.task
def apply_pending() -> None:
    """Task: apply what the outbox holds. Queued after every commit that wrote tasks, so most of these find the
    outbox already drained by an earlier one and end after one count. A failure leaves the tasks pending for
    the next commit's task or `flask search sync`."""
    try:
        if pending_count(db.engine):
            drain(engine=db.engine, timeout=LOCK_WAIT)
    except Exception:
        logger.exception("search index update failed; the tasks stay pending for `flask search sync`")


def register_listeners() -> None:
    """Consume the change feed (app.changes): tasks in the transaction, applied after the commit."""
    subscribe("search", in_transaction=write_tasks, after_commit=apply_committed)


def drain(path: Path | None = None, *, engine: Engine | None = None, timeout: float = LOCK_WAIT) -> int | None:
    """Apply every pending task; returns how many, or None when the index stayed locked (tasks kept).

    The outbox is read again after each batch, once the lock is released, so a task whose writer gave up
    waiting for this drain's lock is not left behind.
    """
    backend = backends.current()
    engine = engine or db.engine
    applied = 0
    noting = outbox.start_noting()  # the entries the index takes have their related entries ranked again
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
        related.refresh_taken(outbox.stop_noting(noting))


register_listeners()
