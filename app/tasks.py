"""The task queue: work a request leaves to a worker process (Huey): applying search changes, ranking related entries.

A task is a function marked `@task` in one of TASK_MODULES; `enqueue(fn, *args)` queues it. Each application
gets its own Huey instance, built from its configuration when a task is first queued (building one opens the
queue's SQLite file, which an app factory should not do): TASK_QUEUE_URL names the storage (a SQLite file,
the default, or Redis), and TASK_QUEUE_IMMEDIATE runs each task at once in the queuing process (tests).

The worker is Huey's own consumer, `huey_consumer worker.huey` (worker.py builds the application and its
queue). Each task runs in a fresh application context, so it has its own database session, and commits once
when it returns, as a view does; on an exception it rolls back and Huey logs it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from importlib import import_module
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from app.extensions import db

EXTENSION_KEY = "sala.tasks"
QUEUE_NAME = "sala"
# The modules that define tasks: imported before a queue is built, so producer and worker know the same tasks.
TASK_MODULES = ("app.entries.related", "app.search.sync")
# A task that fails (a database busy beyond its timeout, say) is tried again this many times.
RETRIES = 2
RETRY_DELAY_SECONDS = 10

_tasks: dict[str, Callable[..., None]] = {}
_building = threading.Lock()


class ConfigurationError(RuntimeError):
    """TASK_QUEUE_URL names a storage Huey does not offer here."""


@dataclass
class TaskQueue:
    huey: Huey
    tasks: dict[str, TaskWrapper] = field(default_factory=dict)


def task_name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def task(fn: Callable[..., None]) -> Callable[..., None]:
    """Mark `fn` as a task: `enqueue(fn, ...)` runs it in the worker; calling `fn` still runs it here."""
    _tasks[task_name(fn)] = fn
    return fn


def create_huey(config: dict[str, Any]) -> Huey:
    """The Huey instance TASK_QUEUE_URL names: ``sqlite:///<path>`` or ``redis://…``/``rediss://…``."""
    url = config["TASK_QUEUE_URL"]
    options = {"results": False, "immediate": bool(config.get("TASK_QUEUE_IMMEDIATE"))}
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), **options)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, **options)
    raise ConfigurationError(f"TASK_QUEUE_URL must start with sqlite:/// or redis://, not {url!r}")


def _in_app_context(app: Flask, fn: Callable[..., None]) -> Callable[..., None]:
    @wraps(fn)
    def run(*args: Any) -> None:
        with app.app_context():
            try:
                fn(*args)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise

    return run


def _build(app: Flask) -> TaskQueue:
    for module in TASK_MODULES:
        import_module(module)
    queue = TaskQueue(create_huey(app.config))
    for name, fn in _tasks.items():
        wrapped = _in_app_context(app, fn)
        queue.tasks[name] = queue.huey.task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS)(wrapped)
    return queue


def queue(app: Flask | None = None) -> TaskQueue:
    """The application's queue (the current one's by default), built on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _building:
        if EXTENSION_KEY not in app.extensions:
            app.extensions[EXTENSION_KEY] = _build(app)
    return app.extensions[EXTENSION_KEY]


def enqueue(fn: Callable[..., None], *args: Any) -> None:
    """Queue the task `fn` with `args` (plain values: they are pickled for the worker)."""
    queue().tasks[task_name(fn)](*args)
