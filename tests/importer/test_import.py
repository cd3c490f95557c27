"""`flask import-text`: the five GotoKnow seed pages become entries with their furniture as metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Entry
from tests.factories import make_blog, make_user


@pytest.fixture
def blog(app):
    owner = make_user("pornsakol", display_name="พรสกล")
    return make_blog(owner, "chumphon-memory", title="ความทรงจำ KM ชุมพร")


def _import(runner, *paths, extra=()):
    return runner.invoke(
        args=["import-text", *map(str, paths), "--blog", "chumphon-memory", "--author", "pornsakol", *extra]
    )


def _entry_for(result_json, name):
    row = next(r for r in result_json if r["file"].endswith(name))
    return db.session.scalar(select(Entry).where(Entry.number == row["number"]))


def test_all_five_seed_pages_import_with_their_metadata(runner, blog, seeds_dir):
    seeds = sorted(seeds_dir.glob("*.txt"))
    assert len(seeds) == 5
    result = _import(runner, *seeds, extra=["--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["status"] for r in rows] == ["imported"] * 5
    assert all(set(r) == {"file", "number", "status"} for r in rows)

    workshop = _entry_for(rows, "000_7bca981a1a357580.txt")
    assert workshop.title == "บันทึกการจัดทำKM Work Shop3"
    assert workshop.published_at == datetime(2005, 6, 7, 17, 0, tzinfo=UTC)
    assert "Chumphon-KM-Station" in workshop.body_markdown
    assert "GotoKnow" not in workshop.body_markdown
    assert workshop.comment_count == 0

    one_line = _entry_for(rows, "001_de0606f8ed42b855.txt")
    assert one_line.title.startswith("บันทึกการจัดทำKM Work Shop")
    assert len(one_line.title) <= 200
    assert "เกาะมัตรา" in one_line.body_markdown

    cop = _entry_for(rows, "002_6a18dd0f7325ba93.txt")
    assert cop.title == "ชุมชนแนวปฏิบัติต้องมีหรือไม่"
    comments = db.session.scalars(select(Comment).where(Comment.entry_id == cop.id)).all()
    assert [c.guest_name for c in comments] == ["ศรีสุนทร"]
    assert comments[0].ip_address == "xxx.157.44.226"
    assert "IP:" not in cop.body_markdown
    assert cop.comment_count == 1

    plan = _entry_for(rows, "003_406cb6db240ccaa4.txt")
    assert plan.title == "การจัดการความรู้จังหวัดกาฬสินธุ์"
    assert "<table>" in plan.body_html
    assert "style=" not in plan.body_html
    assert "กาฬสินธุ์" in plan.body_html

    kickoff = _entry_for(rows, "004_44aaf6da7a4835e5.txt")
    assert kickoff.number == 30449
    assert kickoff.title == "kick -off KM สำนักปลัดกระทรวงพาณิชย์"
    assert [t.name for t in kickoff.tags] == ["การจัดการความรู้"]
    assert kickoff.published_at == datetime(2006, 5, 23, 8, 32, tzinfo=UTC)
    assert kickoff.updated_at == datetime(2013, 9, 6, 10, 23, tzinfo=UTC)
    assert kickoff.license == "all-rights-reserved"
    gerati = db.session.scalars(select(Comment).where(Comment.entry_id == kickoff.id)).one()
    assert gerati.guest_name == "gerati"
    assert gerati.ip_address == "xxx.144.160.247"
    assert "เขียนน่าอ่านจัง" in gerati.body_text
    assert "หมายเลขบันทึก" not in kickoff.body_markdown


def test_imported_entry_page_shows_gotoknow_metadata(runner, client, blog, seeds_dir):
    assert _import(runner, seeds_dir / "004_44aaf6da7a4835e5.txt").exit_code == 0
    page = client.get("/posts/30449").get_data(as_text=True)
    assert "23 พ.ค. 2549 15:32" in page
    assert "IP: xxx.144.160.247" in page
    assert "สงวนสิทธิ์ทุกประการ" in page


def test_importing_the_same_file_twice_does_not_duplicate(runner, blog, seeds_dir):
    seed = seeds_dir / "002_6a18dd0f7325ba93.txt"
    first = _import(runner, seed)
    assert first.exit_code == 0
    number = first.output.strip().split("\t")[1]
    assert number.startswith("/posts/")
    second = _import(runner, seed)
    assert second.exit_code == 0
    assert second.output.strip() == f"{seed}\tskipped: นำเข้าไว้แล้วเป็น {number}"
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def test_plain_file_without_furniture_uses_first_line_as_title(runner, blog, tmp_path):
    path = tmp_path / "note.md"
    path.write_text("\n\nบันทึกประชุมทีม KM\n\nวันนี้เราคุยเรื่อง **CoP** ของสำนักงาน\nบรรทัดที่สอง\n", encoding="utf-8")
    result = _import(runner, path)
    assert result.exit_code == 0, result.output
    entry = db.session.scalars(select(Entry)).one()
    assert entry.title == "บันทึกประชุมทีม KM"
    assert "<strong>CoP</strong>" in entry.body_html
    assert "บันทึกประชุมทีม KM" not in entry.body_markdown


def test_windows_874_file_is_decoded(runner, blog, tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("บันทึกเก่า\n\nเนื้อหาภาษาไทยจากเครื่องเก่า\n".encode("cp874"))
    assert _import(runner, path).exit_code == 0
    assert db.session.scalars(select(Entry)).one().title == "บันทึกเก่า"


def test_a_taken_original_number_gets_a_new_one(runner, blog, seeds_dir, tmp_path):
    seed = (seeds_dir / "004_44aaf6da7a4835e5.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(seed, encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed.replace("hihi", "hello"), encoding="utf-8")
    result = _import(runner, tmp_path / "a.txt", tmp_path / "b.txt", extra=["--json"])
    rows = json.loads(result.output)
    assert rows[0]["number"] == 30449
    assert rows[1]["status"] == "imported" and rows[1]["number"] == 30450


def test_errors_are_reported_per_file_and_leave_nothing_behind(runner, blog, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    result = _import(runner, empty, missing, extra=["--json"])
    rows = json.loads(result.output)
    assert [r["status"] for r in rows] == ["skipped", "failed"]
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--blog", "nope", "--author", "pornsakol"], "no blog"),
        (["--blog", "chumphon-memory", "--author", "nobody"], "no user"),
    ],
)
def test_unknown_blog_or_author_fails_clearly(runner, blog, tmp_path, args, message):
    path = tmp_path / "x.txt"
    path.write_text("หัวเรื่อง\n\nเนื้อหา\n", encoding="utf-8")
    result = runner.invoke(args=["import-text", str(path), *args])
    assert result.exit_code != 0
    assert message in result.output


def test_author_who_cannot_write_in_the_blog_is_refused(runner, blog, tmp_path):
    make_user("outsider")
    path = tmp_path / "x.txt"
    path.write_text("หัวเรื่อง\n\nเนื้อหา\n", encoding="utf-8")
    result = runner.invoke(
        args=["import-text", str(path), "--blog", "chumphon-memory", "--author", "outsider", "--json"]
    )
    assert json.loads(result.output)[0]["status"] == "failed"
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
