"""List totals and rankings are kept under page-cache tags and retired by exactly the changes that move them.

These run with the page cache off (PAGE_CACHE=0, AUDIENCE_PAGES=0), as the cold benchmark server does: every
page is rendered, and only the derived values are kept.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config() -> dict:
    return {"CACHE_TYPE": "SimpleCache", "PAGE_CACHE": False, "AUDIENCE_PAGES": False, "ENTRIES_PER_PAGE": 1}


@pytest.fixture
def writers(app):
    somchai, malee = make_user("somchai"), make_user("malee")
    km_blog, garden_blog = make_blog(somchai, "km-notes"), make_blog(malee, "garden", title="สวนผัก")
    make_entry(km_blog, title="บันทึกแรก", tags="km")
    make_entry(garden_blog, title="ปลูกผักบุ้ง", tags="garden")
    return {"somchai": somchai, "malee": malee, "km_blog": km_blog, "garden_blog": garden_blog}


def _statements(app, client, path: str) -> tuple[list[str], str]:
    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert response.status_code == 200
    return seen, response.get_data(as_text=True)


def _last_page(html: str) -> int:
    import re

    return max((int(n) for n in re.findall(r"[?&]page=(\d+)", html)), default=1)


def test_the_home_page_counts_and_ranks_once_until_something_changes(app, client, writers):
    first, _ = _statements(app, client, "/")
    again, html = _statements(app, client, "/")
    assert "X-Cache" not in client.get("/").headers  # the page itself is rendered every time
    assert not [s for s in again if "count(" in s.lower()]  # total and popular tags were kept
    assert len(again) < len(first)
    assert _last_page(html) == 2


def test_publishing_an_entry_retires_the_total_and_the_tags(app, client, writers):
    _statements(app, client, "/")
    make_entry(writers["km_blog"], title="บันทึกที่สอง", tags="ถอดบทเรียน")
    _, html = _statements(app, client, "/")
    assert _last_page(html) == 3
    assert "ถอดบทเรียน" in html  # the popular-tags list


def test_a_suspension_retires_every_total(app, client, writers):
    from app.admin.services import suspend_user

    for path in ("/", "/tags/km", "/b/km-notes"):
        _statements(app, client, path)
    make_entry(writers["km_blog"], title="บันทึกที่สอง", tags="km")
    make_entry(writers["garden_blog"], title="KM ของมาลี", tags="km")  # so the tag still has a page after
    assert _last_page(_statements(app, client, "/tags/km")[1]) == 3
    suspend_user(writers["somchai"], "สแปม", by=None)
    db.session.commit()
    assert _last_page(_statements(app, client, "/")[1]) == 2
    assert _last_page(_statements(app, client, "/tags/km")[1]) == 1


def test_a_tag_total_is_kept_per_tag(app, client, writers):
    assert _last_page(_statements(app, client, "/tags/km")[1]) == 1
    make_entry(writers["garden_blog"], title="ผักสวนครัว", tags="garden")
    assert _last_page(_statements(app, client, "/tags/km")[1]) == 1
    assert _last_page(_statements(app, client, "/tags/garden")[1]) == 2


def test_a_station_moves_up_when_one_of_its_blogs_publishes(app, client, writers):
    from app.stations.services import create_station, submit_blog

    for slug, blog in (("km-station", writers["km_blog"]), ("garden-station", writers["garden_blog"])):
        owner = blog.owner
        station = create_station(owner, slug, f"ชุมชน {slug}", "")
        submit_blog(station, blog, owner)
    db.session.commit()
    make_entry(writers["garden_blog"], title="ล่าสุดจากสวน")
    _, html = _statements(app, client, "/")
    assert html.index("/c/garden-station") < html.index("/c/km-station")
    make_entry(writers["km_blog"], title="ล่าสุดจาก KM")
    _, html = _statements(app, client, "/")
    assert html.index("/c/km-station") < html.index("/c/garden-station")
