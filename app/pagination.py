"""One pagination helper for every list page (and one macro, templates/_macros/pagination.html).

Every page number read from a URL goes through `parse_page_number`, the lists' and the search's alike: the
same text is a page everywhere, and the same text is refused everywhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, bindparam, func, select

from app.database import plain_rows
from app.errors import DomainError
from app.extensions import db
from app.page_cache import remember
from app.text.normalize import fold_thai_digits

# Past the end of any list Sala has; the search engine is not asked for pages beyond it either.
MAX_PAGE = 999_999
BAD_PAGE_MESSAGE = _l("เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป")

# ASCII digits only, after Thai digits are folded: str.isdigit() also takes "²" and "①", which int() refuses,
# and int() takes Arabic-Indic, fullwidth and other Unicode digits no reader types into a Thai site's URL.
_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)


class BadPageNumber(DomainError):
    """A `page` argument that is not a whole number from 1 up."""


def parse_page_number(raw: str | None, default: int = 1) -> int:
    """The page number written in `raw`: ASCII or Thai digits, spaces around allowed; blank means `default`.

    Raises BadPageNumber for anything else (signs, decimals, exponents, other scripts' digits, zero). A number
    longer than MAX_PAGE's digits comes back as MAX_PAGE + 1, past the end of every list, without converting
    thousands of digits (int() refuses more than 4,300).
    """
    text = fold_thai_digits(raw or "").strip()
    if not text:
        return default
    if not _DIGITS_RE.fullmatch(text):
        raise BadPageNumber(BAD_PAGE_MESSAGE, field="page")
    significant = text.lstrip("0")
    if not significant:
        raise BadPageNumber(BAD_PAGE_MESSAGE, field="page")
    if len(significant) > len(str(MAX_PAGE)):
        return MAX_PAGE + 1
    return int(significant)


class _RememberedTotal(SelectPagination):
    """Counts the list once and keeps the total until one of its tags changes (app/page_cache/store.py)."""

    def _query_count(self) -> int:
        name, depends = self._query_args["total"]
        return remember(f"total:{name}", depends, super()._query_count)


@functools.cache
def _paged(stmt: Select) -> tuple[Select, Select]:
    """`stmt` limited to one page (bind parameters "page_limit" and "page_offset"), and its count.

    Built once per statement: SQLAlchemy works out a statement's cache key once per statement object, and a
    statement made anew for every page (`.limit(10).offset(20)`) cost as much to key as to run.
    """
    paged = stmt.limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    return paged, select(func.count()).select_from(stmt.order_by(None).subquery())


class _Cards(_RememberedTotal):
    """A page of entry cards (app/entries/cards.py): rows of a prebuilt `card_query` with its bind parameters
    (`params`), counted once like `_RememberedTotal`."""

    def _query_items(self) -> list:
        from app.entries.cards import cards_from_rows

        paged, _ = _paged(self._query_args["select"])
        params = {**self._query_args["params"], "page_limit": self.per_page, "page_offset": self._query_offset}
        return cards_from_rows(plain_rows(paged, params))

    def _query_count(self) -> int:
        name, depends = self._query_args["total"]
        _, counted = _paged(self._query_args["select"])
        session, params = self._query_args["session"], self._query_args["params"]
        return remember(f"total:{name}", depends, lambda: session.scalar(counted, params))


def current_page() -> int:
    """The `page` query argument: a 400 when it is not a page number, a 404 when it is past any list's end."""
    page = parse_page_number(request.args.get("page"))
    if page > MAX_PAGE:
        abort(404)
    return page


def paginate(stmt: Select, per_page: int | None = None, total: tuple[str, Iterable[str]] | None = None) -> Pagination:
    """Paginate a select; pages past the end are 404, except an empty first page.

    `total` = (name, tags) keeps the list's total under those page-cache tags instead of counting every time:
    for the long entry lists, whose count reads every published entry.
    """
    arguments = {
        "page": current_page(),
        "per_page": per_page or current_app.config["ENTRIES_PER_PAGE"],
        "max_per_page": 100,
        "error_out": True,
        "count": True,
    }
    if total is None:
        return db.paginate(stmt, **arguments)
    return _RememberedTotal(select=stmt, session=db.session(), total=total, **arguments)


def paginate_cards(stmt: Select, params: dict, total: tuple[str, Iterable[str]]) -> Pagination:
    """`paginate` for a list of entry cards: `stmt` a `card_query` built once (app/entries/cards.py), run with
    `params`; its total kept as `total` says."""
    page, per_page = current_page(), current_app.config["ENTRIES_PER_PAGE"]
    arguments = {"page": page, "per_page": per_page, "max_per_page": 100, "error_out": True, "count": True}
    return _Cards(select=stmt, params=params, session=db.session(), total=total, **arguments)
