"""Entry tags ("คำสำคัญ"): one canonical spelling per tag so tag pages group entries."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.text.normalize import collapse_spaces, normalize_text

__all__ = [
    "MAX_TAGS_PER_ENTRY",
    "MAX_TAG_LENGTH",
    "TagError",
    "format_tags",
    "normalize_tag",
    "parse_tags",
]

MAX_TAGS_PER_ENTRY = 10
MAX_TAG_LENGTH = 50

# ASCII comma and the full-width comma produced by some CJK/Thai input methods.
_SEPARATOR_RE = re.compile("[,\uff0c]")
_LEADING_HASH_RE = re.compile(r"^[#\s]+")


class TagError(ValueError):
    """A tag list the user must fix; ``str(error)`` is the Thai message to show.

    The message stays lazy so it is translated when displayed, in the
    request's locale.  ``str()`` works outside any application context
    (Flask-Babel then falls back to the untranslated Thai msgid) and inside
    an application that has initialised Flask-Babel.
    """

    def __init__(self, message: str | LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _is_latin(ch: str) -> bool:
    """True for Latin-script letters (ASCII, accented, full-width)."""
    if ch.isascii():
        return ch.isalpha()
    return "LATIN" in unicodedata.name(ch, "")


def _lower_latin(s: str) -> str:
    """Lowercase Latin letters only; other scripts keep their exact spelling."""
    return "".join(ch.lower() if _is_latin(ch) else ch for ch in s)


def normalize_tag(raw: str) -> str:
    """Return the canonical spelling of one tag, or '' when nothing is left.

    ``#KM``, ``km`` and `` KM `` must be the same tag; Thai words are kept
    as typed (NFC-normalised) because Thai has no letter case.
    """
    tag = _LEADING_HASH_RE.sub("", normalize_text(raw))
    tag = _lower_latin(collapse_spaces(tag))
    # Lowercasing may decompose (U+0130 becomes "i" + U+0307), so re-compose.
    return unicodedata.normalize("NFC", tag).strip()


def parse_tags(raw: str) -> list[str]:
    """Split the tag field into distinct canonical tags, in the order typed.

    Raises ``TagError`` when there are too many distinct tags or one is too
    long (length counted in code points, as the database column does).
    """
    tags: list[str] = []
    seen: set[str] = set()
    for piece in _SEPARATOR_RE.split(raw):
        tag = normalize_tag(piece)
        if not tag or tag in seen:
            continue
        if len(tag) > MAX_TAG_LENGTH:
            raise TagError(_l("คำสำคัญ “%(tag)s” ยาวเกิน %(n)d ตัวอักษร", tag=tag, n=MAX_TAG_LENGTH))
        seen.add(tag)
        tags.append(tag)
    if len(tags) > MAX_TAGS_PER_ENTRY:
        raise TagError(_l("ใส่คำสำคัญได้ไม่เกิน %(n)d คำ", n=MAX_TAGS_PER_ENTRY))
    return tags


def format_tags(tags: list[str]) -> str:
    """Join tags for re-filling the edit form; ``parse_tags`` reads it back."""
    return ", ".join(tags)
