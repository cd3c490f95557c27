"""Canonical form for user text, so storage, comparison and search agree.

Thai text pasted from word processors and old web pages carries invisible
characters (zero-width spaces used as word-break hints, soft hyphens, BOMs)
and mixed line endings.  Every piece of text is passed through
``normalize_text`` before it is stored so that equal-looking text is equal.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_spaces", "fold_thai_digits", "normalize_text"]

# Line endings first, so a lone CR becomes LF instead of being deleted as a
# control character below.
_NEWLINE_RE = re.compile(r"\r\n?")

# Invisible format characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen)
# and every C0 control except TAB and LF.  Lone surrogates cannot be encoded
# as UTF-8 (the database and the HTML output would reject them), so they are
# replaced rather than dropped, leaving a visible trace of the damage.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x08\x0b-\x1f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

_WHITESPACE_RE = re.compile(r"\s+")

# Folded by str.replace(), not str.translate(): translate looks every character of non-ASCII text up in the
# table one by one, while each replace scans in C and returns the same string when its digit is absent.
_THAI_DIGITS = tuple(zip("๐๑๒๓๔๕๖๗๘๙", "0123456789", strict=True))


def normalize_text(s: str) -> str:
    """Return ``s`` in the canonical stored form; idempotent.

    Characters are removed *before* NFC composition: removing a zero-width
    character can bring a base letter next to its combining mark, and
    composing last keeps ``normalize_text(normalize_text(s)) == normalize_text(s)``.
    NFC also puts Thai marks in canonical order (a tone mark typed before
    SARA U/UU is moved after it), but it does not join NIKHAHIT + SARA AA
    into SARA AM: U+0E33 only has a compatibility decomposition.
    """
    s = _NEWLINE_RE.sub("\n", s)
    s = _INVISIBLE_RE.sub("", s)
    s = _SURROGATE_RE.sub("\ufffd", s)
    return unicodedata.normalize("NFC", s)


def fold_thai_digits(s: str) -> str:
    """Replace Thai digits with ASCII digits so searches match either form.

    Not part of ``normalize_text``: stored text keeps the digits the writer
    chose; only search keys and parsers fold them.
    """
    for thai, arabic in _THAI_DIGITS:
        s = s.replace(thai, arabic)
    return s


def collapse_spaces(s: str) -> str:
    """Collapse every whitespace run (including newlines) to one space and trim.

    Used for single-line values: tags, plain-text snippets, search text.
    """
    return _WHITESPACE_RE.sub(" ", s).strip()
