"""The default store prunes in one pass: expired pages, then those expiring soonest; tag versions last."""

from __future__ import annotations

import time

from app.page_cache.files import PRUNE_TO, PageFiles


def _store(directory, threshold: int) -> PageFiles:
    return PageFiles(str(directory), threshold=threshold, default_timeout=300)


def test_a_full_store_is_pruned_to_below_the_threshold_at_once(tmp_path):
    store = _store(tmp_path, threshold=20)
    store.set("version:a", "v1", timeout=0)  # a tag version never expires
    for n in range(20):
        store.set(f"page:{n}", b"x" * 100, timeout=100 + n)  # later pages expire later
    store.set("page:newest", b"x", timeout=1000)  # 21 files were there: pruned first, then written
    remaining = [key for key in ["version:a", "page:newest", *(f"page:{n}" for n in range(20))] if store.has(key)]
    assert len(remaining) == int(20 * PRUNE_TO) + 1
    assert {"version:a", "page:newest", "page:19"} <= set(remaining)
    assert not store.has("page:0")  # expires soonest: removed first


def test_expired_pages_go_before_any_live_one(tmp_path, monkeypatch):
    store = _store(tmp_path, threshold=10)
    for n in range(11):
        store.set(f"page:{n}", b"x", timeout=1 if n < 3 else 500)
    later = time.time() + 5
    monkeypatch.setattr(time, "time", lambda: later)
    store.set("page:new", b"x", timeout=500)
    assert not any(store.has(f"page:{n}") for n in range(3))
    assert all(store.has(f"page:{n}") for n in range(3, 11))


def test_no_scan_while_under_the_threshold(tmp_path, monkeypatch):
    store = _store(tmp_path, threshold=50)
    scans = []
    original = store._list_dir
    monkeypatch.setattr(store, "_list_dir", lambda: scans.append(1) or original())
    for n in range(40):
        store.set(f"page:{n}", b"x", timeout=300)
    assert scans == []
