"""Refuse requests whose text is not valid UTF-8 or holds NUL bytes, before any view (or CSRF check) runs.

Werkzeug decodes query strings and form bodies leniently: undecodable bytes become U+FFFD or stay
percent-encoded, so broken input would be saved as mojibake. Checked here, on the raw bytes:
the query string (UTF-8 only: a NUL there is harmless), and the body of `application/x-www-form-urlencoded`
posts (percent-decoded). For
`multipart/form-data`, Werkzeug has already decoded each text part with ``errors="replace"``, so a U+FFFD
in a text field marks where invalid bytes were; file parts are never looked at (uploads are binary).
A refusal is a 400 `DomainError`, answered with the site's Thai error page, or JSON under /api/ and on
the JSON blueprints; nothing has been written.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import DomainError

INVALID_TEXT_MESSAGE = _l("ข้อมูลที่ส่งมามีอักขระที่ไม่ถูกต้อง กรุณาส่งเป็นข้อความ UTF-8 ที่ไม่มีอักขระ NUL")

_HIGH_ESCAPE_RE = re.compile("%[89a-fA-F][0-9a-fA-F]")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InvalidText(DomainError):
    """Request text that is not valid UTF-8 or contains NUL."""


def is_clean_encoded(raw: bytes, *, allow_nul: bool = False) -> bool:
    """True when percent-decoded `raw` (a query string or urlencoded body) is UTF-8 (without NUL unless allowed)."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if not allow_nul and b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def is_clean_text(value: str) -> bool:
    """True for an already-decoded multipart text field without NUL or a replacement character."""
    return "\x00" not in value and "\ufffd" not in value


def _is_clean_urlencoded_form() -> bool:
    """The form body check (413 over MAX_FORM_MEMORY_SIZE), fast: percent-decoding is slow in Python.

    Werkzeug leaves bytes that are not UTF-8 percent-encoded in the decoded values, so only a body with
    raw non-ASCII bytes, or a value still holding a "%80"-"%FF" escape (rare: a pasted encoded URL), needs
    the exact check on the raw bytes.
    """
    # Werkzeug applies MAX_FORM_MEMORY_SIZE to multipart text parts only; a larger urlencoded body would
    # take seconds to percent-decode. The largest entry body (200 KB of Thai) is about 600 KB encoded.
    limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    raw = request.get_data(cache=True)  # cached, so the form parsing below reads the same bytes
    if len(raw) > limit:
        raise RequestEntityTooLarge()
    if not raw.isascii():
        return is_clean_encoded(raw)
    texts = [text for item in request.form.items(multi=True) for text in item]
    if any("\x00" in text for text in texts):
        return False
    if any(_HIGH_ESCAPE_RE.search(text) for text in texts):
        return is_clean_encoded(raw)
    return True


def check_request() -> None:
    """Raise `InvalidText` for a query string or form body that is not clean text (see the module docstring)."""
    # A NUL in a query string writes nothing and is dropped by `normalize_text` (the search tests prove a
    # page of results for "ชุมพร\x00"), so only undecodable bytes are refused there.
    if not is_clean_encoded(request.query_string, allow_nul=True):
        raise InvalidText(INVALID_TEXT_MESSAGE)
    if request.method not in _BODY_METHODS:
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        if not _is_clean_urlencoded_form():
            raise InvalidText(INVALID_TEXT_MESSAGE)
    elif request.mimetype == "multipart/form-data":
        fields = request.form.items(multi=True)
        if not all(is_clean_text(name) and is_clean_text(value) for name, value in fields):
            raise InvalidText(INVALID_TEXT_MESSAGE)


def init_app(app: Flask) -> None:
    """Register the check; call before CSRF is set up so it runs before anything reads the form."""
    app.before_request(check_request)
