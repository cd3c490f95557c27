"""The change feed (app/changes): what a transaction changed, through the real models and services."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from app import changes, reads
from app.changes import BulkChangeRefused, Change
from app.comments.services import add_comment, delete_comment
from app.entries.services import update_entry
from app.extensions import db
from app.models import Entry, User
from tests.factories import make_blog, make_entry, make_user


class Recorder:
    """A consumer that keeps what it is handed: per flush, and per commit."""

    def __init__(self) -> None:
        self.flushed: list[list[Change]] = []
        self.committed: list[list[Change]] = []

    def by_row(self) -> dict[str, Change]:
        """The changes of the last commit, by row."""
        return {change.row: change for change in self.committed[-1]}


@pytest.fixture
def recorder(app):
    recorder = Recorder()
    changes.subscribe(
        "test-recorder",
        in_transaction=lambda session, flushed: recorder.flushed.append(list(flushed)),
        after_commit=recorder.committed.append,
    )
    yield recorder
    changes.unsubscribe("test-recorder")


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai"), "km-notes")


def test_every_mapped_model_is_registered():
    mapped = {mapper.class_ for mapper in db.Model.registry.mappers}
    missing = sorted(model.__name__ for model in mapped - changes.registered_models())
    assert not missing, f"register these models in app/changes/registry.py: {missing}"


def test_consumers_are_called_search_first_then_the_page_cache(app):
    assert changes.consumers()[:2] == ["search", "page_cache"]


def test_a_published_entry_is_an_insert_into_its_lists(recorder, blog):
    entry = make_entry(blog, title="บันทึกใหม่", tags="km")
    [change] = [c for c in recorder.committed[-1] if c.table == "entries"]
    assert (change.kind, change.key, change.row) == ("insert", (entry.id,), f"entries:{entry.id}")
    assert {"title", "status", "blog_id", "read_count"} <= change.fields
    tag_id = entry.tags[0].id
    assert {"entries", "tags", f"blog-entries:{blog.id}", f"user-entries:{blog.owner_id}"} <= change.lists
    assert f"tag-entries:{tag_id}" in change.lists
    assert change.refs == {"blog_id": {blog.id}, "author_id": {blog.owner_id}}


def test_a_draft_is_in_no_list(recorder, blog):
    make_entry(blog, publish=False)
    [change] = [c for c in recorder.committed[-1] if c.table == "entries"]
    assert change.kind == "insert" and change.lists == frozenset()


def test_an_edit_is_an_update_of_the_fields_changed(recorder, blog):
    entry = make_entry(blog, title="ชื่อเดิม")
    update_entry(entry, title="ชื่อใหม่")
    db.session.commit()
    change = recorder.by_row()[f"entries:{entry.id}"]
    assert change.kind == "update"
    assert {"title", "updated_at"} <= change.fields and "blog_id" not in change.fields
    assert "entry-texts" in change.lists and f"blog-entries:{blog.id}" not in change.lists


def test_a_comment_moved_between_entries_names_both(recorder, blog):
    first, second = make_entry(blog, title="หนึ่ง"), make_entry(blog, title="สอง")
    comment = add_comment(first, "ความเห็น", user=blog.owner)
    db.session.commit()
    comment.entry = second
    db.session.commit()
    change = recorder.by_row()[f"comments:{comment.id}"]
    assert change.kind == "update" and "entry" in change.fields
    assert change.refs["entry_id"] == {first.id, second.id}
    assert change.lists == {f"entry-comments:{first.id}", f"entry-comments:{second.id}"}


def test_a_deleted_comment_is_a_delete_with_every_column(recorder, blog):
    entry = make_entry(blog)
    comment = add_comment(entry, "ความเห็น", user=blog.owner)
    db.session.commit()
    comment_id = comment.id
    delete_comment(comment)
    db.session.commit()
    change = recorder.by_row()[f"comments:{comment_id}"]
    assert change.kind == "delete" and {"body_text", "entry_id", "is_hidden"} <= change.fields
    assert change.refs["entry_id"] == {entry.id} and f"entry-comments:{entry.id}" in change.lists


def test_a_composite_key_names_its_row_with_dashes(recorder, app):
    from app.users.services import follow

    somchai, malee = make_user("somchai"), make_user("malee")
    follow(somchai, malee)
    db.session.commit()
    change = recorder.by_row()[f"follows:{somchai.id}-{malee.id}"]
    assert change.key == (somchai.id, malee.id)
    assert change.lists == {f"user-follows:{somchai.id}", f"user-follows:{malee.id}"}


def test_each_flush_goes_to_in_transaction_consumers_and_the_commit_merges_them(recorder, app):
    user = make_user("somchai")
    recorder.flushed.clear()
    user.display_name = "สมชาย หนึ่ง"
    db.session.flush()
    user.bio = "สวัสดี"
    db.session.flush()
    assert [[c.fields for c in flushed] for flushed in recorder.flushed] == [[{"display_name"}], [{"bio"}]]
    assert recorder.committed[-1][0].table == "users"  # only make_user's commit so far
    commits = len(recorder.committed)
    db.session.commit()
    assert len(recorder.committed) == commits + 1
    [change] = recorder.committed[-1]
    assert change.kind == "update" and change.fields == {"display_name", "bio"}


def test_an_insert_then_an_update_in_one_transaction_is_one_insert(recorder, app):
    user = make_user("somchai")
    commits = len(recorder.committed)
    user2 = User(username="malee", username_key="malee", display_name="มาลี", password_hash="x")
    db.session.add(user2)
    db.session.flush()
    user2.bio = "สวัสดี"
    db.session.commit()
    assert len(recorder.committed) == commits + 1
    [change] = recorder.committed[-1]
    assert (change.kind, change.key) == ("insert", (user2.id,))
    assert user.id != user2.id


def test_a_rolled_back_transaction_delivers_nothing(recorder, app):
    user = make_user("somchai")
    commits = len(recorder.committed)
    user.display_name = "ไม่ได้บันทึก"
    db.session.flush()
    db.session.rollback()
    user.bio = "บันทึก"
    db.session.commit()
    assert len(recorder.committed) == commits + 1
    assert recorder.committed[-1][0].fields == {"bio"}


def test_a_rolled_back_savepoint_drops_only_its_own_changes(recorder, app):
    somchai, malee = make_user("somchai"), make_user("malee")
    commits = len(recorder.committed)
    somchai.bio = "นอกจุดบันทึก"
    savepoint = db.session.begin_nested()
    malee.bio = "ในจุดบันทึกที่ยกเลิก"
    db.session.flush()
    savepoint.rollback()
    with db.session.begin_nested():  # released: its change stays, delivered with the outer commit
        malee.display_name = "มาลี"
    assert len(recorder.committed) == commits  # a released savepoint is not a commit
    db.session.commit()
    assert len(recorder.committed) == commits + 1
    rows = recorder.by_row()
    assert rows[f"users:{somchai.id}"].fields == {"bio"}
    assert rows[f"users:{malee.id}"].fields == {"display_name"}


def test_a_failing_consumer_after_commit_neither_raises_nor_stops_the_others(recorder, app, caplog):
    def broken(changes_):
        raise RuntimeError("consumer down")

    changes.subscribe("test-broken", after_commit=broken)
    changes.unsubscribe("test-recorder")
    changes.subscribe("test-recorder", after_commit=recorder.committed.append)  # after the broken one
    try:
        make_user("somchai")
    finally:
        changes.unsubscribe("test-broken")
    assert recorder.committed and "consumer down" in caplog.text


def test_a_bulk_update_of_a_registered_model_is_refused(app, blog):
    entry = make_entry(blog)
    with pytest.raises(BulkChangeRefused):
        db.session.execute(update(Entry).where(Entry.id == entry.id).values(read_count=7))
    db.session.rollback()
    entries = Entry.__table__
    with pytest.raises(BulkChangeRefused):
        db.session.execute(update(entries).where(entries.c.id == entry.id).values(read_count=7))
    db.session.rollback()


def test_bulk_update_is_delivered_as_a_change_of_each_row(recorder, blog):
    first, second = make_entry(blog, title="หนึ่ง"), make_entry(blog, title="สอง")
    changes.bulk_update(Entry, [first.id, second.id], {"read_count": Entry.read_count + 2})
    db.session.commit()
    rows = recorder.by_row()
    assert set(rows) == {f"entries:{first.id}", f"entries:{second.id}"}
    assert all(c.kind == "update" and c.fields == {"read_count"} for c in rows.values())
    db.session.expire_all()
    assert db.session.get(Entry, first.id).read_count == 2


def test_a_read_count_flush_is_a_change_of_each_entry_read(recorder, app, blog):
    app.config.update(READ_FLUSH_BATCH=10_000, READ_FLUSH_INTERVAL_SECONDS=10_000)
    first, second = make_entry(blog, title="หนึ่ง"), make_entry(blog, title="สอง")
    client = app.test_client()
    for entry in (first, second, first):
        client.get(f"/posts/{entry.number}", headers={"User-Agent": "Browser/1"}).close()
    client.get(f"/posts/{first.number}", headers={"User-Agent": "Browser/2"}).close()
    commits = len(recorder.committed)
    assert reads.flush(app) == 3
    assert len(recorder.committed) == commits + 1
    rows = recorder.by_row()
    assert set(rows) == {f"entries:{first.id}", f"entries:{second.id}"}
    assert all(c.fields == {"read_count"} for c in rows.values())
