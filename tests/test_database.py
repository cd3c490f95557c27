"""What must behave the same on SQLite and PostgreSQL (run the suite with TEST_DATABASE_URL to check the latter):
Thai ordering, case-insensitive uniqueness, dates and times, escaped LIKE patterns. Concurrent entry numbers are
checked in tests/entries/test_services.py."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.blogs.services import blogs_writable_by
from app.database import thai_order
from app.errors import Conflict
from app.extensions import db
from app.models import Blog, Entry, EntryView, User
from app.stations.services import stations_moderated_by
from app.tags.services import popular_tags, suggest_tags
from tests.factories import make_blog, make_entry, make_station, make_user

# Thai dictionary order: a leading vowel (เ แ โ ใ ไ) sorts under the consonant after it, a tone mark only breaks
# a tie, and Thai comes before Latin. Code-point order would put เกษตร, ไก่ and โรงเรียน after ฮาร์ด.
THAI_ORDER = ["กา", "ก้าว", "เกษตร", "ไก่", "ขนม", "โรงเรียน", "ฮาร์ด", "apple", "Apple"]
BANGKOK = timezone(timedelta(hours=7))


def shuffled(items: list[str]) -> list[str]:
    items = list(items)
    random.Random(7).shuffle(items)
    return items


def test_thai_collation_sorts_in_dictionary_order(app):
    owner = make_user("owner")
    for number, title in enumerate(shuffled(THAI_ORDER)):
        make_blog(owner, f"blog-{number}", title=title)
    assert [blog.title for blog in blogs_writable_by(owner)] == THAI_ORDER
    titles = db.session.scalars(select(Blog.title).order_by(thai_order(Blog.title).desc())).all()
    assert titles == THAI_ORDER[::-1]


def test_profile_lists_blogs_in_thai_order(client, app):
    owner = make_user("owner")
    for number, title in enumerate(shuffled(THAI_ORDER)):
        make_blog(owner, f"blog-{number}", title=title)
    page = client.get("/u/owner").get_data(as_text=True)
    positions = [page.index(f">{title}<") for title in THAI_ORDER]
    assert positions == sorted(positions)


def test_station_lists_and_tags_sort_in_thai_order(app):
    owner = make_user("owner")
    for number, name in enumerate(shuffled(THAI_ORDER)):
        make_station(owner, f"station-{number}", name=name)
    assert [station.name for station in stations_moderated_by(owner)] == THAI_ORDER
    entry = make_entry(make_blog(owner), tags=", ".join(shuffled(["ไก่", "ขนม", "เกษตร", "กา"])))
    assert [tag.name for tag in entry.tags] == ["กา", "เกษตร", "ไก่", "ขนม"]
    assert [name for name, _ in popular_tags()] == ["กา", "เกษตร", "ไก่", "ขนม"]


def test_usernames_and_emails_are_unique_ignoring_case(app):
    make_user("Somchai", email="Somchai@Example.org")
    with pytest.raises(Conflict):
        make_user("SOMCHAI", email="other@example.org")
    db.session.rollback()
    with pytest.raises(Conflict):
        make_user("somsri", email="SOMCHAI@example.ORG")
    db.session.rollback()
    duplicate = User(
        username="sOmChAi",
        username_key="somchai",
        email="third@example.org",
        display_name="x",
        affiliation="",
        bio="",
        password_hash="x",
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_times_come_back_aware_in_utc_whatever_zone_they_went_in(app):
    entry = make_entry(make_blog(make_user("owner")))
    bangkok_evening = datetime(2024, 12, 31, 23, 30, tzinfo=BANGKOK)
    entry.published_at = bangkok_evening
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Entry, entry.id).published_at
    assert stored == bangkok_evening
    assert stored.tzinfo is UTC
    assert (stored.year, stored.month, stored.day, stored.hour) == (2024, 12, 31, 16)
    after = datetime(2024, 12, 31, 16, 29, tzinfo=UTC)
    assert db.session.scalar(select(Entry.id).where(Entry.published_at > after)) == entry.id
    assert db.session.scalar(select(Entry.id).where(Entry.published_at > after + timedelta(minutes=2))) is None


def test_dates_round_trip_as_dates(app):
    entry = make_entry(make_blog(make_user("owner")))
    db.session.add(EntryView(entry_id=entry.id, visitor_key="k" * 32, day=date(2024, 2, 29)))
    db.session.commit()
    assert db.session.scalars(select(EntryView.day).where(EntryView.day >= date(2024, 2, 29))).all() == [
        date(2024, 2, 29)
    ]


def test_tag_suggestions_treat_like_wildcards_as_text_and_ignore_latin_case(app):
    owner = make_user("owner")
    make_entry(make_blog(owner), tags="100%_จริง, 100 จริง, 1000, KMแบบไทย")
    assert suggest_tags("100%") == ["100%_จริง"]
    assert suggest_tags("0_") == []
    # SQLite's LIKE ignores ASCII case and PostgreSQL's does not; tags and queries are both lower-cased first.
    assert suggest_tags("Kmแบบ") == ["kmแบบไทย"]
