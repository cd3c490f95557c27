"""The default rate-limit storage is shared by every worker process of a machine (app/rate_limit_storage.py).

The workers here are processes forked from the test's process after it built the app, as gunicorn forks its
workers from the master that loaded the app (preload, gunicorn.conf.py).
"""

from __future__ import annotations

import multiprocessing
import time

import pytest

from app.extensions import db
from config import INSTANCE_DIR, Config
from tests.factories import make_user

WRONG = {"login": "somchai", "password": "wrong-password"}
RIGHT = {"login": "somchai", "password": "password123"}
_fork = multiprocessing.get_context("fork")
_addresses = iter(range(1, 250))


@pytest.fixture
def shared_uri(tmp_path) -> str:
    """The default RATELIMIT_STORAGE_URI, with its file moved from the instance folder to this test's folder."""
    return Config.RATELIMIT_STORAGE_URI.replace(str(INSTANCE_DIR), str(tmp_path / "instance"))


@pytest.fixture
def app_config(shared_uri) -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": shared_uri,
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes",
    }


def _sign_ins(app, attempts: list[dict]) -> list[int]:
    client = app.test_client()
    return [
        client.post("/login", data=form, environ_base={"REMOTE_ADDR": f"10.9.0.{next(_addresses)}"}).status_code
        for form in attempts
    ]


def _in_worker(app, attempts: list[dict]) -> list[int]:
    """Sign in from a forked worker process, which first drops inherited connections (gunicorn's post_fork)."""
    results = _fork.SimpleQueue()

    def work() -> None:
        db.engine.dispose(close=False)
        results.put(_sign_ins(app, attempts))

    worker = _fork.Process(target=work)
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 0
    return results.get()


def _worker_increments(uri: str, key: str, times: int, start_at: float) -> None:
    from limits.storage import storage_from_string

    storage = storage_from_string(uri)
    while time.time() < start_at:
        time.sleep(0.001)
    for _ in range(times):
        storage.incr(key, 60)


def test_five_failed_sign_ins_through_several_workers_lock_the_account(app):
    make_user("somchai")

    statuses = _sign_ins(app, [WRONG])  # the master's own counter connection, inherited by every fork
    statuses += _in_worker(app, [WRONG, WRONG])
    statuses += _in_worker(app, [WRONG, WRONG])
    statuses += _in_worker(app, [RIGHT])
    statuses += _sign_ins(app, [RIGHT])

    assert statuses == [401, 401, 401, 401, 401, 429, 429]


def test_increments_from_concurrent_processes_are_never_lost(tmp_path, shared_uri):
    from limits.storage import storage_from_string

    start_at = time.time() + 0.5  # the processes start, then all increment at once
    processes = [
        _fork.Process(target=_worker_increments, args=(shared_uri, "login-account/user:1", 200, start_at))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert storage_from_string(shared_uri).get("login-account/user:1") == 800


def test_a_window_starts_again_after_it_expires(tmp_path, shared_uri):
    from limits.storage import storage_from_string

    storage = storage_from_string(shared_uri)
    assert [storage.incr("key", 1) for _ in range(3)] == [1, 2, 3]
    assert 0 < storage.get_expiry("key") - time.time() <= 1

    time.sleep(1.05)

    assert storage.get("key") == 0
    assert storage.incr("key", 1) == 1
    storage.clear("key")
    assert storage.get("key") == 0


def test_testing_alone_counts_in_memory():
    from config import TestingConfig

    assert not Config.RATELIMIT_STORAGE_URI.startswith("memory://")
    assert TestingConfig.RATELIMIT_STORAGE_URI == "memory://"
