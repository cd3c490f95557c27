"""normalize_text, fold_thai_digits, collapse_spaces."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.normalize import collapse_spaces, fold_thai_digits, normalize_text

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Zero-width characters Thai word processors insert as word-break hints.
        ("การ\u200bจัดการ\u200bความรู้", "การจัดการความรู้"),
        ("a\u200cb\u200dc\u2060d", "abcd"),
        ("\ufeffสวัสดี", "สวัสดี"),
        ("soft\u00adhyphen", "softhyphen"),
        # Line endings.
        ("a\r\nb\rc\nd", "a\nb\nc\nd"),
        ("a\r\n\r\nb", "a\n\nb"),
        # C0 controls go, TAB and LF stay.
        ("a\x00b\x01c\x1fd\x0be\x0cf", "abcdef"),
        ("col1\tcol2\nrow2", "col1\tcol2\nrow2"),
        # Markdown's internal placeholder markers must never come from users.
        ("\x02klzzwxh:0\x03", "klzzwxh:0"),
        # Lone surrogates cannot be stored as UTF-8.
        ("a\ud800b", "a\ufffdb"),
        # Thai digits are the writer's choice and are kept.
        ("พ.ศ. ๒๕๔๙", "พ.ศ. ๒๕๔๙"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Latin: combining acute composes.
        ("e\u0301", "\u00e9"),
        # Thai: a tone mark typed before SARA UU is put after it (ccc 107 > 103),
        # so both typing orders of "ปู่" become the same string.
        ("\u0e1b\u0e48\u0e39", "\u0e1b\u0e39\u0e48"),
        ("\u0e1b\u0e39\u0e48", "\u0e1b\u0e39\u0e48"),
        # Thai: NIKHAHIT + SARA AA is NOT composed into SARA AM by NFC, because
        # U+0E33 has only a compatibility decomposition.  Both stay as typed.
        ("\u0e19\u0e4d\u0e32", "\u0e19\u0e4d\u0e32"),
        ("\u0e19\u0e33", "\u0e19\u0e33"),
    ],
)
def test_normalize_text_nfc(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_sara_am_is_only_a_compatibility_decomposition() -> None:
    """Documents why normalize_text leaves ํา and ำ distinct."""
    assert unicodedata.decomposition("\u0e33") == "<compat> 0E4D 0E32"
    assert unicodedata.normalize("NFC", "\u0e4d\u0e32") == "\u0e4d\u0e32"


def test_removal_happens_before_composition() -> None:
    # Removing the ZWSP brings "e" next to its accent; the result must
    # already be composed, or normalize_text would not be idempotent.
    assert normalize_text("e\u200b\u0301") == "\u00e9"


@FAST
@given(st.text())
def test_normalize_text_is_idempotent(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once


@FAST
@given(st.text(alphabet=st.sampled_from("ab\u200b\u00ad\u0301\u0e1b\u0e48\u0e39\r\n\x00\t\ufeff")))
def test_normalize_text_is_idempotent_on_tricky_alphabet(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once
    assert "\r" not in once
    assert "\u200b" not in once
    assert unicodedata.is_normalized("NFC", once)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("พ.ศ. ๒๕๔๙", "พ.ศ. 2549"),
        ("mixed ๑2๓", "mixed 123"),
        ("no digits", "no digits"),
    ],
)
def test_fold_thai_digits(raw: str, expected: str) -> None:
    assert fold_thai_digits(raw) == expected


def test_normalize_text_does_not_fold_digits() -> None:
    assert normalize_text("๒๕๔๙") == "๒๕๔๙"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a   b  ", "a b"),
        ("a\n\n\tb", "a b"),
        ("a\u00a0b", "a b"),
        ("การจัดการ   ความรู้", "การจัดการ ความรู้"),
        ("", ""),
    ],
)
def test_collapse_spaces(raw: str, expected: str) -> None:
    assert collapse_spaces(raw) == expected
