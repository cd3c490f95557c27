"""The index stays in step with the database: every change that shows in a document is applied after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.services import update_profile
from app.blogs.services import update_blog
from app.comments.services import add_comment, delete_comment, hide_comment, unhide_comment
from app.entries.services import create_entry, update_entry
from app.extensions import db
from app.models import SearchTask
from app.search import sync
from app.search.backends import postgres
from app.search.backends.whoosh import writing
from app.search.index import document_count
from app.stations.services import remove_blog, submit_blog, update_station
from tests.factories import make_blog, make_entry, make_station, make_user
from tests.search.helpers import found, indexed_strings, writer_lock_held


@pytest.fixture
def writer_user(app):
    return make_user("somchai", display_name="สมชาย ใจดี")


@pytest.fixture
def blog(writer_user):
    return make_blog(writer_user, "orchard", title="บันทึกชาวสวน")


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchTask))


def test_a_committed_entry_is_found_at_once(blog):
    entry = make_entry(blog, title="ชาวสวนทุเรียน", body="ฤดูนี้ทุเรียนออกผลดี", tags="ผลไม้")
    assert found("ทุเรียน") == {entry.number}
    assert found("", tag="ผลไม้") == {entry.number}
    assert pending() == 0


def test_the_request_leaves_the_index_update_to_the_task_worker(app, blog, tmp_path):
    from app import tasks

    app.config.update(TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}", TASK_QUEUE_IMMEDIATE=False)
    app.extensions.pop(tasks.EXTENSION_KEY, None)
    queue = tasks.queue()
    first = make_entry(blog, title="ชาวสวนลองกอง", body="ลองกองตันหยงมัส")
    second = make_entry(blog, title="ลองกองรุ่นสอง", body="ลองกองออกช่อ")

    assert (pending(), found("ลองกอง")) == (2, set())  # committed, waiting in the outbox for the worker
    assert queue.huey.pending_count() == 2  # one update queued by each commit
    queue.huey.execute(queue.huey.dequeue())  # what the worker does with each
    assert (pending(), found("ลองกอง")) == (0, {first.number, second.number})
    # Left: the second commit's update (it will find nothing to do) and the ranking of the entries' related ones.
    assert sorted(task.name.rsplit(".", 1)[-1] for task in queue.huey.pending()) == ["apply_pending", "refresh_indexed"]


def test_a_rolled_back_entry_is_never_found(blog):
    create_entry(blog, blog.owner, title="มังคุดรอบแรก", body_markdown="เก็บมังคุดหลังฝนตก")
    db.session.rollback()
    make_entry(blog, title="เรื่องอื่น", body="ปลูกลำไยพันธุ์ดี")  # a later commit must not bring it back
    assert found("มังคุด") == set()
    assert pending() == 0


def test_an_edit_replaces_the_old_text(client, auth, blog):
    entry = make_entry(blog, title="สวนผลไม้", body="ปีนี้เงาะราคาดี")
    auth.login("somchai")
    response = client.post(
        f"/posts/{entry.number}/edit",
        data={
            "title": "สวนผลไม้",
            "body": "ปีนี้สับปะรดราคาดี",
            "tags": "สับปะรด",
            "license": "cc-by",
            "status": "published",
            "comments_enabled": "y",
        },
    )
    assert response.status_code == 302
    assert found("สับปะรด") == {entry.number}
    assert found("เงาะ") == set()
    assert found("", tag="สับปะรด") == {entry.number}


def test_changing_the_tags_alone_reaches_the_index(blog):
    entry = make_entry(blog, title="กาแฟดอย", body="คั่วกาแฟเอง", tags="กาแฟ")
    update_entry(entry, tags="เครื่องดื่ม")
    db.session.commit()
    assert found("", tag="เครื่องดื่ม") == {entry.number}
    assert found("", tag="กาแฟ") == set()


def test_a_deleted_entry_is_gone(client, auth, blog):
    entry = make_entry(blog, title="มะพร้าวน้ำหอม", body="มะพร้าวน้ำหอมจากสวน")
    auth.login("somchai")
    response = client.post(f"/posts/{entry.number}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    assert found("มะพร้าว") == set()
    assert document_count() == 0


def test_back_to_draft_leaves_the_index_and_publishing_again_returns(blog):
    entry = make_entry(blog, title="ลำไยอบแห้ง", body="ทำลำไยอบแห้งขาย")
    update_entry(entry, publish=False)
    db.session.commit()
    assert found("ลำไย") == set()
    update_entry(entry, publish=True)
    db.session.commit()
    assert found("ลำไย") == {entry.number}


def test_a_draft_is_never_found(blog):
    make_entry(blog, title="ร่างเรื่องทุเรียน", body="ทุเรียนยังไม่สุก", publish=False)
    assert found("ทุเรียน") == set()
    assert document_count() == 0


def test_comments_are_found_until_hidden_or_deleted(blog):
    entry = make_entry(blog, title="ถามเรื่องปุ๋ย", body="ใช้ปุ๋ยอะไรดี")
    comment = add_comment(entry, "ลองใช้ปุ๋ยหมักมูลไส้เดือน", guest_name="ผู้อ่าน")
    db.session.commit()
    assert found("ไส้เดือน") == {entry.number}
    hide_comment(comment)
    db.session.commit()
    assert found("ไส้เดือน") == set()
    unhide_comment(comment)
    db.session.commit()
    assert found("ไส้เดือน") == {entry.number}
    delete_comment(comment)
    db.session.commit()
    assert found("ไส้เดือน") == set()


def test_a_comment_hidden_through_the_page_leaves_the_index(client, auth, blog):
    entry = make_entry(blog, title="ถามเรื่องดิน", body="ดินเปรี้ยวแก้อย่างไร")
    comment = add_comment(entry, "โรยปูนขาวช่วยได้", guest_name="ผู้อ่าน")
    db.session.commit()
    assert found("ปูนขาว") == {entry.number}
    auth.login("somchai")
    assert client.post(f"/comments/{comment.id}/hide").status_code == 302
    assert found("ปูนขาว") == set()


def test_no_email_or_ip_address_reaches_the_index(blog):
    entry = make_entry(blog, title="ขอบคุณผู้อ่าน", body="ขอบคุณทุกความเห็น")
    add_comment(entry, "ชอบบันทึกนี้", guest_name="แขก", guest_email="secret.reader@example.org", ip_address="203.0.113.77")
    db.session.commit()
    assert found("ความเห็น") == {entry.number}
    strings = indexed_strings()
    for private in ("secret", "example", "203", "77", "somchai@example.org"):
        assert not any(private in value for value in strings)
    assert found("secret.reader@example.org") == set()
    assert found("203.0.113.77") == set()


def test_a_blog_leaving_a_station_stops_matching_the_station_filter(blog, writer_user):
    station = make_station(writer_user, "Orchard-Station", name="ชุมชนคนทำสวน")
    submit_blog(station, blog, writer_user)  # the station owner's own blog is accepted at once
    db.session.commit()
    entry = make_entry(blog, title="แบ่งปันพันธุ์ไม้", body="แจกกิ่งพันธุ์มะม่วง")
    assert found("", station="orchard-station") == {entry.number}
    assert found("คนทำสวน") == {entry.number}
    assert found("Orchard-Station") == {entry.number}
    remove_blog(station, blog)
    db.session.commit()
    assert found("", station="orchard-station") == set()
    assert found("คนทำสวน") == set()


def test_a_station_or_blog_renamed_is_found_by_the_new_name(blog, writer_user):
    station = make_station(writer_user, "Orchard-Station", name="ชุมชนคนทำสวน")
    submit_blog(station, blog, writer_user)
    db.session.commit()
    entry = make_entry(blog, title="แบ่งปันพันธุ์ไม้", body="แจกกิ่งพันธุ์มะม่วง")
    update_station(station, name="เครือข่ายเกษตรกร", description="", join_policy="open")
    update_blog(blog, title="สมุดของนักปลูก")
    db.session.commit()
    assert found("เกษตรกร") == {entry.number}
    assert found("นักปลูก") == {entry.number}
    assert found("คนทำสวน") == set()


def test_an_author_renamed_is_found_by_the_new_name(blog, writer_user):
    entry = make_entry(blog, title="ตัดแต่งกิ่ง", body="ตัดแต่งกิ่งหลังเก็บผล")
    assert found("สมชาย") == {entry.number}
    update_profile(writer_user, "ประเสริฐ ศรีสวน", "", "")
    db.session.commit()
    assert found("ประเสริฐ") == {entry.number}
    assert found("สมชาย") == set()
    assert found("somchai") == {entry.number}


def test_a_suspended_authors_entries_and_comments_leave_the_index(blog, writer_user):
    entry = make_entry(blog, title="น้ำหมักชีวภาพ", body="สูตรน้ำหมักชีวภาพ")
    other = make_blog(make_user("malee"), "malee-notes", title="บันทึกของมาลี")
    elsewhere = make_entry(other, title="ปลูกผักบนดาดฟ้า", body="ผักบุ้งโตเร็ว")
    add_comment(elsewhere, "ผมใช้น้ำหมักรดผักบุ้งก็ได้ผล", user=writer_user)
    db.session.commit()
    assert found("น้ำหมัก") == {entry.number, elsewhere.number}
    writer_user.is_suspended = True
    db.session.commit()
    assert found("น้ำหมัก") == set()
    assert found("ผักบุ้ง") == {elsewhere.number}
    writer_user.is_suspended = False
    db.session.commit()
    assert found("น้ำหมัก") == {entry.number, elsewhere.number}


def test_a_task_left_by_a_crash_is_applied_by_flask_search_sync(app, runner, blog):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False  # the process "dies" right after committing
    entry = make_entry(blog, title="กล้วยหอมทอง", body="ปลูกกล้วยหอมทองส่งออก")
    assert pending() == 1
    assert found("กล้วย") == set()
    app.config["SEARCH_SYNC_ON_COMMIT"] = True
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "ปรับดัชนีแล้ว 1 งาน" in result.output
    assert pending() == 0
    assert found("กล้วย") == {entry.number}


def test_the_next_writer_also_applies_what_an_earlier_one_left(app, blog):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    first = make_entry(blog, title="กล้วยไข่", body="กล้วยไข่กำแพงเพชร")
    app.config["SEARCH_SYNC_ON_COMMIT"] = True
    second = make_entry(blog, title="กล้วยเล็บมือนาง", body="กล้วยเล็บมือนางชุมพร")
    assert found("กล้วย") == {first.number, second.number}
    assert pending() == 0


def test_a_busy_index_never_fails_a_request_and_keeps_the_task(client, auth, runner, blog):
    entry = make_entry(blog, title="สวนยาง", body="กรีดยางตอนเช้ามืด")
    with writer_lock_held():  # another worker is writing
        auth.login("somchai")
        response = client.post(
            f"/posts/{entry.number}/edit",
            data={
                "title": "สวนปาล์ม",
                "body": "ตัดทะลายปาล์มทุกสิบห้าวัน",
                "tags": "",
                "license": "cc-by",
                "status": "published",
            },
        )
        assert response.status_code == 302
        assert pending() == 1
        assert found("ปาล์ม") == set()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert pending() == 0
    assert found("ปาล์ม") == {entry.number}
    assert found("ยาง") == set()


def test_sync_reports_a_busy_index_without_losing_tasks(app, runner, blog, monkeypatch):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    make_entry(blog, title="มะนาวแป้น", body="มะนาวแป้นพิจิตร")
    monkeypatch.setattr("app.search.cli.SYNC_LOCK_WAIT", 0.1)
    with writer_lock_held():
        result = runner.invoke(args=["search", "sync"])
    assert result.exit_code != 0
    assert "กำลังถูกเขียน" in result.output
    assert pending() == 1


def test_sync_with_nothing_pending_says_so(runner, blog):
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "ปรับดัชนีแล้ว 0 งาน" in result.output


def test_the_listeners_are_registered_once(app):
    sync.register_listeners()
    sync.register_listeners()
    from app import changes

    assert changes.consumers() == ["search", "page_cache"]  # subscribing again keeps search first
    blog_owner = make_user("once")
    entry = make_entry(make_blog(blog_owner, "once-blog", title="ครั้งเดียว"), title="ส้มโอ", body="ส้มโอนครชัยศรี")
    assert found("ส้มโอ") == {entry.number}
    assert pending() == 0


def test_a_failing_index_update_never_fails_the_commit_nor_later_reads(app, blog, runner, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "write_entries", broken)
    monkeypatch.setattr(postgres, "write_documents", broken)
    # Alembic's logging set-up (run by the migrations fixture) disables loggers that already exist.
    monkeypatch.setattr(sync.logger, "disabled", False)
    first = make_entry(blog, title="ขนุนหนัง", body="ขนุนหนังเนื้อกรอบ")
    assert "search index update failed" in caplog.text
    assert pending() == 1
    second = make_entry(blog, title="ขนุนละมุด", body="ขนุนละมุดเนื้อนุ่ม")
    assert db.session.get(type(second), second.id).title == "ขนุนละมุด"
    assert pending() == 2
    monkeypatch.undo()
    assert runner.invoke(args=["search", "sync"]).exit_code == 0
    assert found("ขนุน") == {first.number, second.number}
