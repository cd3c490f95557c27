"""The entry services the views and the importer share: numbers, tags, dates, queries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from app.entries import services
from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.models import Counter, Entry, Tag
from tests.factories import make_entry, make_user


def counter() -> int | None:
    return db.session.scalar(select(Counter.value).where(Counter.name == services.NUMBER_COUNTER))


def test_numbers_come_from_the_counter_row(cast):
    assert counter() is None
    assert [make_entry(cast.blog).number for _ in range(3)] == [1, 2, 3]
    assert counter() == 3


def test_a_missing_counter_restarts_after_the_highest_number(cast):
    make_entry(cast.blog)
    make_entry(cast.blog)
    db.session.execute(delete(Counter))
    db.session.commit()
    assert make_entry(cast.blog).number == 3


def test_an_imported_number_is_kept_and_the_counter_moves_past_it(cast):
    first = make_entry(cast.blog)
    imported = make_entry(cast.blog, number=31245)
    assert (first.number, imported.number) == (1, 31245)
    assert make_entry(cast.blog).number == 31246
    # A free number below the counter is kept too, and the counter does not go backwards.
    assert make_entry(cast.blog, number=7).number == 7
    assert make_entry(cast.blog).number == 31247


def test_an_imported_number_that_is_taken_is_a_conflict(cast):
    make_entry(cast.blog, number=5)
    with pytest.raises(Conflict) as caught:
        services.create_entry(cast.blog, cast.owner, title="ซ้ำ", body_markdown="ข้อความ", number=5)
    assert caught.value.field == "number"
    db.session.rollback()
    with pytest.raises(DomainError):
        services.create_entry(cast.blog, cast.owner, title="ศูนย์", body_markdown="ข้อความ", number=0)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


def test_the_same_import_key_is_refused(cast):
    make_entry(cast.blog, import_key="a" * 64)
    with pytest.raises(Conflict):
        services.create_entry(cast.blog, cast.owner, title="ซ้ำ", body_markdown="ข้อความ", import_key="a" * 64)


def test_only_authors_of_the_blog_may_write_in_it(cast):
    with pytest.raises(Forbidden):
        services.create_entry(cast.blog, cast.stranger, title="ไม่ใช่บล็อกฉัน", body_markdown="ข้อความ")
    db.session.rollback()
    assert counter() is None


def test_imported_dates_are_kept(cast):
    written = datetime(2006, 5, 23, 8, 32, tzinfo=UTC)
    edited = datetime(2006, 6, 1, 3, 0, tzinfo=UTC)
    entry = make_entry(cast.blog, published_at=written, updated_at=edited)
    db.session.expire_all()
    assert (entry.created_at, entry.published_at, entry.updated_at) == (written, written, edited)


def test_a_draft_has_no_published_at_until_published(cast):
    entry = make_entry(cast.blog, publish=False)
    assert entry.published_at is None
    services.update_entry(entry, publish=True)
    first_published = entry.published_at
    assert first_published is not None
    services.update_entry(entry, publish=False)
    services.update_entry(entry, publish=True)
    assert entry.published_at == first_published


def test_update_changes_only_what_is_given(cast):
    entry = make_entry(cast.blog, title="เดิม", body="เนื้อหาเดิม", tags="km", license="cc-by")
    before = entry.updated_at
    services.update_entry(entry, title="ใหม่")
    db.session.commit()
    assert (entry.title, entry.body_markdown, entry.license, [t.name for t in entry.tags]) == (
        "ใหม่",
        "เนื้อหาเดิม",
        "cc-by",
        ["km"],
    )
    assert entry.updated_at > before


def test_titles_and_bodies_are_normalised(cast):
    entry = make_entry(cast.blog, title="  บันทึก\u200bใหม่   ของทีม ", body="ข้อ\u200bความ\r\nบรรทัดสอง")
    assert entry.title == "บันทึกใหม่ ของทีม"
    assert entry.body_markdown == "ข้อความ\nบรรทัดสอง"


def test_the_body_text_is_kept_with_every_change_of_the_body(cast):
    entry = make_entry(cast.blog, body="**ตลาดนัด**ความรู้ & KM\n\n| ปี | ผล |\n|---|---|\n| ๒๕๖๘ | ดี |")
    assert entry.body_text == "ตลาดนัดความรู้ & KM ปี ผล ๒๕๖๘ ดี"

    services.update_entry(entry, body_markdown="บันทึก<script>x</script> ใหม่")
    db.session.commit()
    db.session.expire_all()

    stored = db.session.scalar(select(Entry.body_text).where(Entry.id == entry.id))
    assert stored == entry.body_text == "บันทึก ใหม่"


def test_tags_accept_text_or_a_list_and_share_rows(cast):
    first = make_entry(cast.blog, tags=["#KM", "ชุมพร"])
    second = make_entry(cast.blog, tags="km, KM ,กาฬสินธุ์")
    assert [t.name for t in first.tags] == ["ชุมพร", "km"]
    assert [t.name for t in second.tags] == ["กาฬสินธุ์", "km"]
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 3


def test_a_tag_created_by_someone_else_meanwhile_is_reused_not_a_500(cast, app):
    """Another writer commits the same new tag between our parsing and our insert."""
    entry = make_entry(cast.blog)
    with db.engine.connect() as other:
        other.execute(Tag.__table__.insert().values(name="ใหม่"))
        other.commit()
    services.set_entry_tags(entry, "ใหม่, km")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Tag).where(Tag.name == "ใหม่")) == 1
    assert [t.name for t in entry.tags] == ["ใหม่", "km"]


def test_eleven_tags_are_refused_on_the_tags_field(cast):
    with pytest.raises(DomainError) as caught:
        services.create_entry(cast.blog, cast.owner, title="ก", body_markdown="ข", tags=[f"t{i}" for i in range(11)])
    assert caught.value.field == "tags"
    assert "10" in caught.value.message


def test_unknown_license_is_refused(cast):
    with pytest.raises(DomainError) as caught:
        services.create_entry(cast.blog, cast.owner, title="ก", body_markdown="ข", license="wtfpl")
    assert caught.value.field == "license"


def test_published_entries_query_leaves_out_drafts_and_suspended_authors(cast):
    old = make_entry(cast.blog, title="เก่า", published_at=datetime(2006, 1, 1, tzinfo=UTC))
    new = make_entry(cast.blog, title="ใหม่", published_at=datetime(2007, 1, 1, tzinfo=UTC))
    make_entry(cast.blog, title="ร่าง", publish=False)
    by_coauthor = make_entry(cast.blog, cast.coauthor, title="ของมาลี", published_at=datetime(2008, 1, 1, tzinfo=UTC))

    def listed() -> list[int]:
        return [e.id for e in db.session.scalars(services.published_entries_query())]

    assert listed() == [by_coauthor.id, new.id, old.id]
    cast.coauthor.is_suspended = True
    db.session.commit()
    assert listed() == [new.id, old.id]


def test_a_suspended_authors_entry_is_hidden_from_readers(client, cast):
    entry = make_entry(cast.blog, cast.coauthor)
    cast.coauthor.is_suspended = True
    db.session.commit()
    assert client.get(f"/posts/{entry.number}").status_code == 404


def test_find_entry_by_number(cast):
    """None for a number nobody has: the view, not the service, answers 404."""
    entry = make_entry(cast.blog)
    assert services.find_entry(entry.number) is entry
    assert services.find_entry(entry.number + 1) is None
    assert services.find_entry(0) is None


def test_delete_keeps_the_number_used(cast):
    entry = make_entry(cast.blog)
    services.delete_entry(entry)
    db.session.commit()
    assert make_entry(cast.blog).number == 2


def test_factories_make_an_entry_for_a_new_user(app):
    from tests.factories import make_blog

    user = make_user("wichai")
    blog = make_blog(user, "wichai-blog")
    assert make_entry(blog).author_id == user.id


def test_concurrent_writers_get_distinct_sequential_numbers(app, cast):
    """Several threads, each with its own session and connection, write at once."""
    import threading

    from app.models import Blog, User

    blog_id, author_ids = cast.blog.id, [cast.owner.id, cast.coauthor.id]
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with app.app_context():
                blog = db.session.get(Blog, blog_id)
                author = db.session.get(User, author_ids[worker % 2])
                for i in range(5):
                    services.create_entry(blog, author, title=f"{worker}-{i}", body_markdown="ข้อความ", tags="km")
                    db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(db.session.scalars(select(Entry.number)))
    assert numbers == list(range(1, 21))
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 1
