"""The default page cache is a folder of files every worker process of the machine shares (CACHE_DIR)."""

from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db
from config import Config
from tests.cache.conftest import CACHE_STATUS, prime
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config(tmp_path) -> dict:
    return {"CACHE_TYPE": "app.page_cache.files.PageFiles", "CACHE_DIR": str(tmp_path / "page-cache")}


def test_files_are_the_default_without_redis():
    if Config.CACHE_REDIS_URL:
        pytest.skip("CACHE_REDIS_URL is set in this environment")
    assert Config.CACHE_TYPE == "app.page_cache.files.PageFiles"


def test_a_write_in_one_worker_retires_the_page_another_serves(app, client, tmp_path):
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกแรก")
    prime(client, "/b/km-notes")
    assert list((tmp_path / "page-cache").iterdir())
    second_worker = create_app("testing", dict(app.config)).test_client()
    assert second_worker.get("/b/km-notes").headers[CACHE_STATUS] == "hit"  # the page the first one rendered

    blog.title = "บล็อกที่เปลี่ยนชื่อ"
    db.session.commit()  # in the first worker

    response = second_worker.get("/b/km-notes")
    assert response.headers[CACHE_STATUS] == "miss"
    assert "บล็อกที่เปลี่ยนชื่อ" in response.get_data(as_text=True)


def test_each_worker_drops_its_memory_of_a_page_once_a_write_retires_it(app, client):
    """Both workers have served the page from memory; after a write each serves the new page, never the old."""
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกแรก")
    prime(client, "/b/km-notes")
    second_worker = create_app("testing", dict(app.config)).test_client()
    assert second_worker.get("/b/km-notes").headers[CACHE_STATUS] == "hit"
    assert client.get("/b/km-notes").headers[CACHE_STATUS] == "hit"

    blog.title = "บล็อกที่เปลี่ยนชื่อ"
    db.session.commit()

    rendered = second_worker.get("/b/km-notes")  # renders the new page and shares it
    served = client.get("/b/km-notes")  # the first worker remembered the old page: it must take the new one
    assert (rendered.headers[CACHE_STATUS], served.headers[CACHE_STATUS]) == ("miss", "hit")
    for response in (rendered, served):
        assert "บล็อกที่เปลี่ยนชื่อ" in response.get_data(as_text=True)


def test_a_worker_keeps_a_bounded_number_of_pages_in_memory(app, client):
    from app.page_cache.pages import MEMO_KEY

    app.extensions[MEMO_KEY].max_pages = 2
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกแรก")
    paths = ["/b/km-notes", "/u/somchai", "/", "/tags"]
    prime(client, *paths)
    assert len(app.extensions[MEMO_KEY].pages) == 2
    for path in paths:  # the pages it forgot are still served from the shared files
        assert client.get(path).headers[CACHE_STATUS] == "hit"
