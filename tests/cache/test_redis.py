"""The page cache on Redis (CACHE_REDIS_URL), shared by several workers: a write in one retires pages in all.

Runs against SALA_TEST_REDIS_URL (redis://127.0.0.1:6379/15 by default), with a key prefix of its own; skipped
when no Redis answers there, except under CI=true, where Redis is provided and its absence is a failure.
"""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from app import create_app
from app.extensions import db
from tests.cache.conftest import CACHE_STATUS, cache_status, prime
from tests.csrf_client import page_token
from tests.factories import make_blog, make_entry, make_user

REDIS_URL = os.environ.get("SALA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI but {REDIS_URL} did not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return connection


@pytest.fixture
def key_prefix() -> str:
    return f"sala-test-{uuid.uuid4().hex}:"


@pytest.fixture
def app_config(key_prefix) -> dict:
    _redis_or_skip()
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": key_prefix}


@pytest.fixture(autouse=True)
def clean_redis(key_prefix):
    yield
    connection = _redis_or_skip()
    keys = list(connection.scan_iter(f"{key_prefix}*"))
    if keys:
        connection.delete(*keys)


@pytest.fixture
def second_worker(app):
    """Another application on the same database and Redis, as a second worker process would be."""
    return create_app("testing", dict(app.config))


def test_versions_are_kept_in_redis(app, client, key_prefix):
    blog = make_blog(make_user("somchai"))
    make_entry(blog, title="บันทึกใน Redis")
    assert cache_status(client, "/b/km-notes") == "miss"
    response = client.get("/b/km-notes")
    assert response.headers[CACHE_STATUS] == "hit"
    assert "บันทึกใน Redis" in response.get_data(as_text=True)
    assert list(_redis_or_skip().scan_iter(f"{key_prefix}slot:*"))
    assert not list(_redis_or_skip().scan_iter(f"{key_prefix}page:*"))  # pages stay in each worker


def test_a_write_in_one_worker_retires_the_page_in_another(app, client, second_worker):
    somchai = make_user("somchai")
    blog = make_blog(somchai)
    make_entry(blog, title="บันทึกแรก")
    prime(client, "/b/km-notes")
    other = second_worker.test_client()
    prime(other, "/b/km-notes")

    blog.title = "บล็อกที่เปลี่ยนชื่อ"
    db.session.commit()  # committed in the first worker (the test's app)

    response = other.get("/b/km-notes")
    assert response.headers[CACHE_STATUS] == "miss"
    assert "บล็อกที่เปลี่ยนชื่อ" in response.get_data(as_text=True)


def test_each_member_gets_their_own_token_on_redis(app, key_prefix):
    protected = create_app("testing", {**app.config, "WTF_CSRF_ENABLED": True})
    make_entry(make_blog(make_user("somchai")))
    make_user("wipa")
    make_user("malee")
    pages = []
    for name in ("wipa", "malee"):
        client = protected.test_client()
        login = client.get("/login").get_data(as_text=True)
        token = page_token(login)
        assert (
            client.post("/login", data={"login": name, "password": "password123", "csrf_token": token}).status_code
            == 302
        )
        client.get("/dashboard")  # takes the welcome flash
        pages.append(client.get("/"))
    assert pages[1].headers[CACHE_STATUS] == "hit"
    assert page_token(pages[0].get_data(as_text=True)) != page_token(pages[1].get_data(as_text=True))
