"""Tests for the page parser: the five real GotoKnow seed pages, small synthetic pages, and fuzzing."""

from __future__ import annotations

import time
import unicodedata
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.importer import ParsedComment, ParsedEntry, parse_page
from app.importer.parser import TITLE_CUT_CHARS, TITLE_MAX_CHARS, _parse

SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

FURNITURE_MARKERS = (
    "บันทึกนี้เขียนที่",
    "หมายเลขบันทึก:",
    "คำสำคัญ (Tags)",
    "สัญญาอนุญาต:",
    "ความเห็น (",
    "IP: xxx",
    "เขียนเมื่อ",
    "ติดตาม ผู้ติดตาม",
)


@cache
def _seed_text(number: str) -> str:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed pages not available at {SEEDS_DIR}")
    paths = sorted(SEEDS_DIR.glob(f"{number}_*.txt"))
    if not paths:
        pytest.skip(f"seed page {number} not available")
    return paths[0].read_text(encoding="utf-8")


def _seed(number: str) -> ParsedEntry:
    return parse_page(_seed_text(number))


def _render(body: str) -> str:
    return markdown.markdown(body, extensions=["tables"])


def _squashed(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the seed pages


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_seed_body_holds_no_furniture(number: str) -> None:
    entry = _seed(number)
    body = _squashed(entry.body_markdown)
    for marker in FURNITURE_MARKERS:
        assert marker not in body
    assert "\r" not in entry.body_markdown
    assert "\n\n\n" not in entry.body_markdown
    assert all(line == line.rstrip() for line in entry.body_markdown.split("\n"))
    assert entry.body_markdown == unicodedata.normalize("NFC", entry.body_markdown)
    assert 0 < len(entry.title) <= TITLE_MAX_CHARS


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_seed_body_renders_without_accidental_code_blocks(number: str) -> None:
    html = _render(_seed(number).body_markdown)
    assert "<pre>" not in html
    assert "<h1>" not in html


def test_seed_000_workshop_notes_with_bullet_artefacts() -> None:
    entry = _seed("000")
    assert entry.title == "บันทึกการจัดทำKM Work Shop3"
    assert entry.blog_name == "Chumphon-KM-memory"
    assert entry.author_name is None
    assert entry.declared_comment_count == 0
    assert entry.comments == []
    assert entry.tags == []
    assert entry.source_number is None
    assert entry.license is None
    assert entry.edited_at is None
    # No metadata line: the author's signature "บันทึกเมื่อ 8/6/2548" is midnight in Bangkok.
    assert entry.written_at == datetime(2005, 6, 7, 17, 0, tzinfo=UTC)
    assert entry.has_furniture
    body = entry.body_markdown
    assert "เกาะมัตรา" in body
    assert "Chumphon-KM-Station" in body
    assert "บันทึกเมื่อ" in body and "8/6/2548" in body
    assert not body.startswith(entry.title)
    lines = body.split("\n")
    assert not any(line.startswith("n") and line[1:2].isspace() for line in lines)
    assert not any(line.strip() == "n" for line in lines)


def test_seed_001_single_line_page_keeps_all_text() -> None:
    text = _seed_text("001")
    entry = parse_page(text)
    assert "\n" not in text.strip()
    assert len(entry.title) <= TITLE_MAX_CHARS
    assert entry.title.startswith("บันทึกการจัดทำKM Work Shop")
    assert entry.title.endswith("…")
    assert entry.body_markdown.startswith(entry.title[:-1])
    assert entry.body_markdown == unicodedata.normalize("NFC", text).strip()
    assert "เกาะมัตรา" in entry.body_markdown
    assert entry.written_at == datetime(2005, 6, 16, 17, 0, tzinfo=UTC)
    assert not entry.has_furniture
    assert entry.tags == []
    assert entry.comments == []
    assert entry.declared_comment_count is None
    assert entry.source_number is None
    assert entry.blog_name is None
    assert entry.license is None
    assert entry.edited_at is None


def test_seed_002_profile_header_and_comment() -> None:
    entry = _seed("002")
    assert entry.title == "ชุมชนแนวปฏิบัติต้องมีหรือไม่"
    assert entry.blog_name == "จากใจของJJ ฮาเฮ ร่วมสร้างสรรค์"
    assert entry.author_name is None
    assert entry.declared_comment_count == 1
    assert entry.tags == []
    assert entry.source_number is None
    assert entry.written_at is None
    assert entry.edited_at is None
    assert entry.license is None
    assert entry.has_furniture
    body_lines = {line.strip() for line in entry.body_markdown.split("\n")}
    assert not body_lines & {"ติดตาม\xa0ผู้ติดตาม", "ติดต่อ", "สคร ๖ ( ๕ )", "Community of Practice"}
    assert entry.body_markdown.lstrip().startswith("ผมได้รับคำถามจาก")
    assert entry.body_markdown.endswith("JJ")
    assert [c.author_name for c in entry.comments] == ["ศรีสุนทร"]
    comment = entry.comments[0]
    assert comment.ip_masked == "xxx.157.44.226"
    assert comment.written_at is None
    assert comment.body.startswith("เรียนอาจารย์ที่เคารพ\n\n")
    assert comment.body.endswith("ศรีสุนทร")
    assert "IP:" not in comment.body
    assert "เรียนอาจารย์ที่เคารพ" not in entry.body_markdown


def test_seed_003_worksheets_become_markdown_tables() -> None:
    entry = _seed("003")
    assert entry.title == "การจัดการความรู้จังหวัดกาฬสินธุ์"
    assert not entry.has_furniture
    assert entry.tags == []
    assert entry.comments == []
    assert entry.declared_comment_count is None
    assert entry.source_number is None
    assert entry.written_at is None
    assert entry.edited_at is None
    assert entry.license is None
    assert entry.blog_name is None
    body = entry.body_markdown
    assert "กาฬสินธุ์" in body
    assert "KM Action Plan" in body
    assert "<ul" not in body
    separators = [line for line in body.split("\n") if line.startswith("| --- |")]
    assert len(separators) >= 1
    html = _render(body)
    assert html.count("<table>") == len(separators)
    _assert_tables_are_rectangular(body)


def _assert_tables_are_rectangular(body: str) -> None:
    """Every row of each generated table has the header's cell count (no `|` inside a cell)."""
    width = None
    for line in body.split("\n"):
        if not line.startswith("|"):
            width = None
            continue
        cells = line.replace("\\|", "").count("|") - 1
        width = cells if width is None else width
        assert cells == width, line


def test_seed_004_metadata_tags_and_comment() -> None:
    entry = _seed("004")
    assert entry.title == "kick -off KM สำนักปลัดกระทรวงพาณิชย์"
    assert entry.tags == ["การจัดการความรู้"]
    assert entry.source_number == 30449
    assert entry.written_at == datetime(2006, 5, 23, 8, 32, tzinfo=UTC)
    assert entry.edited_at == datetime(2013, 9, 6, 10, 23, tzinfo=UTC)
    assert entry.license == "สงวนสิทธิ์ทุกประการ"
    assert entry.blog_name == "ประชาสัมพันธ์สคส."
    assert entry.author_name is None
    assert entry.declared_comment_count == 1
    assert entry.has_furniture
    assert [c.author_name for c in entry.comments] == ["gerati"]
    comment = entry.comments[0]
    assert comment.ip_masked == "xxx.144.160.247"
    assert comment.written_at is None
    assert comment.body.startswith("hihi")
    assert "เขียนน่าอ่านจัง" in comment.body
    assert "hihi" not in entry.body_markdown
    assert "สำนักปลัดกระทรวงพาณิชย์" in entry.body_markdown
    assert "#การจัดการความรู้" not in entry.body_markdown


# --------------------------------------------------------------------------- synthetic pages

GOTOKNOW_PAGE = """หัดเขียนบล็อกครั้งแรก

วันนี้ไปเยี่ยมโรงเรียนบ้านหนองบัว ได้คุยกับคุณครูหลายท่าน

ได้เรียนรู้เรื่องการสอนอ่าน

บันทึกนี้เขียนที่ GotoKnow โดย  สมศรี ใจดี  ใน ห้องเรียนชนบท

คำสำคัญ (Tags)#การศึกษา#ครู #ชุมชน นักปฏิบัติ

หมายเลขบันทึก: 123456, เขียน: 03 Jan 2007 @ 09:15 (), แก้ไข: 04 ม.ค. 2550 @ 10:20 (), \
สัญญาอนุญาต: CC BY-NC-SA, ความเห็น: 2, อ่าน: คลิก

ความเห็น (2)

มานะ
IP: xxx.12.34.56
เขียนเมื่อ 05 Jan 2007 @ 20:00

ขอบคุณที่เล่าให้ฟังครับ

ได้ความรู้มาก

ปิติ
IP: xxx.78.90.12
เขียนเมื่อ

เป็นกำลังใจให้ค่ะ
"""


def test_synthetic_page_with_all_furniture() -> None:
    entry = parse_page(GOTOKNOW_PAGE)
    assert entry.title == "หัดเขียนบล็อกครั้งแรก"
    assert entry.body_markdown == ("วันนี้ไปเยี่ยมโรงเรียนบ้านหนองบัว ได้คุยกับคุณครูหลายท่าน\n\nได้เรียนรู้เรื่องการสอนอ่าน")
    assert entry.author_name == "สมศรี ใจดี"
    assert entry.blog_name == "ห้องเรียนชนบท"
    assert entry.tags == ["การศึกษา", "ครู", "ชุมชน นักปฏิบัติ"]
    assert entry.source_number == 123456
    assert entry.written_at == datetime(2007, 1, 3, 2, 15, tzinfo=UTC)
    assert entry.edited_at == datetime(2007, 1, 4, 3, 20, tzinfo=UTC)
    assert entry.license == "CC BY-NC-SA"
    assert entry.declared_comment_count == 2
    assert entry.has_furniture
    assert entry.comments == [
        ParsedComment(
            "มานะ",
            "xxx.12.34.56",
            datetime(2007, 1, 5, 13, 0, tzinfo=UTC),
            "ขอบคุณที่เล่าให้ฟังครับ\n\nได้ความรู้มาก",
        ),
        ParsedComment("ปิติ", "xxx.78.90.12", None, "เป็นกำลังใจให้ค่ะ"),
    ]


def test_no_furniture_first_non_empty_line_is_the_title() -> None:
    text = "\r\n\r\n   บันทึกการเดินทาง   \r\n\r\nย่อหน้าแรก\r\nบรรทัดต่อมา   \r\n\r\n\r\n\r\nย่อหน้าสอง\r\n"
    entry = parse_page(text)
    assert entry.title == "บันทึกการเดินทาง"
    assert entry.body_markdown == "ย่อหน้าแรก\nบรรทัดต่อมา\n\nย่อหน้าสอง"
    assert not entry.has_furniture
    assert entry == ParsedEntry(
        entry.title, entry.body_markdown, [], None, None, None, None, None, None, [], None, False
    )


def test_markdown_heading_title_loses_its_marker() -> None:
    assert parse_page("# บันทึกของฉัน #\n\nเนื้อหา").title == "บันทึกของฉัน"
    assert parse_page("บันทึกของฉัน\n==========\nเนื้อหา").body_markdown == "เนื้อหา"
    assert parse_page("#แท็ก\nเนื้อหา").title == "#แท็ก"


def test_several_tags_in_both_printed_forms() -> None:
    assert parse_page("เรื่อง\n\nคำสำคัญ (Tags)#ก#ข #ค ง").tags == ["ก", "ข", "ค ง"]
    entry = parse_page("เรื่อง\n\nเนื้อหา\n\nคำสำคัญ (Tags)\n\n#เกษตร #น้ำ\n#ป่าชุมชน\n\nท้ายเรื่อง")
    assert entry.tags == ["เกษตร", "น้ำ", "ป่าชุมชน"]
    assert entry.body_markdown == "เนื้อหา\n\nท้ายเรื่อง"


def test_license_and_count_from_metadata_line() -> None:
    entry = parse_page("เรื่อง\n\nหมายเลขบันทึก: ๙๘๗, เขียน: 1/2/2553, สัญญาอนุญาต: CC BY-NC-SA, ความเห็น: 4")
    assert entry.license == "CC BY-NC-SA"
    assert entry.source_number == 987
    assert entry.written_at == datetime(2010, 1, 31, 17, 0, tzinfo=UTC)
    assert entry.declared_comment_count == 4
    assert entry.body_markdown == ""


def test_signature_date_only_when_metadata_gives_none() -> None:
    signed = "เรื่อง\n\nเนื้อหา\n\nบันทึกเมื่อ ๑/๒/๒๕๔๙\n\nแก้ไขอีกครั้ง บันทึกเมื่อ 3/2/2549"
    assert parse_page(signed).written_at == datetime(2006, 2, 2, 17, 0, tzinfo=UTC)
    with_metadata = signed + "\n\nหมายเลขบันทึก: 5, เขียน: 10 Mar 2006 @ 07:00 ()"
    assert parse_page(with_metadata).written_at == datetime(2006, 3, 10, 0, 0, tzinfo=UTC)
    assert parse_page("เรื่อง\n\nบันทึกเมื่อ 31/2/2549").written_at is None


def test_empty_input_gives_empty_title_and_body() -> None:
    for text in ("", "\n\n", "   \t\xa0\n"):
        entry = parse_page(text)
        assert entry == ParsedEntry("", "", [], None, None, None, None, None, None, [], None, False)


def test_furniture_between_paragraphs_keeps_them_apart() -> None:
    entry = parse_page("เรื่อง\n\nย่อหน้าแรก\nความเห็น (0)\nย่อหน้าสอง")
    assert entry.body_markdown == "ย่อหน้าแรก\n\nย่อหน้าสอง"


def test_only_furniture() -> None:
    entry = parse_page("บันทึกนี้เขียนที่ GotoKnow โดย  ใน บล็อกทดลองความเห็น (0)\nความเห็น (0)\n")
    assert entry.title == ""
    assert entry.body_markdown == ""
    assert entry.blog_name == "บล็อกทดลอง"
    assert entry.declared_comment_count == 0
    assert entry.has_furniture


def test_long_first_line_without_spaces_is_cut_between_letters() -> None:
    marks = "x" + "กิ" * 150
    entry = parse_page(marks)
    assert entry.title == "x" + "กิ" * 59 + "…"
    assert entry.body_markdown == marks
    leading_vowels = "x" + "เก" * 150
    assert parse_page(leading_vowels).title == "x" + "เก" * 59 + "…"


def test_long_first_line_is_cut_at_a_space() -> None:
    line = "คำนำ " * 60
    entry = parse_page(line)
    assert entry.title.endswith("คำนำ…")
    assert len(entry.title) <= TITLE_CUT_CHARS + 1
    assert entry.body_markdown == line.strip()


def test_profile_header_block_is_dropped() -> None:
    page = "บล็อกของสมชาย\n\nสมชาย\nติดตาม ผู้ติดตาม\nติดต่อ\nเขียนทุกวันเรื่องปลูกผัก\n\nผักสวนครัว\n\nเนื้อหา"
    entry = parse_page(page)
    assert entry.title == "ผักสวนครัว"
    assert entry.body_markdown == "เนื้อหา"
    assert entry.has_furniture
    without_tagline = parse_page("สมชาย\nติดตาม ผู้ติดตาม\nติดต่อ\n\nผักสวนครัว\n\nเนื้อหา")
    assert without_tagline.title == "ผักสวนครัว"


def test_follow_words_inside_text_are_not_a_header() -> None:
    entry = parse_page("ติดตามข่าว\n\nผู้ติดตาม ติดตาม\n\nเนื้อหา")
    assert entry.title == "ติดตามข่าว"
    assert not entry.has_furniture


def test_bullet_artefacts_are_dropped_but_words_starting_with_n_stay() -> None:
    entry = parse_page("เรื่อง\nn\xa0\xa0 \xa0ข้อแรก\nn\xa0\xa0\nn  n  \nnote: kept\nn = 3")
    assert entry.body_markdown == "ข้อแรก\n\nnote: kept\nn = 3"


def test_comment_pattern_before_furniture_needs_a_masked_ip() -> None:
    plain = parse_page("เรื่อง\n\nเครื่องแม่ข่าย\nIP: 10.0.0.1\n")
    assert plain.comments == []
    assert "IP: 10.0.0.1" in plain.body_markdown
    masked = parse_page("เรื่อง\n\nเนื้อหา\n\nมานี\nIP: xxx.1.2.3\nขอบคุณค่ะ")
    assert [c.author_name for c in masked.comments] == ["มานี"]
    assert masked.body_markdown == "เนื้อหา"


def test_tab_separated_rows_become_a_valid_table() -> None:
    page = "\n".join(
        [
            "ตาราง",
            "ข้อความก่อนตาราง",
            "ลำดับ\tกิจกรรม\tหมายเหตุ",
            "1.\tแบ่ง|กลุ่ม\t<ul style='x'>สรุป",
            "2.\tโค้ด `a\\",
            "\t\tท้าย\t",
            "ข้อความหลังตาราง",
        ]
    )
    body = parse_page(page).body_markdown
    assert body.split("\n\n")[0] == "ข้อความก่อนตาราง"
    assert body.split("\n\n")[-1] == "ข้อความหลังตาราง"
    html = _render(body)
    assert html.count("<table>") == 1
    assert html.count("<tr>") == 4
    assert html.count("<td>") == 9
    assert "แบ่ง|กลุ่ม" in html
    assert "<ul" not in html
    _assert_tables_are_rectangular(body)


def test_tabs_that_are_not_worksheets_stay_text() -> None:
    assert parse_page("เรื่อง\n\n\tโค้ด\n\t\tย่อหน้า").body_markdown == "\tโค้ด\n\t\tย่อหน้า"
    assert parse_page("เรื่อง\n\nก\tข\tค\n\nจบ").body_markdown == "ก\tข\tค\n\nจบ"
    assert parse_page("เรื่อง\n\nก\t\nข\t").body_markdown == "ก\nข"


def test_lone_surrogates_and_nul_are_replaced() -> None:
    entry = parse_page("เรื่อง\x00\n\nเนื้อ\ud800หา")
    assert entry.title == "เรื่อง"
    assert entry.body_markdown == "เนื้อ\ufffdหา"


def test_parse_page_falls_back_to_plain_body_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> ParsedEntry:
        raise RuntimeError("boom")

    monkeypatch.setattr("app.importer.parser._parse", broken)
    entry = parse_page("หัวเรื่อง\r\nเนื้อหา")
    assert entry.body_markdown == "หัวเรื่อง\nเนื้อหา"
    assert entry.title == ""


# --------------------------------------------------------------------------- robustness

FRAGMENTS = st.sampled_from(
    [
        "บันทึกนี้เขียนที่\xa0GotoKnow\xa0โดย\xa0\xa0ใน\xa0",
        "ความเห็น (",
        "ความเห็น\xa0(3)",
        "คำสำคัญ (Tags)",
        "#",
        "หมายเลขบันทึก: ",
        ", เขียน: ",
        ", แก้ไข: 31 Feb 2549 @ 25:61",
        "สัญญาอนุญาต:",
        "IP: ",
        "IP: xxx.1.2.3",
        "เขียนเมื่อ ",
        "บันทึกเมื่อ ",
        "ติดตาม ผู้ติดตาม",
        "ติดต่อ",
        "n\xa0\xa0 ",
        "\t",
        "|",
        "`",
        "\\",
        "<ul a='b'>",
        "9" * 30,
        "/",
        "๒๕๔๙",
        "\n",
        "\r",
        " ",
        "=",
        "กิ",
        "\ufffd",
    ]
)
PAGES = st.one_of(
    st.text(),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=5)), max_size=60).map("".join),
    st.binary(max_size=400).map(lambda data: data.decode("utf-8", errors="replace")),
)


@settings(max_examples=200, deadline=None)
@given(PAGES)
def test_parser_never_raises_and_keeps_its_invariants(text: str) -> None:
    entry = _parse(text)
    assert len(entry.title) <= TITLE_MAX_CHARS
    assert "\r" not in entry.body_markdown
    assert "\n\n\n" not in entry.body_markdown
    assert entry.body_markdown == entry.body_markdown.strip("\n")
    for moment in (entry.written_at, entry.edited_at, *(c.written_at for c in entry.comments)):
        assert moment is None or moment.utcoffset() is not None and not moment.utcoffset()
    assert parse_page(text) == entry


def test_one_megabyte_pages_parse_quickly() -> None:
    unit = GOTOKNOW_PAGE + "ก\tข\tค\n" * 3 + "n\xa0\xa0 ข้อ\n" + "บันทึกเมื่อ 1/1/2549 "
    pages = [
        (unit * (1_000_000 // len(unit) + 1))[:1_000_000],
        "ก" * 1_000_000,
        "ก" + " " * 1_000_000 + "ข",
        "n " * 500_000 + "x",
        "ความเห็น (1)x" * 80_000,
        "<a " * 300_000 + "\tx\ny\tz\n",
        "\n" * 1_000_000,
    ]
    for page in pages:
        started = time.perf_counter()
        entry = parse_page(page)
        elapsed = time.perf_counter() - started
        assert elapsed < 10, f"{elapsed:.1f}s for a page starting {page[:20]!r}"
        assert len(entry.title) <= TITLE_MAX_CHARS
