"""Tag normalisation and parsing.

``TagError`` messages are Flask-Babel lazy strings.  In Flask-Babel 4,
``str()`` of a lazy string works without any application context (it falls
back to the untranslated msgid), so most tests need no app; one test checks
the message inside a request of an app with ``Babel`` initialised, as in
production.  (Inside an app context of an app *without* Babel, Flask-Babel
raises KeyError -- not a case this package creates.)
"""

import pytest
from flask import Flask
from flask_babel import Babel, LazyString
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.tags import (
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_ENTRY,
    TagError,
    format_tags,
    normalize_tag,
    parse_tags,
)

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#KM", "km"),
        ("##KM", "km"),
        ("# # KM", "km"),
        ("  การจัดการ   ความรู้ ", "การจัดการ ความรู้"),
        ("CoP", "cop"),
        ("การจัดการความรู้", "การจัดการความรู้"),
        ("#การเรียนรู้", "การเรียนรู้"),
        ("Knowledge\tManagement\n", "knowledge management"),
        ("C#", "c#"),
        ("ÉCOLE", "école"),
        ("ＫＭ", "ｋｍ"),
        # Greek and Cyrillic are not Latin: kept as typed.
        ("ΑΒΓ", "ΑΒΓ"),
        ("ДОМ", "ДОМ"),
        ("ความ\u200bรู้", "ความรู้"),
        ("   ", ""),
        ("###", ""),
        ("", ""),
    ],
)
def test_normalize_tag(raw: str, expected: str) -> None:
    assert normalize_tag(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KM, CoP, การจัดการความรู้", ["km", "cop", "การจัดการความรู้"]),
        ("KM, km, #KM, Km", ["km"]),
        ("b, a, b, c, a", ["b", "a", "c"]),
        ("a,,  , b,", ["a", "b"]),
        ("KM，CoP，ความรู้", ["km", "cop", "ความรู้"]),
        ("KM，km, cop", ["km", "cop"]),
        ("", []),
        (" , ，", []),
        ("single", ["single"]),
    ],
)
def test_parse_tags(raw: str, expected: list[str]) -> None:
    assert parse_tags(raw) == expected


def test_parse_tags_accepts_the_maximum() -> None:
    raw = ", ".join(f"tag{i}" for i in range(MAX_TAGS_PER_ENTRY))
    assert len(parse_tags(raw)) == MAX_TAGS_PER_ENTRY


def test_duplicates_do_not_count_towards_the_maximum() -> None:
    raw = ", ".join(f"tag{i}" for i in range(MAX_TAGS_PER_ENTRY)) + ", TAG0, #tag1"
    assert len(parse_tags(raw)) == MAX_TAGS_PER_ENTRY


def tag_error(raw: str) -> TagError:
    """The TagError ``parse_tags(raw)`` raises."""
    with pytest.raises(TagError) as info:
        parse_tags(raw)
    return info.value


def test_too_many_tags() -> None:
    raw = ", ".join(f"tag{i}" for i in range(MAX_TAGS_PER_ENTRY + 1))
    assert str(tag_error(raw)) == "ใส่คำสำคัญได้ไม่เกิน 10 คำ"


@pytest.mark.parametrize("tag", ["ก" * (MAX_TAG_LENGTH + 1), "x" * (MAX_TAG_LENGTH + 1)])
def test_tag_too_long(tag: str) -> None:
    assert str(tag_error(f"ok, {tag}")) == f"คำสำคัญ “{tag}” ยาวเกิน 50 ตัวอักษร"


def test_tag_at_maximum_length_is_accepted() -> None:
    tag = "ก" * MAX_TAG_LENGTH
    assert parse_tags(tag) == [tag]


def test_length_is_measured_after_normalisation() -> None:
    tag = "#" * 10 + "a" * MAX_TAG_LENGTH + "\u200b" * 10
    assert parse_tags(tag) == ["a" * MAX_TAG_LENGTH]


def test_tag_error_is_a_value_error_carrying_a_lazy_message() -> None:
    error = tag_error(",".join(str(i) for i in range(20)))
    assert isinstance(error, ValueError)
    assert isinstance(error.message, LazyString)
    assert str(error.message) == str(error)


def test_tag_error_message_inside_a_flask_babel_request() -> None:
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        assert str(tag_error(",".join(str(i) for i in range(20)))) == "ใส่คำสำคัญได้ไม่เกิน 10 คำ"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["km", "cop", "การจัดการความรู้"], "km, cop, การจัดการความรู้"),
        (["single"], "single"),
        ([], ""),
    ],
)
def test_format_tags(tags: list[str], expected: str) -> None:
    assert format_tags(tags) == expected


@FAST
@given(st.text())
def test_normalize_tag_is_idempotent(raw: str) -> None:
    once = normalize_tag(raw)
    assert normalize_tag(once) == once


tag_piece = st.text(alphabet=st.sampled_from(list("abcABC #กขคการ\u200b\t\u0e48\u0e39")), max_size=12)


@FAST
@given(st.lists(tag_piece, max_size=8))
def test_format_then_parse_round_trips(pieces: list[str]) -> None:
    tags = parse_tags(",".join(pieces))
    assert parse_tags(format_tags(tags)) == tags
    assert len(set(tags)) == len(tags)
    assert all(tag and tag == normalize_tag(tag) and "," not in tag for tag in tags)
