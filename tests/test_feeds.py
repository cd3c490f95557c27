"""Atom feeds: the shared helper, and the blog and tag feeds that use it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from app.feeds import ATOM_CONTENT_TYPE, atom_response
from app.models import Entry
from app.urls import site_url
from tests.factories import make_blog, make_entry, make_user

NS = {"atom": "http://www.w3.org/2005/Atom"}
START = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == ATOM_CONTENT_TYPE
    root = ET.fromstring(response.get_data())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return root


def titles(root: ET.Element) -> list[str]:
    return [entry.findtext("atom:title", namespaces=NS) for entry in root.findall("atom:entry", NS)]


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai", display_name="สมชาย ใจดี"), "km-notes", title="บันทึก KM & ชุมชน")


def test_blog_feed_is_valid_atom_with_the_right_entries(client, blog):
    make_entry(blog, title="เก่า", published_at=START, tags="KM, ลปรร")
    make_entry(blog, title="ใหม่ <สุด>", body="**ตัวหนา** & ลิงก์", published_at=START + timedelta(days=1))
    make_entry(blog, title="ร่าง", publish=False)

    root = parse(client.get("/b/km-notes/feed.atom"))

    assert root.findtext("atom:title", namespaces=NS) == "บันทึก KM & ชุมชน"
    assert root.findtext("atom:id", namespaces=NS) == "http://localhost/b/km-notes/feed.atom"
    links = {link.get("rel"): link.get("href") for link in root.findall("atom:link", NS)}
    assert links == {
        "self": "http://localhost/b/km-notes/feed.atom",
        "alternate": "http://localhost/b/km-notes",
    }
    assert root.findtext("atom:updated", namespaces=NS).startswith("2024-03-02T")
    assert titles(root) == ["ใหม่ <สุด>", "เก่า"]

    newest, oldest = root.findall("atom:entry", NS)
    entry_id = newest.findtext("atom:id", namespaces=NS)
    assert entry_id.startswith("http://localhost/posts/")
    assert newest.find("atom:link", NS).get("href") == entry_id
    assert newest.findtext("atom:author/atom:name", namespaces=NS) == "สมชาย ใจดี"
    assert newest.findtext("atom:published", namespaces=NS).startswith("2024-03-02T08:30:00")
    content = newest.find("atom:content", NS)
    assert content.get("type") == "html"
    assert "<strong>ตัวหนา</strong>" in content.text
    assert [c.get("term") for c in oldest.findall("atom:category", NS)] == ["ลปรร", "km"]  # Thai dictionary order


def test_feed_holds_at_most_twenty_newest(client, blog):
    for day in range(23):
        make_entry(blog, title=f"เรื่อง {day:02d}", published_at=START + timedelta(days=day))
    root = parse(client.get("/b/km-notes/feed.atom"))
    assert titles(root) == [f"เรื่อง {day:02d}" for day in range(22, 2, -1)]


def test_empty_feed_is_still_valid(client, blog):
    root = parse(client.get("/b/km-notes/feed.atom"))
    assert root.findall("atom:entry", NS) == []
    assert root.findtext("atom:updated", namespaces=NS)


def test_blog_feed_slug_case_redirects(client, blog):
    response = client.get("/b/KM-NOTES/feed.atom")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/b/km-notes/feed.atom")


def test_tag_feed(client, blog):
    make_entry(blog, title="มีแท็ก", tags="km", published_at=START)
    make_entry(blog, title="ไม่มีแท็ก", tags="อื่น", published_at=START)
    make_entry(blog, title="ร่างมีแท็ก", tags="km", publish=False)
    root = parse(client.get("/tags/km/feed.atom"))
    assert titles(root) == ["มีแท็ก"]
    assert "km" in root.findtext("atom:title", namespaces=NS)


def test_atom_response_takes_a_list_and_urls_at_the_site_address(app, blog):
    entries = [
        make_entry(blog, title="หนึ่ง", published_at=START),
        make_entry(blog, title="สอง\x0bมีอักขระควบคุม", published_at=START + timedelta(hours=1)),
    ]
    with app.test_request_context("/", base_url="https://forged.example"):
        page, feed = site_url("blogs.show", slug="km-notes"), site_url("blogs.feed", slug="km-notes")
        response = atom_response("ฟีดทดสอบ", page, feed, entries)
    root = parse(response)
    assert root.findtext("atom:id", namespaces=NS) == "http://localhost/b/km-notes/feed.atom"
    assert titles(root) == ["สองมีอักขระควบคุม", "หนึ่ง"]


def test_atom_response_orders_a_select_newest_first(app, blog):
    from sqlalchemy import select

    make_entry(blog, title="ก่อน", published_at=START)
    make_entry(blog, title="หลัง", published_at=START + timedelta(days=1))
    with app.test_request_context("/"):
        entries = select(Entry).order_by(Entry.id)
        response = atom_response("ฟีด", "http://localhost/", "http://localhost/feed.atom", entries)
    assert titles(parse(response)) == ["หลัง", "ก่อน"]
