"""A change to one entry retires only the entry pages that show it: its own, and those that list it as related.

Related entries used to be ranked while a page rendered, so any entry's change retired every entry page. Now
the ranking is stored (app/entries/related.py) and a page depends on its stored list and the rows it shows.
"""

from __future__ import annotations

import pytest

from app.entries import related
from app.entries.services import update_entry
from app.extensions import db
from tests.cache.conftest import cache_status, prime
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def entries(app):
    """Two durian entries in one blog, and an entry about fish alone in another blog (no neighbours)."""
    orchard = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    durian = make_entry(orchard, title="ทุเรียนหมอนทอง", body="ทุเรียนหมอนทองออกผลดี ปุ๋ยหมักช่วยให้ทุเรียนงาม")
    compost = make_entry(orchard, title="ปุ๋ยหมักสำหรับทุเรียน", body="ทำปุ๋ยหมักใส่ทุเรียนหมอนทอง")
    fish = make_entry(make_blog(make_user("malee"), "market"), title="ตลาดปลา", body="ปลาทูสดจากแม่กลองราคาถูก")
    assert related.stored_ids(compost.id) == [durian.id]
    assert related.stored_ids(fish.id) == []
    return durian, compost, fish


def path(entry) -> str:
    return f"/posts/{entry.number}"


def test_editing_an_entry_leaves_the_pages_that_do_not_list_it_cached(client, entries):
    durian, compost, fish = entries
    prime(client, path(durian), path(compost), path(fish))
    update_entry(durian, body_markdown="ทุเรียนหมอนทองออกผลดีมาก ปุ๋ยหมักช่วยให้ทุเรียนงาม")
    db.session.commit()
    assert cache_status(client, path(fish)) == "hit"
    assert cache_status(client, path(durian)) == "miss"
    assert cache_status(client, path(compost)) == "miss"  # it lists the durian entry, whose row changed


def test_a_page_whose_related_list_changes_is_retired(client, entries):
    durian, compost, fish = entries
    prime(client, path(fish))
    update_entry(compost, title="ปลาทูแม่กลอง", body_markdown="ปลาทูสดจากแม่กลอง ตลาดปลาราคาถูก")
    db.session.commit()
    assert related.stored_ids(fish.id) == [compost.id]
    assert cache_status(client, path(fish)) == "miss"
    assert f'href="/posts/{compost.number}"' in client.get(path(fish)).get_data(as_text=True)
