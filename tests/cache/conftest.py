"""Every test runs with the page cache on and every kept page checked against a fresh render (TestingConfig);
here the check is off, so that what is served is exactly what a production server serves."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user

CACHE_STATUS = "X-Cache"
# Reads written in batches, as in production: a written batch retires the pages of the entries it counts, so
# with a flush after every read (TestingConfig) no entry page would stay cached. Tests flush with reads.flush.
BATCHED_READS = {"READ_FLUSH_BATCH": 10_000, "READ_FLUSH_INTERVAL_SECONDS": 10_000}


@pytest.fixture
def app_config() -> dict:
    return {"PAGE_CACHE_CHECK": False, **BATCHED_READS}


def cache_status(client, path: str, **kwargs) -> str | None:
    """Request `path` and say how it was served: "hit", "miss" or None (not considered for the cache)."""
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.headers.get(CACHE_STATUS)


def prime(client, *paths: str) -> None:
    """Render each page once and check the next request is served from the cache."""
    for path in paths:
        client.get(path)
        assert cache_status(client, path) == "hit", path


@pytest.fixture
def cast(app):
    """Two writers, each with a blog and a published entry; Somchai's is tagged "km"."""
    somchai, malee = make_user("somchai"), make_user("malee")
    km_blog = make_blog(somchai, "km-notes", title="บันทึก KM")
    garden_blog = make_blog(malee, "garden", title="สวนผักของมาลี")
    km_entry = make_entry(km_blog, title="ลปรร. ครั้งแรก", tags="km")
    garden_entry = make_entry(garden_blog, title="ปลูกผักบุ้ง", tags="garden")
    return {
        "somchai": somchai,
        "malee": malee,
        "km_blog": km_blog,
        "garden_blog": garden_blog,
        "km_entry": km_entry,
        "garden_entry": garden_entry,
    }


@pytest.fixture
def station(app, cast):
    """Somchai's station, which shows his KM blog (not Malee's garden)."""
    from app.stations.services import create_station, submit_blog

    station = create_station(cast["somchai"], "km-station", "ชุมชนคนทำ KM", "")
    submit_blog(station, cast["km_blog"], cast["somchai"])
    db.session.commit()
    return station
