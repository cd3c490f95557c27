"""Related entries are ranked once per entry version and kept in the cache (RELATED_CACHE_TIMEOUT)."""

from __future__ import annotations

import pytest

from app.entries.services import delete_entry
from app.extensions import db
from app.search import backends
from app.search.query import related_entries
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config() -> dict:
    return {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def rankings(monkeypatch) -> list[int]:
    """The entry ids each ranking was asked for."""
    asked: list[int] = []
    backend = backends.current()
    original = backend.related_ids

    def counted(entry, limit):
        asked.append(entry.id)
        return original(entry, limit)

    monkeypatch.setattr(type(backend), "related_ids", lambda self, entry, limit: counted(entry, limit))
    return asked


def _orchard():
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    first = make_entry(blog, title="ทุเรียนหมอนทอง", body="ทุเรียนหมอนทองออกผลดี ปุ๋ยหมักช่วยให้ทุเรียนงาม")
    second = make_entry(blog, title="ปุ๋ยหมักสำหรับทุเรียน", body="ทำปุ๋ยหมักใส่ทุเรียนหมอนทอง")
    third = make_entry(blog, title="ทุเรียนนอกฤดู", body="ทุเรียนหมอนทองนอกฤดูกับปุ๋ยหมัก")
    return first, second, third


def test_the_ranking_is_kept_until_the_entry_changes(app, rankings):
    first, second, third = _orchard()
    found = related_entries(first)
    assert {e.number for e in found} == {second.number, third.number}
    assert related_entries(first) == found
    assert rankings == [first.id]

    first.body_markdown += "\n\nเพิ่มเติม"
    first.updated_at = first.updated_at.replace(microsecond=(first.updated_at.microsecond + 1) % 1_000_000)
    db.session.commit()
    related_entries(first)
    assert rankings == [first.id, first.id]


def test_an_entry_deleted_since_leaves_the_kept_list_at_once(app, rankings):
    first, second, third = _orchard()
    assert len(related_entries(first)) == 2
    delete_entry(third)
    db.session.commit()
    assert [e.number for e in related_entries(first)] == [second.number]
    assert rankings == [first.id]
