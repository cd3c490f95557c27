"""Rate-limit counters in a SQLite file, shared by every worker process of one machine.

Flask-Limiter's `memory://` keeps counters in each process, so with N gunicorn workers every limit is N times
looser. This is a `limits` storage (registered for `sqlite:///<path>` through `limits.storage.Storage`'s
STORAGE_SCHEME) for the fixed-window strategy: one row per counter, incremented by a single atomic UPSERT that
also restarts a window past its expiry, in WAL mode so readers never wait for the writer. Several machines need
a shared server instead: RATELIMIT_STORAGE_URI=redis://...
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

WAL_RETRY_SECONDS = 0.02


def _use_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """Switch the file to WAL (kept in the file, so once is enough). SQLite answers "database is locked" at once,
    without waiting out the busy timeout, when processes opening a new file switch it together: try again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(WAL_RETRY_SECONDS)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS ix_counters_expires_at ON counters (expires_at);
"""
_INCREMENT = """
INSERT INTO counters (key, count, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires_at <= :now THEN excluded.count ELSE count + excluded.count END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING count
"""
# Expired rows are deleted every this many increments in each process (a live counter is never deleted).
PRUNE_EVERY = 1000


class SQLiteStorage(Storage):
    STORAGE_SCHEME = ["sqlite"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, timeout: float = 5.0, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.removeprefix("sqlite:///")
        if not self.path or self.path == uri:
            raise ValueError(f"expected sqlite:///<path of a file>, got {uri!r}")
        self.timeout = timeout
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection; a process forked from one that had connections opens its own."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            _use_wal(connection, self.timeout)
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.executescript(_SCHEMA)
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        connection = self._connection()
        now = time.time()
        parameters = {"key": key, "amount": amount, "now": now, "expiry": expiry}
        (count,) = connection.execute(_INCREMENT, parameters).fetchone()
        self._increments += 1
        if self._increments % PRUNE_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT count FROM counters WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute("SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?", (key, time.time()))
            .fetchone()
        )
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
