"""entry_document(): what an entry puts in the index, and what it never does."""

from __future__ import annotations

from app.comments.services import add_comment
from app.extensions import db
from app.search.documents import SECTION_WEIGHTS, entry_document
from app.stations.services import submit_blog
from app.text.markdown import markdown_to_plain_text
from tests.factories import make_blog, make_entry, make_station, make_user

BODY = "## หัวข้อ\n\nเนื้อหา **ตัวหนา** กับ [ลิงก์](https://example.org) และตาราง\n\n| ก | ข |\n|---|---|\n| ๑ | ๒ |"


def test_a_published_entry_becomes_a_document_of_its_visible_text(app):
    author = make_user("somchai", display_name="สมชาย ใจดี")
    blog = make_blog(author, "KM-Notes", title="บันทึก KM")
    station = make_station(author, "Chumphon-KM-Station", name="ชุมชน KM ชุมพร")
    submit_blog(station, blog, author)
    entry = make_entry(blog, title="ชื่อบันทึก", body=BODY, tags="KM, ชุมพร")
    add_comment(entry, "ความเห็นที่เห็นได้", guest_name="แขก", guest_email="guest@example.org", ip_address="10.1.2.3")
    add_comment(entry, "ความเห็นที่ถูกซ่อน", guest_name="แขก", hidden=True)
    db.session.commit()
    document = entry_document(entry)
    assert document["entry_id"] == str(entry.id)
    sections = {name: text for name, (text, _) in zip(SECTION_WEIGHTS, document["text"].sections, strict=True)}
    weights = [weight for _, weight in document["text"].sections]
    assert weights == list(SECTION_WEIGHTS.values()) and SECTION_WEIGHTS["title"] > SECTION_WEIGHTS["comments"]
    assert sections["title"] == "ชื่อบันทึก"
    assert sections["body"] == markdown_to_plain_text(entry.body_html)
    assert sections["body"].endswith("ก ข ๑ ๒") and "**" not in sections["body"] and "https" not in sections["body"]
    assert document["tags"] == "ชุมพร,km" and sections["tags"] == "ชุมพร\nkm"
    assert document["blog"] == "km-notes" and "บันทึก KM" in sections["names"]
    assert document["author"] == "somchai" and "สมชาย ใจดี" in sections["names"] and "somchai" in sections["names"]
    assert document["stations"] == "chumphon-km-station"
    assert "Chumphon-KM-Station" in sections["names"] and "ชุมชน KM ชุมพร" in sections["names"]
    assert sections["comments"] == "ความเห็นที่เห็นได้"
    text = " ".join(str(value) for value in document.values()) + " ".join(t for t, _ in document["text"].sections)
    assert "guest@example.org" not in text and "10.1.2.3" not in text and author.email not in text


def test_drafts_and_suspended_authors_have_no_document(app):
    author = make_user("somchai")
    blog = make_blog(author, "km-notes")
    draft = make_entry(blog, title="ร่าง", body="ร่าง", publish=False)
    published = make_entry(blog, title="เผยแพร่", body="เผยแพร่")
    assert entry_document(draft) is None
    assert entry_document(published) is not None
    author.is_suspended = True
    assert entry_document(published) is None
