"""One pagination helper for every list page (and one macro, templates/_macros/pagination.html)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select

from app.extensions import db
from app.page_cache import derived


class _RememberedTotal(SelectPagination):
    """Counts the list once and keeps the total until one of its tags changes (app/page_cache/derived.py)."""

    def _query_count(self) -> int:
        name, depends = self._query_args["total"]
        return derived.remember(f"total:{name}", depends, super()._query_count)


def current_page() -> int:
    """The `page` query argument; anything that is not a positive number is a 404, as a missing page is."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(404)
    return int(raw)


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
