"""Related entries are ranked by a background task when the index takes a change, stored, and read by the page.

The testing configuration runs tasks at once (TASK_QUEUE_IMMEDIATE), so each commit below has refreshed the
lists by the time it returns.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import current_app, g
from sqlalchemy import select

from app import ROOT, tasks
from app.admin.services import suspend_user
from app.entries import related
from app.entries.services import delete_entry, update_entry
from app.extensions import db
from app.models import RelatedEntry, RelatedList
from app.search import backends, sync
from app.search.query import search
from tests.factories import make_blog, make_entry, make_user


def forget(model, *criteria) -> None:
    """Delete rows as a test's setup, through the ORM (so the change feed sees them)."""
    for row in db.session.scalars(select(model).where(*criteria)):
        db.session.delete(row)


@pytest.fixture
def orchard(app):
    """Three entries about durian and compost, and one about fish that is like none of them."""
    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")
    first = make_entry(blog, title="ทุเรียนหมอนทอง", body="ทุเรียนหมอนทองออกผลดี ปุ๋ยหมักช่วยให้ทุเรียนงาม")
    second = make_entry(blog, title="ปุ๋ยหมักสำหรับทุเรียน", body="ทำปุ๋ยหมักใส่ทุเรียนหมอนทอง")
    third = make_entry(blog, title="ทุเรียนนอกฤดู", body="ทุเรียนหมอนทองนอกฤดูกับปุ๋ยหมัก")
    fish = make_entry(blog, title="ตลาดปลา", body="ปลาทูสดจากแม่กลองราคาถูก")
    return blog, first, second, third, fish


def related_block(client, entry) -> str | None:
    body = client.get(f"/posts/{entry.number}").get_data(as_text=True)
    match = re.search(r'<section class="related-entries".*?</section>', body, flags=re.S)
    return match.group() if match else None


def linked_numbers(block: str | None) -> list[int]:
    return [int(n) for n in re.findall(r'href="/posts/(\d+)"', block or "")]


def test_publishing_stores_the_related_entries_of_the_new_entry_and_of_those_like_it(orchard):
    _, first, second, third, fish = orchard
    assert set(related.stored_ids(first.id)) == {second.id, third.id}
    # The first entry was published before the others existed: it learnt of them when they were indexed.
    assert first.id in related.stored_ids(second.id)
    assert fish.id not in related.stored_ids(first.id)
    assert {entry.id for entry in related.related_to(first)} == {second.id, third.id}


def test_a_draft_has_no_related_entries_and_is_in_no_list(orchard):
    blog, first, *_ = orchard
    draft = make_entry(blog, title="ร่างทุเรียน", body="ทุเรียนหมอนทองออกผลดี ปุ๋ยหมัก", publish=False)
    assert related.stored_ids(draft.id) in (None, [])
    assert draft.id not in related.stored_ids(first.id)
    assert related.related_to(draft) == []


def test_an_unpublished_entry_leaves_the_lists_that_held_it(orchard):
    _, first, second, third, _ = orchard
    update_entry(third, publish=False)
    db.session.commit()
    assert third.id not in related.stored_ids(first.id)
    assert third.id not in related.stored_ids(second.id)
    assert related.stored_ids(third.id) == []


def test_a_deleted_entry_leaves_the_lists_that_held_it(orchard):
    _, first, second, third, _ = orchard
    third_id = third.id
    delete_entry(third)
    db.session.commit()
    assert third_id not in related.stored_ids(first.id)
    assert db.session.query(RelatedEntry).filter_by(related_id=third_id).count() == 0
    assert db.session.get(RelatedList, third_id) is None


def test_an_edit_that_changes_the_subject_moves_the_entry_out_of_the_lists(orchard):
    _, first, second, third, fish = orchard
    update_entry(third, title="ปลาทูแม่กลอง", body_markdown="ปลาทูสดจากแม่กลอง ตลาดปลาราคาถูก")
    db.session.commit()
    assert third.id not in related.stored_ids(first.id)
    assert related.stored_ids(third.id) == [fish.id]
    assert third.id in related.stored_ids(fish.id)


def test_the_page_hides_an_entry_unpublished_since_the_last_refresh(app, client, orchard):
    _, first, second, third, _ = orchard
    app.config["SEARCH_SYNC_ON_COMMIT"] = False  # the index (and so the refresh) has not caught up yet
    update_entry(third, publish=False)
    db.session.commit()
    assert third.id in related.stored_ids(first.id)
    assert linked_numbers(related_block(client, first)) == [second.number]


def test_the_page_hides_the_entries_of_a_member_suspended_since(app, client, orchard):
    _, first, *_ = orchard
    other = make_blog(make_user("malee"), "malee-orchard")
    hers = make_entry(other, title="ทุเรียนหมอนทองของมาลี", body="ทุเรียนหมอนทองออกผลดี ปุ๋ยหมักช่วยให้ทุเรียนงาม")
    assert hers.number in linked_numbers(related_block(client, first))
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    suspend_user(hers.author, reason="สแปม", by=None)
    db.session.commit()
    assert hers.id in related.stored_ids(first.id)
    assert hers.number not in linked_numbers(related_block(client, first))


def test_the_entry_page_shows_the_stored_entries_with_their_current_titles(client, orchard):
    _, first, second, third, _ = orchard
    block = related_block(client, first)
    assert set(linked_numbers(block)) == {second.number, third.number}
    assert f'href="/posts/{first.number}"' not in block
    second.title = "ปุ๋ยหมักสำหรับทุเรียน (ฉบับปรับปรุง)"
    db.session.commit()
    assert "ปุ๋ยหมักสำหรับทุเรียน (ฉบับปรับปรุง)" in related_block(client, first)


def test_a_list_never_computed_is_computed_in_the_background_when_first_shown(client, orchard):
    _, first, second, third, _ = orchard
    forget(RelatedEntry, RelatedEntry.entry_id == first.id)
    forget(RelatedList, RelatedList.entry_id == first.id)
    db.session.commit()
    # The page asks for the list; the immediate queue has stored it by the time the page is sent.
    client.get(f"/posts/{first.number}")
    assert set(related.stored_ids(first.id)) == {second.id, third.id}
    assert set(linked_numbers(related_block(client, first))) == {second.number, third.number}


def test_a_refresh_that_finds_the_same_ranking_writes_nothing(orchard):
    _, first, *_ = orchard
    listed = db.session.get(RelatedList, first.id)
    before = listed.updated_at
    assert related.refresh([first.id]) == []
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(RelatedList, first.id).updated_at == before


@pytest.fixture
def ranked(app, monkeypatch) -> list[int]:
    """The ids of the entries ranked from now on."""
    ranked: list[int] = []
    backend_class = type(backends.current())
    original = backend_class.related_ids
    monkeypatch.setattr(
        backend_class, "related_ids", lambda self, entry, limit: ranked.append(entry.id) or original(self, entry, limit)
    )
    return ranked


def test_asking_for_a_list_already_stored_ranks_nothing(orchard, ranked):
    _, first, *_ = orchard
    related.refresh_later([first.id])
    assert ranked == []


def test_a_change_that_leaves_the_entry_s_words_alone_ranks_nothing_again(orchard, ranked):
    from app.comments.services import add_comment

    _, first, *_ = orchard
    add_comment(first, "ขอบคุณสำหรับบันทึก", guest_name="ผู้มาเยือน")
    db.session.commit()
    assert ranked == []
    update_entry(first, body_markdown=first.body_markdown + " เพิ่มเติม")
    db.session.commit()
    assert first.id in ranked


# --- the queue ------------------------------------------------------------------------------------------------------


def test_a_task_runs_in_an_application_context_of_its_own(app, monkeypatch):
    seen = []

    def spy(entry_ids):
        seen.append((current_app._get_current_object(), g._get_current_object(), db.session(), entry_ids))

    monkeypatch.setitem(tasks._tasks, tasks.task_name(related.rank_unlisted), spy)
    app.extensions.pop(tasks.EXTENSION_KEY, None)  # build the queue afresh with the spy
    outer_g, outer_session = g._get_current_object(), db.session()
    tasks.enqueue(related.rank_unlisted, [7])
    [(task_app, task_g, task_session, ids)] = seen
    assert task_app is app and ids == [7]
    assert task_g is not outer_g and task_session is not outer_session


def test_a_failing_task_rolls_back_and_is_logged(app, orchard, monkeypatch, caplog):
    _, first, *_ = orchard

    def failing(entry_ids):
        related.refresh(entry_ids)
        forget(RelatedEntry, RelatedEntry.entry_id == first.id)
        raise RuntimeError("worker lost")

    monkeypatch.setitem(tasks._tasks, tasks.task_name(related.rank_unlisted), failing)
    app.extensions.pop(tasks.EXTENSION_KEY, None)
    tasks.enqueue(related.rank_unlisted, [first.id])
    assert "worker lost" in caplog.text
    db.session.expire_all()
    assert len(related.stored_ids(first.id)) == 2


def test_the_queue_follows_the_configuration(app, tmp_path):
    huey = tasks.create_huey({"TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'tasks.db'}"})
    assert type(huey).__name__ == "SqliteHuey" and not huey.immediate
    assert type(tasks.create_huey({"TASK_QUEUE_URL": "redis://127.0.0.1:6379/13"})).__name__ == "RedisHuey"
    with pytest.raises(tasks.ConfigurationError):
        tasks.create_huey({"TASK_QUEUE_URL": "memcached://nowhere"})


def test_a_queued_task_waits_for_the_worker(app, tmp_path, orchard):
    """Outside immediate mode the task is stored in the queue's file and runs when a worker takes it."""
    _, first, second, third, _ = orchard
    forget(RelatedEntry, RelatedEntry.entry_id == first.id)
    forget(RelatedList, RelatedList.entry_id == first.id)
    db.session.commit()
    app.config.update(TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'tasks.db'}", TASK_QUEUE_IMMEDIATE=False)
    app.extensions.pop(tasks.EXTENSION_KEY, None)
    queue = tasks.queue()
    related.refresh_later([first.id])
    assert queue.huey.pending_count() == 1
    assert related.stored_ids(first.id) is None
    queue.huey.execute(queue.huey.dequeue())  # what the consumer does with each task
    db.session.expire_all()
    assert set(related.stored_ids(first.id)) == {second.id, third.id}


def test_the_worker_process_runs_the_queued_tasks(app, tmp_path, orchard):
    """`huey_consumer worker.huey` (what `make run` and DEPLOY.md's unit start) takes the tasks from the queue's
    file and runs them against the same database and index: a ranking, and a commit's search index update."""
    _, first, second, third, _ = orchard
    forget(RelatedEntry, RelatedEntry.entry_id == first.id)
    forget(RelatedList, RelatedList.entry_id == first.id)
    db.session.commit()
    queue_url = f"sqlite:///{tmp_path / 'tasks.db'}"
    app.config.update(TASK_QUEUE_URL=queue_url, TASK_QUEUE_IMMEDIATE=False)
    app.extensions.pop(tasks.EXTENSION_KEY, None)
    related.refresh_later([first.id])
    newer = make_entry(first.blog, title="ผ้าไหมทอมือ", body="ผ้าไหมมัดหมี่ลายโบราณ")
    assert sync.pending_count() == 1  # the search index update is queued too
    env = {
        **os.environ,
        "SALA_CONFIG": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_BACKEND": app.config["SEARCH_BACKEND"],
        "SEARCH_INDEX_DIR": app.config["SEARCH_INDEX_DIR"],
        "TASK_QUEUE_URL": queue_url,
        "CACHE_TYPE": "NullCache",
    }
    consumer = subprocess.Popen(
        [str(Path(sys.executable).parent / "huey_consumer"), "worker.huey", "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not related.stored_ids(first.id) or sync.pending_count()):
            time.sleep(0.2)
            db.session.rollback()
    finally:
        consumer.send_signal(signal.SIGINT)
        output = consumer.communicate(timeout=30)[0]
    assert set(related.stored_ids(first.id)) == {second.id, third.id}, output
    assert sync.pending_count() == 0, output
    assert newer.id in {hit.entry.id for hit in search("มัดหมี่").hits}, output


def test_a_queue_that_cannot_be_reached_does_not_break_the_write(app, orchard, caplog):
    blog, first, *_ = orchard
    app.config.update(TASK_QUEUE_URL="redis://127.0.0.1:1/0", TASK_QUEUE_IMMEDIATE=False)
    app.extensions.pop(tasks.EXTENSION_KEY, None)
    entry = make_entry(blog, title="ทุเรียนอีกต้น", body="ทุเรียนหมอนทองออกผลดี")
    assert entry.is_published
    assert "could not queue the search index update" in caplog.text
    assert sync.pending_count() == 1  # the change waits in the outbox for the worker or `flask search sync`
    sync.drain()
    assert sync.pending_count() == 0
    assert "could not queue a refresh of related entries" in caplog.text


# --- the CLI --------------------------------------------------------------------------------------------------------


def test_the_cli_computes_the_lists_never_computed_or_all_of_them(runner, orchard):
    _, first, second, third, fish = orchard
    forget(RelatedEntry)
    forget(RelatedList, RelatedList.entry_id != fish.id)
    db.session.commit()
    result = runner.invoke(args=["related", "refresh"])
    assert result.exit_code == 0, result.output
    assert "3" in result.output
    assert set(related.stored_ids(first.id)) == {second.id, third.id}
    result = runner.invoke(args=["related", "refresh", "--all"])
    assert result.exit_code == 0, result.output
    assert set(related.stored_ids(second.id)) == {first.id, third.id}
