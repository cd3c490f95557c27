"""Searches keep answering while another process writes and merges the index (finding 13.6).

A child process posts and edits entries in a loop through the real services; each commit applies the outbox
(app.search.sync.drain), so Whoosh commits a segment and now and then merges small segments and deletes the
merged ones' files. Meanwhile this process searches through the page, the JSON API and entry pages and calls the
query functions directly (search, and the related-entries ranking the background task runs). Before the fix, a
searcher kept by a thread opened some of its segment files only on first use, after a merge had deleted them
(FileNotFoundError, or a TypeError when the stored-fields column was gone), and a failure while replacing a stale
searcher left a closed one cached, so every later search in that thread raised ReaderClosed. On PostgreSQL the
same load runs against the search_documents table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from app import ROOT
from app.extensions import db
from app.search import backends
from app.search.query import search
from tests.factories import make_blog, make_entry, make_user

ROUNDS = 150
MAX_SECONDS = 40

WRITER = """
import json, sys, time
from app import create_app
from app.extensions import db
from app.entries.services import create_entry
from app.models import Blog, Entry

application = create_app("testing", json.loads(sys.argv[1]))
with application.app_context():
    blog_id = db.session.scalar(db.select(Blog.id))
    made = []
    print("WRITING", flush=True)
    for number in range(100000):
        blog = db.session.get(Blog, blog_id)
        entry = create_entry(blog, blog.owner, title=f"บันทึกเขียนพร้อมกัน {number}",
                             body_markdown="ชุมชนการจัดการความรู้ ตะลิงปลิง " * 20, tags="พร้อมกัน", publish=True)
        db.session.commit()
        made.append(entry.id)
        if number % 3 == 2:  # an edit deletes the old document: segments with deletions get merged too
            old = db.session.get(Entry, made[number // 2])
            old.title = f"บันทึกแก้ไขแล้ว {number}"
            db.session.commit()
        db.session.expunge_all()
"""


def _described(error: Exception) -> str:
    """The error and the line that raised it (where in Whoosh a vanished file was first needed)."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"{type(error).__name__}: {error} at {Path(where.filename).name}:{where.lineno} {where.line}"


@pytest.fixture
def app_config(tmp_path) -> dict:
    """The two processes share the page cache's versions, as the workers of one machine do. A page kept here may
    be served in the moment between the writer's index write and its bump: no check against a fresh render."""
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "page-cache"), "PAGE_CACHE_CHECK": False}


def _config(app) -> dict:
    names = ("SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "UPLOAD_DIR", "SEARCH_BACKEND", "CACHE_TYPE", "CACHE_DIR")
    return {name: app.config[name] for name in names}


def test_searches_never_fail_while_another_process_writes_and_merges(app, client):
    blog = make_blog(make_user())
    entries = [make_entry(blog, title=f"บันทึกตั้งต้น {n}", body="ชุมชนการจัดการความรู้ ตะลิงปลิง") for n in range(8)]
    numbers = [entry.number for entry in entries]
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, json.dumps(_config(app))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    failures: list[str] = []
    try:
        assert child.stdout.readline().strip() == "WRITING", child.stderr.read()
        deadline = time.monotonic() + MAX_SECONDS
        for round_ in range(ROUNDS):
            if time.monotonic() > deadline or child.poll() is not None:
                break
            number = numbers[round_ % len(numbers)]
            for url in (
                "/search?q=ตะลิงปลิง",
                "/search?q=ชุมชน&sort=newest",
                "/api/v1/search?q=ตะลิงปลิง",
                f"/posts/{number}",
            ):
                try:  # under TESTING an exception in a view propagates instead of becoming a 500
                    status = client.get(url).status_code
                except Exception as error:  # noqa: BLE001
                    status = _described(error)
                if status != 200:
                    failures.append(f"{url}: {status}")
            try:
                assert search("ตะลิงปลิง", per_page=20).total >= len(numbers)
                backends.current().related_ids(entries[round_ % len(entries)], 10)
            except Exception as error:  # noqa: BLE001 - every failure is collected and reported
                failures.append(f"direct call: {_described(error)}")
            db.session.rollback()
            if len(failures) > 5:
                break
        rounds_done = round_ + 1
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -9, child.stderr.read()  # the writer ran the whole time
    assert not failures, failures
    assert rounds_done >= 20, rounds_done
