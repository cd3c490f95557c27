"""One pagination helper for every list page (and one macro, templates/_macros/pagination.html)."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from app.extensions import db


def current_page() -> int:
    """The `page` query argument; anything that is not a positive number is a 404, as a missing page is."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 6:
        abort(404)
    return int(raw)


def paginate(stmt: Select, per_page: int | None = None) -> Pagination:
    """Paginate a select; pages past the end are 404, except an empty first page."""
    return db.paginate(
        stmt,
        page=current_page(),
        per_page=per_page or current_app.config["ENTRIES_PER_PAGE"],
        max_per_page=100,
        error_out=True,
        count=True,
    )
