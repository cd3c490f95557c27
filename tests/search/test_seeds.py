"""The five GotoKnow seed pages: every query finds exactly the pages that contain it.

The expected set is computed from the seed files themselves, not written down by hand. A page "contains" a
query when the query occurs in the page's text after both are brought to the form a Thai reader would
compare: Unicode NFC, Thai digits read as Arabic digits (๒๕๔๙ is 2549), Latin letters lower-cased, and
whitespace between two Thai characters removed. The last rule is there because Thai writers put spaces
inside phrases ("แลก เปลี่ยน เรียน รู้" still says แลกเปลี่ยนเรียนรู้ to a Thai reader), and the search
treats such a space as no break in the phrase.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.extensions import db
from app.stations.services import submit_blog
from app.text.normalize import fold_thai_digits, normalize_text
from tests.conftest import built_once
from tests.factories import make_blog, make_station, make_user
from tests.search.helpers import found

QUERIES = [
    "ชุมพร",
    "เกาะมัตรา",
    "คุณอำนวย",
    "ความรู้",
    "การจัดการความรู้",
    "แลกเปลี่ยนเรียนรู้",
    "ลปรร",
    "Chumphon-KM-Station",
    "KM",
    "กาฬสินธุ์",
    "๒๕๔๙",
    "2549",
]
PHRASE = "KM Action Plan"
# Pages 0-2 go to one blog and 3-4 to another, which alone joins a station; neither the blogs, the station
# nor the importing member carry any of the query words, so only the pages' own text can match.
FIRST_BLOG_FILES = 3

_THAI = "\u0e00-\u0e7f"
_SPACE_IN_THAI_RE = re.compile(rf"(?<=[{_THAI}])\s+(?=[{_THAI}])")


def reader_form(text: str) -> str:
    """Text as a Thai reader compares it (see the module docstring)."""
    text = fold_thai_digits(normalize_text(text)).lower()
    return _SPACE_IN_THAI_RE.sub("", text)


def _import(runner, paths: list[Path], blog_slug: str) -> dict[Path, int]:
    result = runner.invoke(
        args=["import-text", *map(str, paths), "--blog", blog_slug, "--author", "archivist", "--json"]
    )
    assert result.exit_code == 0, result.output
    return {Path(row["file"]): row["number"] for row in json.loads(result.output)}


@pytest.fixture
def seeded(request, app, runner, seeds_dir):
    """The seed pages, imported once for the module and restored for each test (tests/conftest.py, `built_once`)."""
    return built_once(request, app, lambda: import_seeds(runner, seeds_dir))


def import_seeds(runner, seeds_dir: Path) -> tuple[dict[int, str], dict[str, set[int]]]:
    """Import the seed pages; returns {number: the page's text in reader form} and the two blogs."""
    archivist = make_user("archivist", display_name="ผู้เก็บเอกสาร")
    make_blog(archivist, "archive-one", title="คลังเอกสารเล่มหนึ่ง")
    second = make_blog(archivist, "archive-two", title="คลังเอกสารเล่มสอง")
    station = make_station(archivist, "test-station", name="สถานีทดลอง")
    submit_blog(station, second, archivist)  # the station owner's own blog is accepted at once
    db.session.commit()
    files = sorted(seeds_dir.glob("*.txt"))
    numbers = _import(runner, files[:FIRST_BLOG_FILES], "archive-one")
    numbers.update(_import(runner, files[FIRST_BLOG_FILES:], "archive-two"))
    texts = {numbers[path]: reader_form(path.read_text(encoding="utf-8")) for path in files}
    blogs = {
        "archive-one": {numbers[p] for p in files[:FIRST_BLOG_FILES]},
        "archive-two": {numbers[p] for p in files[FIRST_BLOG_FILES:]},
    }
    return texts, blogs


def containing(texts: dict[int, str], query: str) -> set[int]:
    needle = reader_form(query)
    return {number for number, text in texts.items() if needle in text}


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_finds_exactly_the_pages_that_contain_it(seeded, query):
    texts, _ = seeded
    expected = containing(texts, query)
    assert expected, "every query word occurs in at least one seed page"
    assert found(query) == expected


def test_a_quoted_phrase_finds_exactly_the_pages_with_that_phrase(seeded):
    texts, _ = seeded
    expected = containing(texts, PHRASE)
    assert expected and expected != set(texts)
    assert found(f'"{PHRASE}"') == expected


def test_thai_and_arabic_digits_find_each_other(seeded):
    assert found("๒๕๔๙") == found("2549")


def test_the_blog_filter_narrows_to_that_blog(seeded):
    texts, blogs = seeded
    for slug, numbers in blogs.items():
        assert found("", blog=slug) == numbers
        assert found("ความรู้", blog=slug.upper()) == containing(texts, "ความรู้") & numbers


def test_the_station_filter_narrows_to_the_blogs_in_it(seeded):
    texts, blogs = seeded
    assert found("KM", station="TEST-STATION") == containing(texts, "KM") & blogs["archive-two"]
    assert found("", station="test-station") == blogs["archive-two"]
    assert found("", station="no-such-station") == set()


def test_the_tag_filter_narrows_to_entries_with_that_tag(seeded):
    texts, _ = seeded
    tagged = {number for number, text in texts.items() if "คำสำคัญ (tags)#การจัดการความรู้" in text}
    assert tagged
    assert found("", tag="การจัดการความรู้") == tagged
    assert found("ความรู้", tag="การจัดการความรู้") == tagged
    assert found("ชุมพร", tag="การจัดการความรู้") == containing(texts, "ชุมพร") & tagged
