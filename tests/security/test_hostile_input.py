"""Hostile input over HTTP: broken encodings, NUL bytes, huge bodies, tag floods and deep nesting.

Each case must get a clear Thai error (or a safe page) and never a 500 or half-written data.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Entry, Tag
from tests.entries.conftest import entry_form
from tests.factories import make_blog, make_user
from tests.text.html_checks import problems
from tests.uploads.images import noise_png, post_image, upload_count

INVALID_TEXT = "ข้อมูลที่ส่งมามีอักขระที่ไม่ถูกต้อง"
WRITE_URL = "/b/km-notes/write"


@pytest.fixture
def writer(app, auth):
    make_blog(make_user("somchai"), "km-notes")
    auth.login("somchai")


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Entry))


def post_raw_form(client, url: str, raw: bytes):
    return client.post(url, data=raw, content_type="application/x-www-form-urlencoded")


def encoded_form(**overrides) -> bytes:
    return urlencode(entry_form(**overrides)).encode("ascii")


@pytest.mark.parametrize(
    "field",
    [
        b"title=%FF%FE",  # percent-encoded bytes that are not UTF-8
        b"title=\xff\xfe",  # raw bytes that are not UTF-8
        b"title=%E0%B8",  # a Thai character cut in half
        b"title=ab%00cd",  # NUL
        b"title=%C0%80",  # overlong NUL
    ],
)
def test_invalid_form_text_is_refused_and_nothing_written(client, writer, field):
    rest = encoded_form(title=None)
    response = post_raw_form(client, WRITE_URL, field + b"&" + rest)
    assert response.status_code == 400
    assert INVALID_TEXT in response.get_data(as_text=True)
    assert entry_count() == 0


def test_valid_thai_form_text_is_saved(client, writer):
    response = post_raw_form(client, WRITE_URL, encoded_form(title="ชื่อบันทึกภาษาไทย"))
    assert response.status_code == 302
    assert db.session.scalar(select(Entry.title)) == "ชื่อบันทึกภาษาไทย"


@pytest.mark.parametrize("query", ["q=%FF", "q=%E0%B8", "q=\xff", "q=%C0%80"])
def test_invalid_query_string_is_refused_with_thai_page(client, query):
    # WSGI carries the raw query string as latin-1 text, one character per byte.
    response = client.get("/search", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert INVALID_TEXT in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/search?q=a%00b", "/tags/suggest?q=%00", "/?page=%00", "/lang/en?next=/%00", "/tags?page=1%00"]
)
def test_nul_in_query_string_gets_a_safe_page(client, url):
    assert client.get(url).status_code < 500


def test_invalid_query_string_under_api_is_json(client):
    response = client.get("/api/v1/search", environ_overrides={"QUERY_STRING": "q=%FF"})
    assert response.status_code == 400
    assert INVALID_TEXT in response.get_json()["error"]


def test_invalid_text_on_json_endpoint_is_json(client, writer):
    response = client.post("/preview", data={"body": "a\x00b"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert INVALID_TEXT in response.get_json()["error"]


def test_invalid_multipart_text_field_is_refused(client, writer):
    boundary = "sala-boundary"
    body = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode() + value + b"\r\n"
            for key, value in [(k, v.encode()) for k, v in entry_form(title=None).items()] + [("title", b"\xff\xfe")]
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(WRITE_URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert INVALID_TEXT in response.get_data(as_text=True)
    assert entry_count() == 0


def test_binary_upload_is_not_refused(client, writer):
    image = noise_png((40, 40), seed=7)
    assert b"\x00" in image
    response = post_image(client, image, "picture.png")
    assert response.status_code == 201
    assert upload_count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "ก" * (5 * 1024 * 1024 // 3),  # 5 MB of Thai
        "&amp;&lt;&#x41;&#65;" * (5 * 1024 * 1024 // 20),  # a 5 MB paragraph of entities
    ],
    ids=["thai-5mb", "entities-5mb"],
)
def test_five_megabyte_body_is_refused_with_thai_message(client, writer, body):
    response = client.post(WRITE_URL, data=entry_form(body=body))
    # Over MAX_FORM_MEMORY_SIZE once urlencoded: refused before parsing, with the 413 page.
    assert response.status_code in (400, 413)
    text = response.get_data(as_text=True)
    assert "เนื้อหายาวเกินไป" in text or "ข้อมูลที่ส่งมาใหญ่เกินไป" in text
    assert entry_count() == 0


def test_largest_thai_body_still_fits_the_form_limit(client, writer):
    limit = 200 * 1024
    assert client.post(WRITE_URL, data=entry_form(body="ก" * (limit // 3))).status_code == 302
    response = client.post(WRITE_URL, data=entry_form(body="ก" * (limit // 3 + 1)))
    assert response.status_code == 400
    assert "เนื้อหายาวเกินไป" in response.get_data(as_text=True)
    assert entry_count() == 1


def test_ten_thousand_tags_are_refused_and_nothing_written(client, writer):
    tags = ", ".join(f"tag{n}" for n in range(10_000))
    response = client.post(WRITE_URL, data=entry_form(tags=tags))
    assert response.status_code == 400
    assert "คำสำคัญยาวเกินไป" in response.get_data(as_text=True)
    assert entry_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_eleven_short_tags_are_refused_with_the_count_rule(client, writer):
    response = client.post(WRITE_URL, data=entry_form(tags=",".join("abcdefghijk")))
    assert response.status_code == 400
    assert "ใส่คำสำคัญได้ไม่เกิน 10 คำ" in response.get_data(as_text=True)
    assert entry_count() == 0


@pytest.mark.parametrize(
    "body",
    [
        ">" * 10_000 + " ลึกมาก <script>alert(1)</script>",
        "- " * 10_000 + "ลึกมาก",
        "1. " * 10_000 + "ลึกมาก",
        "\n".join("  " * level + "- x" for level in range(300)),
        "<div>" * 10_000 + "x" + "</div>" * 10_000,
        "[" * 10_000 + "x" + "](" * 5_000,
    ],
    ids=["quotes", "bullets", "ordered", "indented", "divs", "brackets"],
)
def test_deep_nesting_renders_safely(client, writer, body):
    assert len(body.encode()) < 200 * 1024
    response = client.post(WRITE_URL, data=entry_form(body=body))
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    entry_html = db.session.scalar(select(Entry.body_html))
    assert problems(entry_html) == []
    assert entry_html.count("<blockquote>") <= 100
    assert entry_html.count("<ul>") + entry_html.count("<ol>") <= 100


@pytest.mark.parametrize("query", ["ก" * 2000, "a " * 1000, '"' * 2000, "(" * 2000, "*" * 2000, "OR " * 667])
def test_two_thousand_character_search_gets_a_page(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert response.mimetype == "text/html"
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code in (200, 400)
    assert api.is_json


@pytest.mark.parametrize(
    "body",
    ["&amp;&lt;&#x41;&#65;" * 9_500, "a\n" * 90_000, "**b** " * 30_000, "<b>x</b>" * 20_000],
    ids=["entities", "lines", "bold", "tags"],
)
def test_markup_dense_body_under_the_size_limit_is_saved_escaped(client, writer, body):
    response = client.post(WRITE_URL, data=entry_form(body=body))
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    entry_html = db.session.scalar(select(Entry.body_html))
    assert problems(entry_html) == []
    assert "<strong>" not in entry_html and "<b>" not in entry_html


def test_markup_budget_keeps_ordinary_formatting_and_fenced_code():
    from app.text.markdown import MAX_MARKUP_CHARS, render_markdown

    assert "<strong>" in render_markdown("**ตัวหนา** " * (MAX_MARKUP_CHARS // 5))
    assert "<strong>" not in render_markdown("**ตัวหนา** " * (MAX_MARKUP_CHARS // 4 + 1))
    code = "```\n" + "if a[i] < b & c: f(*x)\n" * 2_000 + "```\n\n**ตัวหนา**"
    assert "<strong>" in render_markdown(code)
