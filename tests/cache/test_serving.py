"""Who is served from the page cache, what a cached response carries, and what is never shared."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app import reads
from app.extensions import db
from app.models import Entry
from tests.cache.conftest import BATCHED_READS, CACHE_STATUS, cache_status, prime
from tests.csrf_client import page_token
from tests.factories import make_blog, make_entry, make_user

PUBLIC_PAGES = (
    "/",
    "/posts/{number}",
    "/b/km-notes",
    "/b/km-notes/feed.atom",
    "/tags",
    "/tags/km",
    "/tags/km/feed.atom",
    "/u/somchai",
    "/u/somchai/followers",
    "/u/somchai/following",
    "/c",
    "/c/km-station",
    "/c/km-station/feed.atom",
)


def _count_queries(app, client, path: str) -> tuple[int, object]:
    statements = []

    def note(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(statements), response


@pytest.mark.parametrize("template", PUBLIC_PAGES)
def test_every_public_page_is_cached_for_anonymous_readers(client, cast, station, template):
    path = template.format(number=cast["km_entry"].number)
    assert cache_status(client, path) == "miss"
    assert cache_status(client, path) == "hit"


def test_a_page_served_from_the_cache_reads_nothing_from_the_database(app, client, cast):
    client.get("/")
    queries, response = _count_queries(app, client, "/")
    assert response.headers[CACHE_STATUS] == "hit"
    assert queries == 0
    assert "ลปรร. ครั้งแรก" in response.get_data(as_text=True)


def test_a_cached_page_is_the_same_page(client, cast):
    first = client.get("/b/km-notes")
    second = client.get("/b/km-notes")
    assert second.headers[CACHE_STATUS] == "hit"
    assert second.get_data() == first.get_data()
    assert second.content_type == first.content_type


def test_feeds_keep_their_content_type(client, cast):
    client.get("/b/km-notes/feed.atom")
    response = client.get("/b/km-notes/feed.atom")
    assert response.headers[CACHE_STATUS] == "hit"
    assert response.content_type == "application/atom+xml; charset=utf-8"


def test_cached_responses_keep_the_security_headers_and_vary(app, client, cast):
    client.get("/")
    response = client.get("/")
    assert response.headers[CACHE_STATUS] == "hit"
    assert response.headers["Content-Security-Policy"] == app.config["CONTENT_SECURITY_POLICY"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_a_page_without_a_form_sets_no_cookie_when_served_from_the_cache(app, cast):
    app.test_client().get("/")
    response = app.test_client().get("/")
    assert response.headers[CACHE_STATUS] == "hit"
    assert "Set-Cookie" not in response.headers


def test_head_requests_are_served_from_the_cache(client, cast):
    client.get("/tags")
    response = client.head("/tags")
    assert response.status_code == 200
    assert response.headers[CACHE_STATUS] == "hit"


def test_the_query_string_is_part_of_the_key(app, client, cast):
    app.config["ENTRIES_PER_PAGE"] = 1
    prime(client, "/")
    assert cache_status(client, "/?page=2") == "miss"
    page_two = client.get("/?page=2").get_data(as_text=True)
    assert "ลปรร. ครั้งแรก" in page_two  # the older entry, not page one's copy
    assert "ปลูกผักบุ้ง" not in page_two


def test_only_successful_pages_are_kept(client, cast):
    for _ in range(2):
        missing = client.get("/b/no-such-blog")
        assert missing.status_code == 404
        assert CACHE_STATUS not in missing.headers
        moved = client.get("/b/KM-Notes")  # canonical spelling: a 301
        assert moved.status_code == 301
        assert CACHE_STATUS not in moved.headers


def test_languages_are_cached_separately(client, cast):
    assert cache_status(client, "/") == "miss"
    assert cache_status(client, "/", headers={"Accept-Language": "en"}) == "miss"
    english = client.get("/", headers={"Accept-Language": "en"})
    assert english.headers[CACHE_STATUS] == "hit"
    assert '<html lang="en">' in english.get_data(as_text=True)
    thai = client.get("/")
    assert thai.headers[CACHE_STATUS] == "hit"
    assert '<html lang="th">' in thai.get_data(as_text=True)
    client.set_cookie("sala_lang", "en")
    by_cookie = client.get("/")
    assert by_cookie.headers[CACHE_STATUS] == "hit"
    assert '<html lang="en">' in by_cookie.get_data(as_text=True)


def test_members_never_get_the_page_kept_for_anonymous_readers(app, client, auth, cast):
    make_user("prasert")
    prime(client, "/", "/b/km-notes")
    auth.login("prasert")
    for path in ("/", "/b/km-notes", "/", "/b/km-notes"):
        response = client.get(path)
        assert response.headers.get(CACHE_STATUS) != "hit"
        assert "คุณprasert" in response.get_data(as_text=True)  # his name in the header
    stranger = app.test_client()
    response = stranger.get("/")
    assert response.headers[CACHE_STATUS] == "hit"
    assert "คุณprasert" not in response.get_data(as_text=True)
    assert "ออกจากระบบ" not in response.get_data(as_text=True)


def test_a_members_page_is_never_stored_for_others(app, client, auth, cast):
    make_user("prasert")
    auth.login("prasert")
    client.get("/")
    client.get("/")
    stranger = app.test_client()
    response = stranger.get("/")
    assert response.headers[CACHE_STATUS] == "miss"
    assert "คุณprasert" not in response.get_data(as_text=True)


def test_a_remembered_member_without_a_session_is_not_served_from_the_cache(app, client, auth, cast):
    prime(client, "/")
    make_user("prasert")
    auth.login("prasert", remember=True)
    client.delete_cookie("session")  # the browser was closed; the remember-me cookie signs him in again
    response = client.get("/")
    assert response.headers.get(CACHE_STATUS) != "hit"
    assert "คุณprasert" in response.get_data(as_text=True)


def test_a_pending_flash_message_is_shown_fresh_and_never_cached(app, client, cast):
    prime(client, "/")
    flashed = app.test_client()
    with flashed.session_transaction() as session:
        session["_flashes"] = [("info", "ข้อความสำหรับผู้อ่านคนนี้")]
    response = flashed.get("/")
    assert CACHE_STATUS not in response.headers
    assert "ข้อความสำหรับผู้อ่านคนนี้" in response.get_data(as_text=True)
    for reader in (client, flashed):
        again = reader.get("/")
        assert again.headers[CACHE_STATUS] == "hit"
        assert "ข้อความสำหรับผู้อ่านคนนี้" not in again.get_data(as_text=True)


def test_search_results_are_kept_until_the_index_takes_a_change(client, cast):
    prime(client, "/search?q=km")
    blog = cast["km_blog"]
    make_entry(blog, title="บันทึกใหม่เรื่องการทำ KM", tags="km")  # indexed straight after the commit
    response = client.get("/search?q=km")
    assert response.headers[CACHE_STATUS] == "miss"
    assert "บันทึกใหม่เรื่องการทำ KM" in response.get_data(as_text=True)


def test_a_comment_the_index_takes_retires_search_results(client, cast):
    from app.comments.services import add_comment

    prime(client, "/search?q=ผักบุ้งลอยฟ้า")
    add_comment(cast["garden_entry"], "ลองปลูกผักบุ้งลอยฟ้าดูครับ", user=cast["somchai"])
    db.session.commit()
    response = client.get("/search?q=ผักบุ้งลอยฟ้า")
    assert response.headers[CACHE_STATUS] == "miss"
    assert "ปลูกผักบุ้ง" in response.get_data(as_text=True)


def test_a_refused_search_is_never_kept(client, cast):
    for _ in range(2):
        response = client.get("/search", query_string={"q": "km", "sort": "foo"})
        assert response.status_code == 400
        assert CACHE_STATUS not in response.headers


def _read(app, entry: Entry, agent: str) -> str:
    """One visitor reads the entry; the read waits in the buffer (BATCHED_READS) until `_read_count` flushes."""
    response = app.test_client().get(f"/posts/{entry.number}", headers={"User-Agent": agent})
    response.close()
    return response.headers[CACHE_STATUS]


def _read_count(entry: Entry) -> int:
    reads.flush()
    return db.session.scalar(select(Entry.read_count).where(Entry.id == entry.id))


def test_read_counts_keep_counting_when_the_page_comes_from_the_cache(app, cast):
    entry = cast["km_entry"]
    statuses = [_read(app, entry, f"Browser/{n}") for n in (0, 1, 2, 1)]
    assert statuses == ["miss", "hit", "hit", "hit"]
    assert _read_count(entry) == 3  # the same reader on the same day is still one read


def test_a_robot_served_from_the_cache_is_still_not_a_reader(app, cast):
    entry = cast["km_entry"]
    assert _read(app, entry, "Browser/1") == "miss"
    assert _read(app, entry, "Googlebot/2.1") == "hit"
    assert _read_count(entry) == 1


def test_a_page_rendered_while_a_write_commits_is_not_kept(app, client, cast, monkeypatch):
    """The render may have read the rows from before the write: keeping it would show them until it expires."""
    from app.main import routes as main_routes
    from app.tags.services import popular_tags

    writes = []

    def tags_while_writing(limit):
        if not writes:
            writes.append(True)
            user = db.session.get(type(cast["malee"]), cast["malee"].id)
            user.display_name = "มาลี ใจดี"
            db.session.commit()
        return popular_tags(limit)

    monkeypatch.setattr(main_routes, "popular_tags", tags_while_writing)
    assert cache_status(client, "/") == "miss"
    assert cache_status(client, "/") == "miss"  # the first copy was not kept
    assert cache_status(client, "/") == "hit"


class TestGuestComments:
    """With CSRF on (as in production): the entry page kept for guests holds no token and sets no cookie; guests
    comment from the form's own page, each with their own token."""

    @pytest.fixture
    def app_config(self) -> dict:
        return {"WTF_CSRF_ENABLED": True, "PAGE_CACHE_CHECK": False, **BATCHED_READS}

    def test_the_entry_page_kept_for_guests_holds_no_token_and_sets_no_cookie(self, app, cast):
        path = f"/posts/{cast['km_entry'].number}"
        for expected in ("miss", "hit"):
            response = app.test_client().get(path)
            assert response.headers[CACHE_STATUS] == expected
            assert "Set-Cookie" not in response.headers
            html = response.get_data(as_text=True)
            assert 'name="csrf_token"' not in html and "<sala-part" not in html
            assert f'href="{path}/comments"' in html  # the way to the comment form

    def test_each_guest_gets_their_own_working_token(self, app, cast):
        path = f"/posts/{cast['km_entry'].number}/comments"
        first, second = app.test_client(), app.test_client()
        first_token = page_token(first.get(path).get_data(as_text=True))
        second_token = page_token(second.get(path).get_data(as_text=True))
        assert first_token != second_token
        comment = {"guest_name": "ผู้มาเยือน", "body": "ขอบคุณครับ"}
        assert second.post(path, data={**comment, "csrf_token": first_token}).status_code == 400
        assert second.post(path, data={**comment, "csrf_token": second_token}).status_code == 302

    def test_a_marker_written_into_a_page_stays_text(self, app, cast):
        """Text that looks like a reader's part is escaped, so only the parts the render put there are filled."""
        writer = make_user("writer")
        entry = make_entry(make_blog(writer, "tricks"), title="<sala-part csrf>", body="<sala-part nav>")
        path = f"/posts/{entry.number}"
        app.test_client().get(path)
        html = app.test_client().get(path).get_data(as_text=True)
        assert html.count("&lt;sala-part csrf&gt;") >= 2
        assert "<sala-part" not in html and 'name="csrf_token"' not in html


class TestHttpCaching:
    """Validators a browser and a proxy understand, on pages kept for guests only."""

    def test_a_page_kept_for_guests_carries_validators_and_may_be_kept_by_a_proxy(self, client, cast):
        client.get("/")
        response = client.get("/")
        assert response.headers[CACHE_STATUS] == "hit"
        assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"]
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=1"
        assert {"Cookie", "Accept-Language"} <= {part.strip() for part in response.headers["Vary"].split(",")}

    def test_a_conditional_request_gets_304_until_the_page_changes(self, client, cast):
        first = client.get("/b/km-notes")
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get("/b/km-notes", headers={"If-None-Match": etag}).status_code == 304
        assert client.get("/b/km-notes", headers={"If-Modified-Since": modified}).status_code == 304
        cast["km_blog"].title = "บล็อกที่เปลี่ยนชื่อ"
        db.session.commit()
        changed = client.get("/b/km-notes", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert "บล็อกที่เปลี่ยนชื่อ" in changed.get_data(as_text=True)

    def test_the_etag_differs_between_pages_and_languages(self, client, cast):
        tags = {client.get(path).headers["ETag"] for path in ("/", "/tags", "/b/km-notes")}
        english = client.get("/", headers={"Accept-Language": "en"}).headers["ETag"]
        assert len(tags) == 3 and english not in tags

    def test_a_members_page_has_no_validators_and_is_private(self, app, client, auth, cast):
        auth.login("malee")
        client.get("/dashboard")  # takes the welcome flash
        client.get("/")
        response = client.get("/")
        assert response.headers[CACHE_STATUS] == "hit"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers and "Last-Modified" not in response.headers

    def test_a_guest_sending_a_session_cookie_is_not_told_a_proxy_may_keep_the_page(self, app, client, cast):
        client.get(f"/posts/{cast['km_entry'].number}/comments")  # a session with a CSRF token
        app.test_client().get("/")  # kept for guests by a cookieless render
        response = client.get("/")
        assert response.headers[CACHE_STATUS] == "hit"
        assert "public" not in response.headers.get("Cache-Control", "")
