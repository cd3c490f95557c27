"""One-time submission keys: a form sent twice (a retry after a lost response) creates what it creates once.

Each rendered write form carries a random key in a hidden field; the service stores it, under a unique index,
with the entry or comment the form creates. A second POST with the same key finds that row and answers as the
first did. Two POSTs at the same moment both miss it, and the second insert trips the unique index: `add_once`
rolls back to a savepoint and returns the row the first one stored.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from app.errors import Conflict
from app.extensions import db

KEY_LENGTH = 64
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
ALREADY_SENT_MESSAGE = _l("แบบฟอร์มนี้ถูกส่งไปแล้ว กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")

Row = TypeVar("Row")


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class SubmissionKeyField(HiddenField):
    """The form's key: new at each render (default), sent back as it was; anything malformed counts as none.

    A form on a page the page cache may keep for many readers is rendered with an empty key, which
    static/js/form_keys.js fills in each reader's browser; without script such a form simply has no key.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(default=new_submission_key, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = raw if _KEY_RE.fullmatch(raw) else None


def check_owner(row: Row | None, same_sender: bool) -> Row | None:
    """The row a key already made, when the same sender made it; a key taken by someone else is a Conflict."""
    if row is not None and not same_sender:
        raise Conflict(ALREADY_SENT_MESSAGE)
    return row


def add_once(row: Row, key: str | None, stored_first: Callable[[], Row | None]) -> Row:
    """Add and flush `row`; with a `key`, under a savepoint: when the unique index on the key refuses it (the same
    form sent at the same moment), the row `stored_first()` finds instead. Other integrity errors are raised.

    On SQLite the caller must already have written in this transaction (a lock, a counter), so the savepoint
    nests inside it: pysqlite begins a transaction only before a write, and a SAVEPOINT that opens one would
    commit it at its release.
    """
    if key is None:
        db.session.add(row)
        db.session.flush()
        return row
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = stored_first()
        if existing is None:
            raise
        return existing
    return row
