"""Uploads are rate-limited per member (UPLOAD_LIMIT_PER_MEMBER), whatever address they come from."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.uploads.images import noise_png, post_image, upload_count

TOO_MANY_UPLOADS = "คุณอัปโหลดรูปภาพถี่เกินไป กรุณารอสักครู่แล้วลองใหม่"


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "UPLOAD_LIMIT_PER_MEMBER": "3 per minute"}


def post_from(client, seed: int, address: str):
    return post_image(client, noise_png((40, 40), seed=seed), f"{seed}.png", environ_base={"REMOTE_ADDR": address})


def test_a_member_over_the_limit_gets_429_in_thai_from_any_address(client, auth):
    make_user("somchai")
    auth.login("somchai")
    for seed in range(3):
        assert post_from(client, seed, f"10.1.0.{seed + 1}").status_code == 201

    refused = post_from(client, 99, "10.1.0.99")

    assert refused.status_code == 429
    assert refused.get_json() == {"error": TOO_MANY_UPLOADS}
    assert int(refused.headers["Retry-After"]) > 0
    assert upload_count() == 3


def test_the_limit_is_per_member(client, auth):
    make_user("somchai")
    make_user("malee")
    auth.login("somchai")
    for seed in range(3):
        post_from(client, seed, "10.2.0.1")
    auth.logout()
    auth.login("malee")
    assert post_from(client, 50, "10.2.0.1").status_code == 201


def test_visitors_are_not_counted_and_still_get_401(client):
    for seed in range(5):
        assert post_from(client, seed, "10.3.0.1").status_code == 401
