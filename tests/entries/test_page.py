"""What the entry page shows, and that bodies are rendered and sanitised once, when saved."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from unittest.mock import patch
from urllib.parse import quote

import pytest

from app.extensions import db
from tests.entries.conftest import entry_form, page_text
from tests.factories import make_entry, make_station

PUBLISHED = datetime(2006, 5, 23, 8, 32, tzinfo=UTC)  # 15:32 in Bangkok
EDITED = datetime(2006, 6, 1, 17, 5, tzinfo=UTC)  # 00:05 on 2 June in Bangkok


def test_the_page_shows_title_author_blog_body_tags_and_breadcrumbs(client, cast):
    entry = make_entry(cast.blog, title="ลปรร. ครั้งแรก", body="เนื้อหา **สำคัญ**", tags="KM, ชุมพร")
    response = client.get(f"/posts/{entry.number}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    text = page_text(response)
    assert "หน้าแรก › บันทึกการจัดการความรู้ › ลปรร. ครั้งแรก" in text
    assert '<h1 class="entry-title">ลปรร. ครั้งแรก</h1>' in body
    assert 'href="/u/somchai">คุณsomchai</a>' in body
    assert 'href="/b/km-notes">บันทึกการจัดการความรู้</a>' in body
    assert "<strong>สำคัญ</strong>" in body
    assert 'href="/tags/km">#km</a>' in body
    assert f'href="/tags/{quote("ชุมพร")}">#ชุมพร</a>' in body


def test_metadata_line_as_gotoknow_shows_it(client, cast):
    entry = make_entry(
        cast.blog, published_at=PUBLISHED, created_at=PUBLISHED, updated_at=EDITED, license="cc-by-nc-sa"
    )
    text = page_text(client.get(f"/posts/{entry.number}"))
    assert (
        f"หมายเลขบันทึก: {entry.number}, เขียน: 23 พ.ค. 2549 15:32, แก้ไข: 2 มิ.ย. 2549 00:05, "
        "สัญญาอนุญาต: แสดงที่มา-ไม่ใช้เพื่อการค้า-อนุญาตแบบเดียวกัน (CC BY-NC-SA), ความเห็น: 0, อ่าน: 0"
    ) in text


def test_license_label_links_to_the_license(client, cast):
    entry = make_entry(cast.blog, license="cc-by")
    body = client.get(f"/posts/{entry.number}").get_data(as_text=True)
    assert (
        '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/deed.th">ครีเอทีฟคอมมอนส์ แสดงที่มา (CC BY)</a>'
    ) in body


def test_all_rights_reserved_has_no_link(client, cast):
    entry = make_entry(cast.blog)
    response = client.get(f"/posts/{entry.number}")
    assert "สัญญาอนุญาต: สงวนสิทธิ์ทุกประการ," in page_text(response)
    assert 'rel="license"' not in response.get_data(as_text=True)


def test_dates_are_shown_in_bangkok_time_with_the_buddhist_era(client, cast):
    # 20:30 UTC on 31 Dec 2005 is already New Year's Day 2549 in Bangkok.
    moment = datetime(2005, 12, 31, 20, 30, tzinfo=UTC)
    entry = make_entry(cast.blog, published_at=moment, created_at=moment, updated_at=moment)
    text = page_text(client.get(f"/posts/{entry.number}"))
    assert "เขียน: 1 ม.ค. 2549 03:30" in text
    db.session.expire_all()
    assert entry.published_at == moment  # stored as UTC


def test_markdown_table_is_rendered_on_the_page(client, cast):
    body = "| ขั้นตอน | ผู้รับผิดชอบ |\n|---|---|\n| บ่งชี้ความรู้ | คุณอำนวย |\n"
    entry = make_entry(cast.blog, body=body)
    html = client.get(f"/posts/{entry.number}").get_data(as_text=True)
    assert "<table>" in html
    assert "<th>ขั้นตอน</th>" in html
    assert "<td>คุณอำนวย</td>" in html


def test_a_single_newline_stays_a_line_break(client, cast):
    entry = make_entry(cast.blog, body="บรรทัดแรก\nบรรทัดที่สอง")
    assert "บรรทัดแรก<br" in client.get(f"/posts/{entry.number}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("สวัสดี<script>alert('x')</script>", "<script"),
        ("<style>body{display:none}</style>ข้อความ", "<style"),
        ('<img src="https://example.org/a.png" onerror="alert(1)">', "onerror"),
        ("[กดที่นี่](javascript:alert(1))", "javascript:"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">ลิงก์</a>', "data:text/html"),
        ('<p onclick="steal()">ข้อความ</p>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ],
)
def test_body_is_sanitised_when_saved(client, auth, cast, body, forbidden):
    auth.login("somchai")
    response = client.post("/b/km-notes/write", data=entry_form(body=body))
    assert response.status_code == 302
    from app.models import Entry

    entry = db.session.scalars(db.select(Entry)).one()
    assert entry.body_markdown == body  # the writer's text is kept as written
    assert forbidden not in entry.body_html.lower()
    shown = client.get(response.headers["Location"]).get_data(as_text=True).lower()
    # The site's own scripts are external files (<script src=...>); nothing of the body may add one.
    assert forbidden not in re.sub(r'<script src="/static/[^"]+" defer></script>', "", shown)


def test_links_get_nofollow_noopener(client, cast):
    entry = make_entry(cast.blog, body="อ่านที่ [GotoKnow](https://www.gotoknow.org/)")
    assert "nofollow" in entry.body_html and "noopener" in entry.body_html


def test_images_by_url_and_fenced_code_survive(client, cast):
    body = "![แผนภาพ](https://example.org/km.png)\n\n```\nprint('สวัสดี')\n```\n\n> คำคม"
    entry = make_entry(cast.blog, body=body)
    assert '<img alt="แผนภาพ" src="https://example.org/km.png"' in entry.body_html or (
        'src="https://example.org/km.png"' in entry.body_html and "<img" in entry.body_html
    )
    assert "<code>" in entry.body_html
    assert "<blockquote>" in entry.body_html


def test_the_body_is_rendered_at_save_time_not_at_view_time(client, cast):
    entry = make_entry(cast.blog, body="**ตัวหนา**")
    refuse = AssertionError("rendered at view time")
    with (
        patch("app.text.markdown.render_markdown", side_effect=refuse),
        patch("app.entries.services.render_markdown", side_effect=refuse),
    ):
        response = client.get(f"/posts/{entry.number}")
    assert response.status_code == 200
    assert "<strong>ตัวหนา</strong>" in response.get_data(as_text=True)


def test_accepted_stations_of_the_blog_are_listed(client, cast):
    from app.stations.services import join_station, submit_blog

    accepted = make_station(cast.owner)
    submit_blog(accepted, cast.blog, cast.owner)  # the station's owner: accepted at once
    pending = make_station(cast.stranger, "Kalasin-KM", name="ชุมชน KM กาฬสินธุ์")
    join_station(pending, cast.owner)
    submit_blog(pending, cast.blog, cast.owner)  # waits for the moderators
    db.session.commit()
    entry = make_entry(cast.blog)
    response = client.get(f"/posts/{entry.number}")
    assert 'href="/c/Chumphon-KM-Station">ชุมชนคนทำ KM ชุมพร</a>' in response.get_data(as_text=True)
    assert "ชุมชน KM กาฬสินธุ์" not in page_text(response)


def test_edit_and_delete_buttons_only_for_those_who_may(client, auth, cast):
    entry = make_entry(cast.blog, cast.coauthor)
    url = f"/posts/{entry.number}"
    links = [f'href="{url}/edit"', f'href="{url}/delete"']
    for who, shown in [(None, False), ("prasert", False), ("malee", True), ("somchai", True)]:
        if who:
            auth.login(who)
        body = client.get(url).get_data(as_text=True)
        assert [link in body for link in links] == [shown, shown], who
        auth.logout()


def test_neighbouring_entries_in_the_same_blog_are_linked(client, cast):
    older = make_entry(cast.blog, title="เก่ากว่า", published_at=datetime(2006, 1, 1, tzinfo=UTC))
    middle = make_entry(cast.blog, title="ตรงกลาง", published_at=datetime(2006, 2, 1, tzinfo=UTC))
    newer = make_entry(cast.blog, title="ใหม่กว่า", published_at=datetime(2006, 3, 1, tzinfo=UTC))
    make_entry(cast.blog, title="ร่าง", publish=False)
    body = client.get(f"/posts/{middle.number}").get_data(as_text=True)
    assert f'rel="prev" href="/posts/{older.number}"' in body
    assert f'rel="next" href="/posts/{newer.number}"' in body
    body = client.get(f"/posts/{newer.number}").get_data(as_text=True)
    assert 'rel="next"' not in body


def test_comments_disabled_hides_the_form(client, auth, cast):
    closed = make_entry(cast.blog, comments_enabled=False)
    open_ = make_entry(cast.blog)
    auth.login("prasert")
    response = client.get(f"/posts/{closed.number}")
    assert "บันทึกนี้ปิดรับความเห็น" in page_text(response)
    assert 'id="comment-form"' not in response.get_data(as_text=True)
    response = client.get(f"/posts/{open_.number}")
    assert "บันทึกนี้ปิดรับความเห็น" not in page_text(response)
    assert 'id="comment-form"' in response.get_data(as_text=True)


def test_comments_are_listed_with_their_count(client, cast):
    from app.comments.services import add_comment

    entry = make_entry(cast.blog)
    add_comment(entry, "ขอบคุณสำหรับบันทึกครับ", user=cast.stranger)
    db.session.commit()
    text = page_text(client.get(f"/posts/{entry.number}"))
    assert "ขอบคุณสำหรับบันทึกครับ" in text
    assert "ความเห็น: 1," in text
