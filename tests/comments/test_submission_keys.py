"""The comment form sent twice (a retry after a lost response, or two at once) adds one comment.

The entry page may be kept in the page cache for many readers, so its form comes with an empty key that
static/js/form_keys.js fills in each browser; these tests send the key a browser would.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import func, select

from app.comments import services
from app.extensions import db
from app.models import Comment
from tests.comments.helpers import assert_count

KEY = "k3y-from-the-browser-0123456789abcdef"


def comment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def comment_form(user: str | None, **overrides) -> dict:
    data = {"body": "ขอบคุณที่แบ่งปันครับ", "submission_key": KEY}
    if user is None:
        data["guest_name"] = "ผู้มาเยือน"
    return {**data, **overrides}


def url(cast) -> str:
    return f"/posts/{cast.entry.number}/comments"


def sign_in(auth, user: str | None) -> None:
    if user is not None:
        auth.login(user)


def test_the_entry_page_kept_for_members_leaves_the_key_to_each_browser(client, auth, cast):
    auth.login("malee")
    page = client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    field = re.search(r"<input[^>]*name=\"submission_key\"[^>]*>", page)
    assert field and 'value=""' in field.group(0)
    assert "/static/js/form_keys.js" in page


def test_the_guests_form_page_carries_its_own_key(client, cast):
    """Rendered for one reader (never kept), the guests' form page can hold a key of its own."""
    pages = [client.get(f"/posts/{cast.entry.number}/comments").get_data(as_text=True) for _ in range(2)]
    keys = [re.search(r'name="submission_key"[^>]*value="([^"]+)"', page).group(1) for page in pages]
    assert keys[0] != keys[1]


@pytest.mark.parametrize("user", [None, "malee"])
def test_the_same_form_sent_twice_adds_one_comment_and_both_answers_lead_to_it(client, auth, cast, user):
    sign_in(auth, user)
    first = client.post(url(cast), data=comment_form(user))
    second = client.post(url(cast), data=comment_form(user))
    comment = db.session.scalar(select(Comment))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/posts/{cast.entry.number}#comment-{comment.id}"
    assert comment_count() == 1
    assert_count(cast.entry, 1)


@pytest.mark.parametrize("user", [None, "malee"])
def test_a_keyed_comment_is_searchable_at_once_and_nothing_waits_for_a_lock(client, auth, cast, caplog, user):
    """The key's savepoint is released before the request commits; the search outbox is applied only after the
    commit (applied at the savepoint, it waited for the request's own write lock on SQLite, then gave up)."""
    sign_in(auth, user)
    started = time.monotonic()
    client.post(url(cast), data=comment_form(user, body="ความเห็นเรื่องกล้วยไม้ป่าชุมพร"))
    assert time.monotonic() - started < 5
    assert "search index update failed" not in caplog.text
    found = client.get("/search", query_string={"q": "กล้วยไม้ป่าชุมพร"}).get_data(as_text=True)
    assert f"/posts/{cast.entry.number}" in found


@pytest.mark.parametrize("user", [None, "malee"])
def test_a_comment_waiting_for_approval_answers_the_same_twice(app, client, auth, cast, user):
    app.config["COMMENT_MAX_LINKS_GUEST"] = app.config["COMMENT_MAX_LINKS_MEMBER"] = 0
    sign_in(auth, user)
    form = comment_form(user, body="ดูที่ https://example.org")
    answers = [client.post(url(cast), data=form) for _ in range(2)]
    assert [answer.headers["Location"] for answer in answers] == [f"/posts/{cast.entry.number}#comments"] * 2
    assert comment_count() == 1


@pytest.mark.parametrize("user", [None, "malee"])
def test_different_keys_or_no_key_add_each_comment(client, auth, cast, user):
    sign_in(auth, user)
    client.post(url(cast), data=comment_form(user))
    client.post(url(cast), data=comment_form(user, submission_key=KEY.replace("k3y", "key")))
    client.post(url(cast), data=comment_form(user, submission_key=""))
    client.post(url(cast), data=comment_form(user, submission_key=""))
    assert comment_count() == 4


@pytest.mark.parametrize(("first", "second"), [(None, "malee"), ("malee", None), ("malee", "preecha")])
def test_a_key_someone_else_used_is_refused(client, auth, cast, first, second):
    sign_in(auth, first)
    client.post(url(cast), data=comment_form(first))
    if first is not None:
        auth.logout()
    sign_in(auth, second)
    response = client.post(url(cast), data=comment_form(second, body="อีกความเห็นหนึ่ง"))
    assert response.status_code == 409
    assert "แบบฟอร์มนี้ถูกส่งไปแล้ว" in response.get_data(as_text=True)
    assert comment_count() == 1


@pytest.mark.parametrize("user", [None, "malee"])
def test_a_key_found_only_when_inserting_returns_the_stored_comment(client, auth, cast, monkeypatch, user):
    """The race, made certain: the look after the entry's lock misses, so the unique index refuses the insert,
    the savepoint is rolled back and the comment stored first is the answer; the count stays right."""
    sign_in(auth, user)
    first = client.post(url(cast), data=comment_form(user))
    real, calls = services._sent_comment, []

    def first_look_misses(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_sent_comment", first_look_misses)
    second = client.post(url(cast), data=comment_form(user))
    assert len(calls) == 2
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert comment_count() == 1
    assert_count(cast.entry, 1)


@pytest.mark.parametrize("user", [None, "malee"])
def test_two_requests_at_once_add_one_comment(app, cast, user):
    """Each thread has its own client, session and connection (a file on SQLite; PostgreSQL with
    TEST_DATABASE_URL)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    clients = [app.test_client() for _ in range(3)]
    if user is not None:
        for client in clients:
            client.post("/login", data={"login": user, "password": "password123"})
    start = threading.Barrier(len(clients))
    answers: list = []
    address, form = url(cast), comment_form(user)

    def send(client) -> None:
        start.wait()
        response = client.post(address, data=form)
        answers.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    comment_id = db.session.scalar(select(Comment.id))
    assert answers == [(302, f"/posts/{cast.entry.number}#comment-{comment_id}")] * len(clients)
    assert comment_count() == 1
    assert_count(cast.entry, 1)
