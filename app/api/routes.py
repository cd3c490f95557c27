"""The read-only JSON API (/api/v1): search results for other tools and sites."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request

from app.search.forms import ApiSearchForm
from app.search.query import QueryError, page_as_json, search
from app.urls import site_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    """JSON with Thai left readable (not \\u-escaped); only these responses, the app's defaults stay as they are."""
    body = current_app.json.dumps(payload, ensure_ascii=False, sort_keys=False)
    return current_app.response_class(body, status=status, mimetype=current_app.json.mimetype)


@bp.get("/search")
def search_entries():
    form = ApiSearchForm(formdata=request.args)
    if not form.validate():
        return _json({"error": form.first_error()}, 400)
    try:
        result = search(
            form.q.data,
            form.search_filters(),
            sort=form.sort.data,
            page=form.page.data,
            per_page=form.per_page.data,
        )
    except QueryError as error:
        return _json({"error": str(error)}, 400)
    if result.unavailable:
        return _json({"error": result.message}, 503)
    return _json(page_as_json(result, lambda entry: site_url("entries.show", number=entry.number)))
