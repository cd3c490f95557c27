"""Refuse requests whose text is not valid UTF-8 or holds NUL bytes, before any view (or CSRF check) runs.

Werkzeug decodes query strings and form bodies leniently: undecodable bytes become U+FFFD or stay
percent-encoded, so broken input would be saved as mojibake. Checked here, on the raw bytes:
the query string, and the body of `application/x-www-form-urlencoded` posts (percent-decoded). For
`multipart/form-data`, Werkzeug has already decoded each text part with ``errors="replace"``, so a U+FFFD
in a text field marks where invalid bytes were; file parts are never looked at (uploads are binary).
A refusal is a 400 `DomainError`, answered with the site's Thai error page, or JSON under /api/ and on
the JSON blueprints; nothing has been written.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from flask_babel import lazy_gettext as _l

from app.errors import DomainError

INVALID_TEXT_MESSAGE = _l("ข้อมูลที่ส่งมามีอักขระที่ไม่ถูกต้อง กรุณาส่งเป็นข้อความ UTF-8 ที่ไม่มีอักขระ NUL")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class InvalidText(DomainError):
    """Request text that is not valid UTF-8 or contains NUL."""


def is_clean_encoded(raw: bytes) -> bool:
    """True when percent-decoded `raw` (a query string or urlencoded body) is UTF-8 without NUL."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def is_clean_text(value: str) -> bool:
    """True for an already-decoded multipart text field without NUL or a replacement character."""
    return "\x00" not in value and "\ufffd" not in value


def check_request() -> None:
    """Raise `InvalidText` for a query string or form body that is not clean text (see the module docstring)."""
    if not is_clean_encoded(request.query_string):
        raise InvalidText(INVALID_TEXT_MESSAGE)
    if request.method not in _BODY_METHODS:
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        # Cached, so Werkzeug's form parsing afterwards reads the same bytes.
        if not is_clean_encoded(request.get_data(cache=True)):
            raise InvalidText(INVALID_TEXT_MESSAGE)
    elif request.mimetype == "multipart/form-data":
        fields = request.form.items(multi=True)
        if not all(is_clean_text(name) and is_clean_text(value) for name, value in fields):
            raise InvalidText(INVALID_TEXT_MESSAGE)


def init_app(app: Flask) -> None:
    """Register the check; call before CSRF is set up so it runs before anything reads the form."""
    app.before_request(check_request)
