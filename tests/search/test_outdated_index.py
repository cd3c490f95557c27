"""An index written by an older release (another SCHEMA_VERSION) is never rebuilt by a request.

It keeps answering searches when it can; when it cannot, searches say so in Thai with a 503. Changes wait in
the outbox, /healthz tells the operator, and `flask search reindex` replaces the index while the old one serves.
"""

from __future__ import annotations

import shutil
import time

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from app.search.backends import OUTDATED_REASON
from app.search.backends.whoosh import writing
from app.search.backends.whoosh.index import SCHEMA_FILE, current_dir, is_current
from app.search.outbox import pending_count
from app.search.schema import SCHEMA_VERSION
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import found

pytestmark = pytest.mark.search_backends("whoosh")

REBUILDING = "ระบบกำลังสร้างดัชนีค้นหาใหม่"


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")


@pytest.fixture
def no_rebuild(monkeypatch):
    """Fail the test if anything rebuilds the index; `allow()` lets the operator's command through."""
    calls = []
    real = writing.reindex

    def refuse(path=None):
        calls.append(path)
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(writing, "reindex", refuse)
    return lambda: monkeypatch.setattr(writing, "reindex", real)


def _older_release(schema: Schema | None = None) -> None:
    """Make the live index look written by the release before this one: its schema file says the previous
    version, and (with `schema`) its fields are that release's."""
    old = current_dir()
    if schema is not None:
        shutil.rmtree(old)
        old.mkdir()
        whoosh_index.create_in(str(old), schema)
    (old / SCHEMA_FILE).write_text(f"{SCHEMA_VERSION - 1}\n")
    assert not is_current(old)


def test_an_index_that_still_answers_serves_until_the_reindex(app, client, blog, no_rebuild):
    before = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    _older_release()
    old = current_dir()
    make_entry(blog, title="ทุเรียนก้านยาว", body="ทุเรียนพันธุ์ดีของนนทบุรี")

    assert found("ทุเรียน") == {before.number}  # the old documents answer; the new entry waits in the outbox
    assert pending_count() == 1
    response = client.get("/healthz")
    assert response.status_code == 200  # it serves: no reason to take the server out of the load balancer
    assert response.json["status"] == "degraded"
    assert response.json["search"] == {
        "ok": True,
        "backend": "whoosh",
        "documents": 1,
        "pending_tasks": 1,
        "outdated": True,
        "reason": OUTDATED_REASON,
    }
    assert current_dir() == old


def test_an_index_that_cannot_answer_says_so_and_is_not_rebuilt_by_a_request(app, client, runner, blog, no_rebuild):
    make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    _older_release(Schema(entry_id=ID(unique=True, stored=True), body=TEXT()))  # release 1 had no `text`
    old = current_dir()
    make_entry(blog, title="ทุเรียนก้านยาว", body="ทุเรียนพันธุ์ดีของนนทบุรี")

    started = time.monotonic()
    page = client.get("/search?q=ทุเรียน")
    api = client.get("/api/v1/search?q=ทุเรียน")
    assert time.monotonic() - started < 5

    assert page.status_code == 503 and REBUILDING in page.get_data(as_text=True)
    assert api.status_code == 503 and REBUILDING in api.json["error"]
    assert current_dir() == old and not is_current(old)
    assert pending_count() == 1  # the entry made after the upgrade waits in the outbox
    assert "flask search reindex" in runner.invoke(args=["search", "status"]).output
    refused = runner.invoke(args=["search", "sync"])
    assert refused.exit_code != 0 and "flask search reindex" in refused.output
    assert pending_count() == 1
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["search"] == {
        "ok": False,
        "backend": "whoosh",
        "outdated": True,
        "error": "IndexOutdated",
        "reason": OUTDATED_REASON,
    }


def test_flask_search_reindex_replaces_it(app, client, runner, blog, no_rebuild):
    before = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนออกผลดี")
    _older_release(Schema(entry_id=ID(unique=True, stored=True), body=TEXT()))
    old = current_dir()
    after = make_entry(blog, title="ทุเรียนก้านยาว", body="ทุเรียนพันธุ์ดีของนนทบุรี")
    no_rebuild()

    result = runner.invoke(args=["search", "reindex"])

    assert result.exit_code == 0, result.output
    assert current_dir() != old and is_current(current_dir())
    assert found("ทุเรียน") == {before.number, after.number}
    assert pending_count() == 0
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"
    assert "outdated" not in health.json["search"]
    assert "flask search reindex" not in runner.invoke(args=["search", "status"]).output
