"""Read counts: once per visitor per entry per (Bangkok) day, written after the response, never twice."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app import reads
from app.extensions import db
from app.models import Entry, EntryView
from tests.factories import make_entry

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}


@pytest.fixture
def entry(cast):
    return make_entry(cast.blog)


@pytest.fixture
def on_day(monkeypatch):
    """Freeze the reader's day; returns a setter so a test can move to the next day."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(reads, "today", lambda: day)

    set_day(date(2024, 1, 15))
    return set_day


def read_count(entry: Entry) -> int:
    return db.session.scalar(select(Entry.read_count).where(Entry.id == entry.id))


def view(client, entry: Entry, **kwargs):
    response = client.get(f"/posts/{entry.number}", headers=BROWSER, **kwargs)
    assert response.status_code == 200
    return response


def test_the_buffer_is_written_when_the_response_is_closed(app, client, entry, on_day):
    response = view(client, entry)
    assert read_count(entry) == 0  # nothing written while the response is still open
    response.close()  # READ_FLUSH_BATCH is 1 in tests, so closing the response flushes
    assert read_count(entry) == 1
    assert reads.flush(app) == 0


def test_a_buffered_request_flushes_on_its_own(client, entry, on_day):
    view(client, entry, buffered=True)
    assert read_count(entry) == 1


def test_the_same_visitor_reading_three_times_counts_once(app, client, entry, on_day):
    for _ in range(3):
        view(client, entry).close()
    reads.flush(app)
    assert read_count(entry) == 1
    assert db.session.scalar(select(func.count()).select_from(EntryView)) == 1


def test_repeats_within_one_batch_count_once(app, client, entry, on_day):
    for _ in range(3):
        view(client, entry)  # not closed: the reads stay in the buffer
    assert reads.flush(app) == 1
    assert read_count(entry) == 1


def test_two_visitors_count_two(app, client, entry, on_day):
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.2"})
    assert reads.flush(app) == 2
    assert read_count(entry) == 2


def test_a_member_counts_once_wherever_they_read_from(app, client, auth, entry, on_day):
    auth.login("prasert")
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    view(client, entry, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert reads.flush(app) == 1


def test_the_next_day_counts_again(app, client, entry, on_day):
    view(client, entry)
    reads.flush(app)
    view(client, entry)
    reads.flush(app)
    assert read_count(entry) == 1
    on_day(date(2024, 1, 16))
    view(client, entry)
    reads.flush(app)
    assert read_count(entry) == 2


def test_the_day_is_the_bangkok_day(monkeypatch):
    monkeypatch.setattr(reads, "utcnow", lambda: datetime(2024, 1, 15, 16, 59, tzinfo=UTC))
    assert reads.today() == date(2024, 1, 15)  # 23:59 in Bangkok
    monkeypatch.setattr(reads, "utcnow", lambda: datetime(2024, 1, 15, 17, 0, tzinfo=UTC))
    assert reads.today() == date(2024, 1, 16)  # midnight in Bangkok


def test_a_flush_writes_nothing_twice(app, client, entry, on_day):
    view(client, entry)
    assert reads.flush(app) == 1
    assert reads.flush(app) == 0
    # The same read buffered again (another worker, say) is refused by the database, not counted.
    view(client, entry)
    assert reads.flush(app) == 0
    assert read_count(entry) == 1
    assert db.session.scalar(select(func.count()).select_from(EntryView)) == 1


def test_the_page_shows_the_count(app, client, entry, on_day):
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.2"})
    reads.flush(app)
    db.session.expire_all()
    assert "อ่าน: 2" in view(client, entry).get_data(as_text=True)


def test_the_authors_own_views_and_drafts_are_not_counted(app, client, auth, cast, on_day):
    published = make_entry(cast.blog)
    draft = make_entry(cast.blog, publish=False)
    auth.login("somchai")
    view(client, published)
    view(client, draft)
    assert reads.flush(app) == 0
    assert read_count(published) == 0 and read_count(draft) == 0


def test_the_blog_owner_reading_a_co_authors_entry_counts(app, client, auth, cast, on_day):
    entry = make_entry(cast.blog, cast.coauthor)
    auth.login("somchai")
    view(client, entry)
    assert reads.flush(app) == 1


def test_crawlers_are_not_readers(app, client, entry, on_day):
    client.get(f"/posts/{entry.number}", headers={"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    assert reads.flush(app) == 0


def test_a_read_of_an_entry_deleted_before_the_flush_is_dropped(app, client, cast, on_day):
    from app.entries.services import delete_entry

    kept = make_entry(cast.blog)
    doomed = make_entry(cast.blog)
    view(client, kept)
    view(client, doomed)
    delete_entry(doomed)
    db.session.commit()
    assert reads.flush(app) == 1
    assert read_count(kept) == 1


def test_old_view_rows_are_pruned(app, client, entry, on_day):
    view(client, entry)
    reads.flush(app)
    on_day(date(2024, 1, 20))
    view(client, entry, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    reads.flush(app)
    days = db.session.scalars(select(EntryView.day)).all()
    assert days == [date(2024, 1, 20)]
    assert read_count(entry) == 2


def test_each_app_has_its_own_buffer(app, entry, on_day):
    from app import create_app

    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert other.extensions[reads.EXTENSION_KEY] is not app.extensions[reads.EXTENSION_KEY]


def test_visitor_keys_differ_by_day_and_reveal_nothing(app):
    with app.test_request_context(headers=BROWSER, environ_base={"REMOTE_ADDR": "203.0.113.1"}):
        monday, tuesday = reads.visitor_key(date(2024, 1, 15)), reads.visitor_key(date(2024, 1, 16))
    assert monday != tuesday
    assert len(monday) == 32 and "203.0.113.1" not in monday
