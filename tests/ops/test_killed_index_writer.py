"""A process killed with SIGKILL in the middle of writing the search index loses nothing.

The child applies the outbox with the real code (app.search.sync.drain) and is killed while it holds the
index's write lock and has written part of a new segment. Whoosh's lock is an flock(2) on an open file, so
the kernel releases it with the process: no stale lock is left. The half-written segment is in no table of
contents, so readers never see it and the next commit deletes its files; the outbox rows are deleted only
after a commit, so they are all still pending. `flask search sync` in a new application then brings the
index and the database back into agreement.

A rebuild (`flask search reindex`) killed midway never swapped its half-built version in; the live index
keeps taking changes, and the next rebuild deletes what the killed one left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from app import ROOT, create_app
from app.extensions import db
from app.search import sync
from app.search.backends.whoosh.index import configured_path, open_index
from app.search.documents import indexable_entries_query
from app.search.query import search
from tests.conftest import IsolatedCliRunner
from tests.factories import make_blog, make_entry, make_user

ENTRIES = 40
KILL_AT = 25

CHILD = """
import json, sys, time
import app.search.backends.whoosh.writing as writing
from app import create_app
from app.search.sync import drain

application = create_app("testing", json.loads(sys.argv[1]))
original = writing.entry_document
made = 0

def entry_document(entry, context):
    global made
    made += 1
    if made == {kill_at}:
        print("WRITING", flush=True)
        time.sleep(600)
    return original(entry, context)

writing.entry_document = entry_document
with application.app_context():
    drain(timeout=5)
""".replace("{kill_at}", str(KILL_AT))


# A rebuild killed after writing part of the new version, while it holds the live version's lock.
CHILD_REINDEX = """
import json, sys, time
import app.search.backends.whoosh.bulk as bulk
import app.search.index as index
from app import create_app
application = create_app("testing", json.loads(sys.argv[1]))
original = bulk.BulkSegmentWriter.add_document
added = 0
def add_document(self, **fields):
    global added
    added += 1
    if added == {kill_at}:
        print("WRITING", flush=True)
        time.sleep(600)
    return original(self, **fields)
bulk.BulkSegmentWriter.add_document = add_document
with application.app_context():
    index.reindex()
""".replace("{kill_at}", str(ENTRIES // 2))


def _indexed_entry_ids() -> set[int]:
    with open_index().searcher() as searcher:
        return {int(fields["entry_id"]) for fields in searcher.all_stored_fields()}


def _config(app) -> dict:
    return {name: app.config[name] for name in ("SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "UPLOAD_DIR")}


@contextmanager
def _killed_while_writing(script: str, app) -> Iterator[None]:
    """Run `script` in a child until it prints WRITING, run the body, then SIGKILL the child."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, json.dumps(_config(app))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "WRITING", child.stderr.read()
        yield
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL


def test_sync_recovers_after_a_writer_is_killed_mid_segment(app):
    blog = make_blog(make_user())
    first = make_entry(blog, title="บันทึกก่อนเกิดเหตุ")  # indexed at once: the index exists with one document
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    for number in range(ENTRIES):
        make_entry(blog, title=f"บันทึกค้างในคิว {number}", body="ตะลิงปลิงริมน้ำ")
    assert sync.pending_count() == ENTRIES
    live = configured_path().resolve()
    files_before = set(os.listdir(live))

    with _killed_while_writing(CHILD, app):
        lock = whoosh_index.open_dir(str(live)).lock("WRITELOCK")
        assert not lock.acquire(), "the child should hold the index's write lock"
        partial = set(os.listdir(live)) - files_before
        assert any(name.startswith("MAIN_") for name in partial), partial  # files of the unfinished segment

    assert lock.acquire(), "the kernel releases the killed process's lock"
    lock.release()
    assert _indexed_entry_ids() == {first.id}  # the half-written segment is invisible
    assert sync.pending_count() == ENTRIES

    restarted = create_app("testing", _config(app))
    restarted.test_cli_runner_class = IsolatedCliRunner
    with restarted.app_context():
        result = restarted.test_cli_runner().invoke(args=["search", "sync"])
        assert result.exit_code == 0, result.output
        assert sync.pending_count() == 0
        assert _indexed_entry_ids() == set(db.session.scalars(indexable_entries_query()))
        assert search("ตะลิงปลิงริมน้ำ", per_page=100).total == ENTRIES
        db.session.remove()
        db.engine.dispose()
    leftovers = {name for name in os.listdir(live) if name not in files_before}
    segments = {Path(name).stem.split(".")[0] for name in leftovers if name.startswith("MAIN_")}
    assert len(segments) == 1, leftovers  # only the segment sync committed; the killed one's files are gone
    assert "MAIN.tmp" not in leftovers


def test_a_rebuild_killed_midway_leaves_the_live_index_working_and_is_cleaned_up(app):
    blog = make_blog(make_user())
    for number in range(ENTRIES):
        make_entry(blog, title=f"บันทึกก่อนสร้างใหม่ {number}", body="ตะลิงปลิงริมน้ำ")
    index_link = configured_path()
    live = index_link.resolve()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale_link = index_link.with_name(f".{index_link.name}.link-{int(dead.stdout)}-1")
    os.symlink(live.name, stale_link)  # as left by a rebuild killed between making its link and the rename

    with _killed_while_writing(CHILD_REINDEX, app):
        lock = whoosh_index.open_dir(str(live)).lock("WRITELOCK")
        assert not lock.acquire(), "a rebuild holds the live version's lock"
        half_built = [p for p in index_link.parent.iterdir() if p.is_dir() and p.resolve() != live]
        assert len(half_built) == 1

    assert index_link.resolve() == live  # never swapped in
    make_entry(blog, title="บันทึกหลังเกิดเหตุ", body="ตะลิงปลิงริมน้ำ")  # applied at commit: the lock is free
    assert sync.pending_count() == 0
    assert search("ตะลิงปลิงริมน้ำ", per_page=100).total == ENTRIES + 1

    restarted = create_app("testing", _config(app))
    restarted.test_cli_runner_class = IsolatedCliRunner
    with restarted.app_context():
        result = restarted.test_cli_runner().invoke(args=["search", "reindex"])
        assert result.exit_code == 0, result.output
        assert _indexed_entry_ids() == set(db.session.scalars(indexable_entries_query()))
        db.session.remove()
        db.engine.dispose()
    assert not half_built[0].exists()
    assert not stale_link.is_symlink()
    assert sorted(p.name for p in index_link.parent.iterdir() if p.is_dir() and not p.is_symlink()) == sorted(
        {live.name, index_link.resolve().name}
    )
