"""`/healthz`: 200 with the database and search figures, 503 when either is broken; no cookie, no cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from app.extensions import db
from app.search.backends.whoosh.index import configured_path
from tests.factories import make_blog, make_entry, make_user


def test_healthy(client, app):
    make_entry(make_blog(make_user()))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": {"ok": True},
        "search": {"ok": True, "backend": "whoosh", "documents": 1, "pending_tasks": 0},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_reports_pending_search_tasks(client, app):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    make_entry(make_blog(make_user()))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json["search"]["pending_tasks"] >= 1


def test_changes_the_task_worker_left_waiting_make_the_site_degraded(client, app):
    from datetime import timedelta

    from sqlalchemy import update

    from app.models import SearchTask
    from app.models.types import utcnow

    app.config["SEARCH_SYNC_ON_COMMIT"] = False  # as if no worker took the queued update
    make_entry(make_blog(make_user()))
    assert client.get("/healthz").json["status"] == "ok"  # a change just made is not late yet

    db.session.execute(update(SearchTask).values(created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    response = client.get("/healthz")

    assert response.status_code == 200  # searches still answer: the load balancer keeps the server
    assert response.json["status"] == "degraded"
    assert response.json["search"]["stalled"] is True
    assert "task worker" in response.json["search"]["reason"]


def test_a_broken_index_is_503(client, app):
    make_entry(make_blog(make_user()))
    live = configured_path().resolve()
    shutil.rmtree(live)
    Path(live).mkdir()
    (live / "_MAIN_1.toc").write_bytes(b"not an index")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"] == {"ok": True}
    assert response.json["search"]["ok"] is False


@pytest.mark.fresh_app
def test_an_unreachable_database_is_503(client, app, tmp_path):
    missing = tmp_path / "no-such-dir" / "sala.db"
    db.engine.dispose()
    app.extensions["sqlalchemy"]._app_engines[app][None] = create_engine(f"sqlite:///{missing}")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json["database"]["ok"] is False
    assert response.json["search"]["ok"] is False
