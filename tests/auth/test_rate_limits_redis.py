"""The login limits kept in Redis (RATELIMIT_STORAGE_URI), as when several workers share counters."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from tests.factories import make_user

REDIS_URL = os.environ.get("SALA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
KEY_PREFIX = f"sala-test-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} must be reachable under CI: {error}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {error}")
    _delete_keys(client)
    yield client
    _delete_keys(client)
    client.close()


def _delete_keys(client) -> None:
    for key in client.scan_iter(f"{KEY_PREFIX}*"):
        client.delete(key)


@pytest.fixture
def app_config(redis_client) -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # Flask-Limiter keeps RATELIMIT_KEY_PREFIX from the first app it served; the storage's own prefix is
        # read for each app, and keeps this run's counters apart from any others in the same Redis.
        "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": KEY_PREFIX},
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per 5 minutes",
    }


def test_failed_sign_ins_are_counted_in_redis(app, client, redis_client):
    make_user("somchai")
    for _ in range(2):
        assert client.post("/login", data={"login": "somchai", "password": "wrong-password"}).status_code == 401

    response = client.post("/login", data={"login": "somchai", "password": "password123"})

    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert any("login-account" in key.decode() for key in redis_client.scan_iter(f"{KEY_PREFIX}*"))
