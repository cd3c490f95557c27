"""The outbox table (search_tasks) as the backends read it: the oldest pending tasks and the entries they cover.

Tasks are written by app.search.sync, in the transaction of the change that needs them; a backend applies a
batch (`apply_batch`) and deletes its rows once the documents are written.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Comment, Entry, SearchTask
from app.models.search_task import TASK_BLOG, TASK_ENTRY, TASK_USER
from app.models.types import utcnow

DRAIN_BATCH = 500

_taken: ContextVar[set[int] | None] = ContextVar("search_taken", default=None)


def start_noting() -> Token:
    """Around applying tasks (a drain): from now on note the entries whose documents the backend rewrites."""
    return _taken.set(set())


def stop_noting(token: Token) -> set[int]:
    """Stop noting; the entries noted since `start_noting`."""
    taken = _taken.get() or set()
    _taken.reset(token)
    return taken


def pending_count(engine: Engine | None = None) -> int:
    with (engine or db.engine).connect() as connection:
        return connection.scalar(select(func.count()).select_from(SearchTask)) or 0


def pending_and_waited(engine: Engine | None = None) -> tuple[int, float]:
    """How many tasks are pending, and how long the oldest has waited (0 when none waits), in one query."""
    with (engine or db.engine).connect() as connection:
        count, oldest = connection.execute(select(func.count(), func.min(SearchTask.created_at))).one()
    return count or 0, 0.0 if oldest is None else max((utcnow() - oldest).total_seconds(), 0.0)


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
    taken = _taken.get()
    if taken is not None:
        taken.update(entry_ids)
    return sorted(entry_ids), blog_ids, user_ids


def read_tasks(session: Session) -> list[tuple[int, str, int]]:
    """The oldest DRAIN_BATCH pending tasks as (id, kind, ref_id)."""
    stmt = select(SearchTask.id, SearchTask.kind, SearchTask.ref_id).order_by(SearchTask.id).limit(DRAIN_BATCH)
    return [(task_id, kind, ref_id) for task_id, kind, ref_id in session.execute(stmt)]
