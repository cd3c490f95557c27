"""`/healthz` checks the search backend in use (finding 13.7): a real query against the Whoosh index or the
search_documents table, 503 with a reason when searching would fail. Runs on both backends
(tests/search/backends.py)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user
from tests.search.backends import (  # noqa: F401 - fixtures and the hook pytest finds by name
    app_config,
    postgres_database,
    postgres_server,
    postgres_url,
    pytest_generate_tests,
    search_backend,
)


@contextmanager
def _renamed_search_table():
    """The search_documents table out of the way (as after a failed migration), put back afterwards."""
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE search_documents RENAME TO search_documents_away"))
    try:
        yield
    finally:
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE search_documents_away RENAME TO search_documents"))


def test_healthy_on_each_backend(client, app):
    make_entry(make_blog(make_user()), title="บันทึกตรวจสุขภาพ")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json["search"] == {
        "ok": True,
        "backend": app.config["SEARCH_BACKEND"],
        "documents": 1,
        "pending_tasks": 0,
    }


@pytest.mark.search_backends("postgres")
def test_a_broken_search_table_is_503_with_a_reason(client, app):
    make_entry(make_blog(make_user()), title="บันทึกตรวจสุขภาพ")
    with _renamed_search_table():
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"] == {"ok": True}
    search = response.json["search"]
    assert search["ok"] is False
    assert search["backend"] == "postgres"
    assert search["error"] == "ProgrammingError"
    assert search["reason"] == "cannot answer a search query"
    assert client.get("/healthz").status_code == 200  # the table is back


@pytest.mark.search_backends("postgres")
def test_the_postgres_backend_never_reads_a_local_index(client, app, tmp_path):
    """Before, /healthz opened (and made) an empty Whoosh directory and said 200 whatever the table's state."""
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "never-made")

    assert client.get("/healthz").status_code == 200
    with _renamed_search_table():
        assert client.get("/healthz").status_code == 503
    assert not (tmp_path / "never-made").exists()


@pytest.mark.search_backends("whoosh")
def test_postgres_configured_on_another_database_is_503(client, app):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("the database is PostgreSQL: the postgres backend can run on it")
    app.config["SEARCH_BACKEND"] = "postgres"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json["search"]["backend"] == "postgres"
    assert "PostgreSQL" in response.json["search"]["reason"]
