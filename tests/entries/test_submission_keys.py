"""The editor form sent twice (a retry after a lost response, or two at once) writes one entry."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from app.entries import services
from app.extensions import db
from app.models import Entry
from tests.entries.conftest import entry_form

WRITE_URL = "/b/km-notes/write"


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Entry))


def rendered_key(client) -> str:
    """The one-time key in a freshly rendered editor."""
    page = client.get(WRITE_URL).get_data(as_text=True)
    match = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="submission_key" value="([^"]+)"', page
    )
    assert match, "the editor has no submission key"
    return match.group(1)


def test_each_render_of_the_editor_has_its_own_key(client, auth, cast):
    auth.login("somchai")
    assert rendered_key(client) != rendered_key(client)


def test_the_same_form_sent_twice_writes_one_entry_and_both_answers_lead_to_it(client, auth, cast):
    auth.login("somchai")
    form = entry_form(submission_key=rendered_key(client))
    first = client.post(WRITE_URL, data=form)
    second = client.post(WRITE_URL, data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/posts/1"
    assert entry_count() == 1
    assert "เผยแพร่บันทึกแล้ว" in client.get("/posts/1").get_data(as_text=True)


def test_two_renders_write_two_entries(client, auth, cast):
    auth.login("somchai")
    for _ in range(2):
        assert client.post(WRITE_URL, data=entry_form(submission_key=rendered_key(client))).status_code == 302
    assert entry_count() == 2


@pytest.mark.parametrize("key", [None, "", "short", "not a key!" * 3, "x" * 65])
def test_a_form_without_a_usable_key_still_writes(client, auth, cast, key):
    auth.login("somchai")
    for _ in range(2):
        assert client.post(WRITE_URL, data=entry_form(submission_key=key)).status_code == 302
    assert entry_count() == 2


def test_someone_elses_key_is_refused_and_writes_nothing(client, auth, cast):
    auth.login("somchai")
    key = rendered_key(client)
    client.post(WRITE_URL, data=entry_form(submission_key=key))
    auth.logout()
    auth.login("malee")  # a co-author of the same blog
    response = client.post(WRITE_URL, data=entry_form(title="ของมาลี", submission_key=key))
    assert response.status_code == 409
    assert "แบบฟอร์มนี้ถูกส่งไปแล้ว" in response.get_data(as_text=True)
    assert entry_count() == 1


def test_a_key_found_only_when_inserting_returns_the_stored_entry(client, auth, cast, monkeypatch):
    """The race, made certain: the first look for the key misses (as for two requests at once), so the unique
    index refuses the insert, the savepoint is rolled back and the entry stored first is the answer."""
    auth.login("somchai")
    form = entry_form(submission_key=rendered_key(client))
    assert client.post(WRITE_URL, data=form).status_code == 302
    real, calls = services._sent_entry, []

    def first_look_misses(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_sent_entry", first_look_misses)
    response = client.post(WRITE_URL, data=form)
    assert len(calls) == 2
    assert response.status_code == 302 and response.headers["Location"] == "/posts/1"
    assert entry_count() == 1


def test_two_requests_at_once_write_one_entry(app, cast):
    """Each thread has its own client, session and connection (a file on SQLite; PostgreSQL with
    TEST_DATABASE_URL)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        client.post("/login", data={"login": "somchai", "password": "password123"})
    form = entry_form(submission_key=rendered_key(clients[0]))
    start = threading.Barrier(len(clients))
    answers: list = []

    def send(client) -> None:
        start.wait()
        response = client.post(WRITE_URL, data=form)
        answers.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    number = db.session.scalar(select(Entry.number))
    assert answers == [(302, f"/posts/{number}")] * 2
    assert entry_count() == 1
