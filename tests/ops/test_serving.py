"""gunicorn with gunicorn.conf.py: a 2,000-character Thai search gets through, /healthz answers without a cookie, the
master loads what workers share before forking them."""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import os
import re
import runpy
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from app import ROOT
from app.search.forms import MAX_QUERY_LENGTH
from tests.factories import make_blog, make_entry, make_user

GUNICORN = Path(sys.executable).parent / "gunicorn"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    return response


@contextlib.contextmanager
def _serving(app, log: list[str]) -> Iterator[int]:
    """gunicorn serving the test's database, index and uploads with the project's configuration; its log is
    appended to `log` once it stopped."""
    port = _free_port()
    env = {
        **os.environ,
        "SALA_CONFIG": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "WEB_CONCURRENCY": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": os.devnull,
    }
    env.pop("GUNICORN_LIMIT_REQUEST_LINE", None)
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(port, "/healthz")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start: {process.communicate()[1][-3000:]}")
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        log.append(process.communicate(timeout=30)[1])


@pytest.fixture
def server(app):
    with _serving(app, []) as port:
        yield port


def test_a_search_of_the_longest_thai_query_is_served(app, server):
    make_entry(make_blog(make_user()), title="ลปรร. ที่ชุมพร", body="การจัดการความรู้")
    query = ("ชุมพร" * MAX_QUERY_LENGTH)[:MAX_QUERY_LENGTH]
    path = "/search?q=" + quote(query)
    assert len(path) > 18_000

    response = _get(server, path)

    assert response.status == 200
    assert "ชุมพร".encode() in response.body


def test_the_master_loads_templates_and_search_before_forking_a_worker(app):
    make_entry(make_blog(make_user()), title="ลปรร. ที่ชุมพร", body="การจัดการความรู้")
    log: list[str] = []
    with _serving(app, log) as port:
        assert _get(port, "/search?q=" + quote("ชุมพร")).status == 200
    assert re.search(r"worker 1 starts warm: [1-9][0-9]+ templates compiled, search loaded", log[0])


def test_healthz_through_gunicorn(app, server):
    response = _get(server, "/healthz")

    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("Set-Cookie") is None


def _settings(monkeypatch, **env) -> dict:
    # SALA_CONFIG too: the file sets it when unset, and monkeypatch puts back what was there before the test.
    for name in ("WEB_CONCURRENCY", "GUNICORN_PRELOAD", "GUNICORN_TIMEOUT", "SALA_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_workers_follow_the_cores_unless_web_concurrency_says(monkeypatch):
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    assert _settings(monkeypatch)["workers"] == 5
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 32)
    assert _settings(monkeypatch)["workers"] == 12
    assert _settings(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_TIMEOUT="60")["workers"] == 3
    assert _settings(monkeypatch, GUNICORN_TIMEOUT="60")["timeout"] == 60
    assert _settings(monkeypatch)["preload_app"] is True
    assert _settings(monkeypatch, GUNICORN_PRELOAD="0")["preload_app"] is False
