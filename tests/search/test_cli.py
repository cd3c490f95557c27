"""`flask search query|status|reindex|sync` from the shell."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import Entry
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user


@pytest.fixture
def entries(app):
    somchai = make_user("somchai", display_name="สมชาย ใจดี")
    blog = make_blog(somchai, "orchard", title="บันทึกชาวสวน")
    station = make_station(somchai, "Orchard-Station", name="ชุมชนคนทำสวน")
    submit_blog(station, blog, somchai)
    db.session.commit()
    old = make_entry(
        blog,
        title="ทุเรียนหมอนทอง",
        body="ปีนี้ทุเรียนออกผลดี",
        tags="ผลไม้, ทุเรียน",
        published_at=datetime(2006, 5, 23, 8, 32, tzinfo=UTC),
    )
    new = make_entry(
        blog, title="ตลาดนัดเกษตร", body="มีทุเรียนขายด้วย", published_at=datetime(2012, 8, 15, 3, 0, tzinfo=UTC)
    )
    make_entry(blog, title="ร่าง", body="ทุเรียนร่าง", publish=False)
    return old, new


def test_query_prints_number_title_url_blog_author_date_and_snippet(runner, entries):
    old, new = entries
    result = runner.invoke(args=["search", "query", "ทุเรียน"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "พบ 2 บันทึก" in out
    assert out.index(f"#{old.number}  ทุเรียนหมอนทอง") < out.index(f"#{new.number}  ตลาดนัดเกษตร")
    assert f"/posts/{old.number}" in out
    assert "บันทึกชาวสวน · สมชาย ใจดี · 23 พ.ค. 2549 15:32" in out
    assert "ปีนี้ทุเรียนออกผลดี" in out


def test_query_json_has_the_api_shape(runner, entries):
    old, _ = entries
    result = runner.invoke(args=["search", "query", "หมอนทอง", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload == {
        "query": "หมอนทอง",
        "total": 1,
        "total_is_estimate": False,
        "page": 1,
        "per_page": 10,
        "results": [
            {
                "number": old.number,
                "title": "ทุเรียนหมอนทอง",
                "url": f"/posts/{old.number}",
                "blog": "orchard",
                "author": "somchai",
                "tags": ["ทุเรียน", "ผลไม้"],
                "stations": ["Orchard-Station"],
                "published_at": "2006-05-23T08:32:00Z",
                "snippet": "ปีนี้ทุเรียนออกผลดี",
            }
        ],
    }


def test_query_options_filter_sort_and_page(runner, entries):
    old, new = entries

    def numbers(*args: str) -> list[int]:
        result = runner.invoke(args=["search", "query", *args, "--json"])
        assert result.exit_code == 0, result.output
        return [row["number"] for row in json.loads(result.output)["results"]]

    assert numbers("ทุเรียน", "--sort", "newest") == [new.number, old.number]
    assert numbers("ทุเรียน", "--tag", "ผลไม้") == [old.number]
    assert numbers("", "--station", "orchard-station", "--per-page", "1", "--page", "2") == [old.number]
    assert numbers("", "--blog", "ORCHARD", "--author", "somchai", "--from", "2010-01-01") == [new.number]
    assert numbers("", "--to", "2010-01-01") == [old.number]


def test_query_with_a_bad_parameter_exits_with_a_thai_message(runner, entries):
    result = runner.invoke(args=["search", "query", "ทุเรียน", "--per-page", "500"])
    assert result.exit_code != 0
    assert "จำนวนผลลัพธ์ต่อหน้า" in result.output


def test_query_with_odd_syntax_prints_the_note(runner, entries):
    result = runner.invoke(args=["search", "query", '"ทุเรียน'])
    assert result.exit_code == 0, result.output
    assert "ค้นเป็นคำธรรมดาแทน" in result.output
    assert "พบ 2 บันทึก" in result.output


def test_status_counts_entries_documents_and_pending_tasks(app, runner, entries):
    old, _ = entries
    suspended = make_user("silent")
    make_entry(make_blog(suspended, "silent-blog", title="บล็อกเงียบ"), title="เงียบ", body="เงียบ")
    suspended.is_suspended = True
    db.session.commit()
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    db.session.get(Entry, old.id).title = "ทุเรียนก้านยาว"
    db.session.commit()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "บันทึกในฐานข้อมูลที่ควรค้นได้: 2" in result.output
    assert "เอกสารในดัชนีค้นหา: 2" in result.output
    assert "งานที่ค้างรอปรับดัชนี: 1" in result.output


def test_reindex_prints_the_count_and_time(runner, entries):
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "สร้างดัชนีใหม่แล้ว: 2 บันทึก" in result.output
    assert "วินาที" in result.output
