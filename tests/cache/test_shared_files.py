"""The default store of versions is a folder of files every worker process of the machine shares (CACHE_DIR);
each worker keeps its own pages, current while the shared versions say so."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from app.page_cache import store
from config import Config
from tests.cache.conftest import CACHE_STATUS, prime
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "page-cache"), "PAGE_CACHE_CHECK": False}


def test_files_are_the_default_without_redis():
    if Config.CACHE_REDIS_URL:
        pytest.skip("CACHE_REDIS_URL is set in this environment")
    assert Config.CACHE_TYPE == "FileSystemCache"
    assert Config.CACHE_THRESHOLD == 0  # never pruned: the files are the generation and at most SLOTS versions


def test_a_write_in_one_worker_retires_the_page_another_keeps(app, client, tmp_path):
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกแรก")
    prime(client, "/b/km-notes")
    second_worker = create_app("testing", dict(app.config)).test_client()
    prime(second_worker, "/b/km-notes")
    assert client.get("/b/km-notes").headers[CACHE_STATUS] == "hit"

    blog.title = "บล็อกที่เปลี่ยนชื่อ"
    db.session.commit()  # in the first worker

    for worker in (second_worker, client):
        response = worker.get("/b/km-notes")
        assert response.headers[CACHE_STATUS] == "miss"
        assert "บล็อกที่เปลี่ยนชื่อ" in response.get_data(as_text=True)
        assert worker.get("/b/km-notes").headers[CACHE_STATUS] == "hit"


def test_the_shared_folder_holds_only_versions(app, client, tmp_path):
    blog = make_blog(make_user("somchai"))
    for number in range(30):
        make_entry(blog, title=f"บันทึกที่ {number}")
    prime(client, "/", "/b/km-notes", "/tags", "/u/somchai")
    files = list((tmp_path / "page-cache").iterdir())
    assert 0 < len(files) <= store.SLOTS + 2  # the generation, the slots, cachelib's count
    assert all(file.stat().st_size < 200 for file in files)  # no page bodies


def test_a_worker_keeps_a_bounded_number_of_pages_in_memory(app, client):
    app.extensions[store.EXTENSION_KEY].size = 2
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกแรก")
    paths = ["/b/km-notes", "/u/somchai", "/", "/tags"]
    for path in paths:
        client.get(path)
    assert len(app.extensions[store.EXTENSION_KEY].values) == 2
    assert client.get("/b/km-notes").headers[CACHE_STATUS] == "miss"  # forgotten: rendered again
