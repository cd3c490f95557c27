"""Read counting: one read per visitor per entry per day, written in batches off the request path.

A page view only adds to an in-process buffer. The buffer is written after the response has been
sent (when it is big or old enough) with INSERT ... ON CONFLICT DO NOTHING into entry_views, so the
database decides what is a repeat, even across several worker processes.

Each application has its own buffer (in `app.extensions`), so reads buffered by one app are never
written into another app's database (tests build many apps in one process).
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import threading
import time
import weakref
from collections import Counter as Tally
from collections import defaultdict
from datetime import date, timedelta

from flask import Flask, current_app, g, request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import changes
from app.extensions import db
from app.models import Entry, EntryView
from app.text.dates import to_local, utcnow

EXTENSION_KEY = "sala.reads"
# Set on `g` by `showing`: the read the page counts for whoever it is served to (app/page_cache/pages.py).
SHOWN_ENTRY = "shown_entry"
# Crawlers and link previewers are not readers.
_ROBOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "python-requests",
    "curl/",
)


class ReadBuffer:
    """Reads waiting to be written: a set, so repeats within one batch cost nothing."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: set[tuple[int, str, date]] = set()
        self.last_flush = time.monotonic()

    def add(self, read: tuple[int, str, date], batch: int, interval: float) -> bool:
        """Remember a read; True when the buffer should now be flushed."""
        with self.lock:
            self.pending.add(read)
            return len(self.pending) >= batch or time.monotonic() - self.last_flush >= interval

    def take(self) -> list[tuple[int, str, date]]:
        with self.lock:
            taken = list(self.pending)
            self.pending.clear()
            self.last_flush = time.monotonic()
        return taken


def _buffer(app: Flask) -> ReadBuffer:
    return app.extensions[EXTENSION_KEY]


def today() -> date:
    """The reader's day, in Thailand: a read after midnight in Bangkok counts again."""
    return to_local(utcnow()).date()


def is_robot(user_agent: str | None = None) -> bool:
    return _is_robot_agent(request.user_agent.string if user_agent is None else user_agent)


# Worked out once per browser string, and once per visitor and day, rather than for every page served: on a page
# kept for guests they were a fifth of the answer.
@functools.lru_cache(maxsize=1024)
def _is_robot_agent(user_agent: str) -> bool:
    agent = user_agent.lower()
    return any(marker in agent for marker in _ROBOT_MARKERS)


@functools.lru_cache(maxsize=4096)
def _keyed_digest(secret: bytes, raw: str) -> str:
    return hashlib.blake2b(raw.encode(), key=secret[:64], digest_size=16).hexdigest()


def _hashed(raw: str) -> str:
    return _keyed_digest(current_app.config["SECRET_KEY"].encode(), raw)


def guest_key(day: date, remote_addr: str | None, user_agent: str) -> str:
    """The visitor key of a reader who is not signed in: their address and browser on `day`."""
    return _hashed(f"guest:{remote_addr}:{user_agent}:{day.isoformat()}")


def visitor_key(day: date) -> str:
    """A non-reversible key for the current visitor (member id, or address and browser) on `day`.

    The day is part of the hashed text, so keys from different days cannot be linked to each other.
    """
    if current_user.is_authenticated:
        return _hashed(f"user:{current_user.id}:{day.isoformat()}")
    return guest_key(day, request.remote_addr, request.user_agent.string)


def _buffer_read(entry_id: int, key: str, day: date) -> bool:
    app = current_app._get_current_object()
    config = app.config
    return _buffer(app).add((entry_id, key, day), config["READ_FLUSH_BATCH"], config["READ_FLUSH_INTERVAL_SECONDS"])


def count_guest_read(entry_id: int, remote_addr: str | None, user_agent: str) -> bool:
    """`count_read` for a reader known to be a guest, outside a request context (app/page_cache/pages.py)."""
    if is_robot(user_agent):
        return False
    day = today()
    return _buffer_read(entry_id, guest_key(day, remote_addr, user_agent), day)


def record_read(entry_id: int) -> bool:
    """Buffer a read of the entry by the current visitor; True when the buffer should now be flushed."""
    day = today()
    return _buffer_read(entry_id, visitor_key(day), day)


def _insert_ignoring_duplicates(row: dict):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: a row comes back only when the read was new.

    Not `rowcount`: SQLAlchemy reports -1 for an INSERT on psycopg, which would count every repeat read.
    """
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(EntryView).values(row).on_conflict_do_nothing().returning(EntryView.entry_id)


def _write(pending: list[tuple[int, str, date]]) -> int:
    """Insert the reads in one transaction and add the new ones to each entry's read_count."""
    ids = {entry_id for entry_id, _, _ in pending}
    # An entry deleted since it was read would fail the foreign key and lose the whole batch.
    existing = set(db.session.scalars(select(Entry.id).where(Entry.id.in_(ids))))
    counted: Tally[int] = Tally()
    for entry_id, key, day in pending:
        if entry_id not in existing:
            continue
        row = {"entry_id": entry_id, "visitor_key": key, "day": day}
        if db.session.execute(_insert_ignoring_duplicates(row)).first() is not None:
            counted[entry_id] += 1
    # Through the change feed, so the pages showing these counts are retired; one UPDATE per distinct count.
    by_count: defaultdict[int, list[int]] = defaultdict(list)
    for entry_id, n in counted.items():
        by_count[n].append(entry_id)
    for n, entry_ids in by_count.items():
        changes.bulk_update(Entry, sorted(entry_ids), {"read_count": Entry.read_count + n})
    # Only today's (and, near midnight, yesterday's) rows can still stop a repeat; older ones are dead weight.
    oldest_kept = min(day for _, _, day in pending) - timedelta(days=1)
    db.session.execute(delete(EntryView).where(EntryView.day < oldest_kept))
    return sum(counted.values())


def flush(app: Flask | None = None) -> int:
    """Write the buffered reads in their own app context and session; returns how many new reads counted."""
    app = app or current_app._get_current_object()
    pending = _buffer(app).take()
    if not pending:
        return 0
    with app.app_context():
        try:
            counted = _write(pending)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
    return counted


def flush_quietly(app: Flask) -> None:
    """Flush, logging instead of raising: a lost batch of read counts must not break a response or exit."""
    try:
        flush(app)
    except Exception:  # noqa: BLE001 - read counts are not worth an error page or a crash at exit
        app.logger.exception("could not write buffered read counts")


def showing(entry: Entry) -> None:
    """The page being rendered shows `entry`: a read is counted for each reader it is served to, but its author."""
    setattr(g, SHOWN_ENTRY, (entry.id, entry.author_id))


def count_read(entry_id: int) -> bool:
    """Buffer the current reader's read; True when the buffer is due to be written, once the response is sent
    (`flush_quietly`, from the response's `call_on_close`: app/page_cache/pages.py)."""
    return not is_robot() and record_read(entry_id)


def _flush_at_exit(app_ref: weakref.ref[Flask]) -> None:
    app = app_ref()
    if app is not None:
        flush_quietly(app)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = ReadBuffer()
    # A weak reference, so apps built and dropped (as tests do) are not kept alive until exit.
    atexit.register(_flush_at_exit, weakref.ref(app))
