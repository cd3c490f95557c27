"""The search page (/search): one box, filters, and results with highlighted Thai snippets."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from app.changes import lists
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.permissions import member_audience
from app.search.forms import SearchForm
from app.search.query import QueryError, SearchHit, SearchPage, search
from app.tags.services import popular_tags

bp = Blueprint("search", __name__)

SUGGESTED_TAGS = 10


class SearchPagination(Pagination):
    """A SearchPage seen as Flask-SQLAlchemy's Pagination, so the site's one `pager` macro numbers it.

    Flask-SQLAlchemy documents subclassing with `_query_items` and `_query_count` as the way to paginate other
    sources; the page arithmetic (pages, has_prev, iter_pages, ...) is then the same as on every other list.
    """

    def __init__(self, result: SearchPage) -> None:
        super().__init__(page=result.page, per_page=result.per_page, max_per_page=None, error_out=False, result=result)

    def _query_items(self) -> list[SearchHit]:
        return self._query_args["result"].hits

    def _query_count(self) -> int:
        return self._query_args["result"].total


@bp.get("/search")
@cached_page(members=lambda: member_audience(current_user))
def index():
    """Results are cached for anonymous readers like any public page, until the index takes a change."""
    shown.shows(shown.SEARCH_INDEX, lists.ALL_TAGS)
    form = SearchForm(formdata=request.args)
    if not form.validate():
        return _render(form, status=400)
    if not form.has_criteria:
        return _render(form)
    try:
        result = search(
            form.q.data,
            form.search_filters(),
            sort=form.sort.data,
            page=form.page.data,
            per_page=current_app.config["ENTRIES_PER_PAGE"],
        )
    except QueryError as error:
        return _render(form, error=str(error), status=400)
    if result.unavailable:  # an older release's index that cannot answer, until `flask search reindex`
        return _render(form, result, status=503)
    # Past the last page is "not found", as on every other paginated list of the site.
    status = 404 if not result.hits and result.page > 1 else 200
    return _render(form, result, status=status)


def _render(form: SearchForm, result: SearchPage | None = None, *, error: str | None = None, status: int = 200):
    """The page; suggestions (popular tags) when there is nothing to show."""
    nothing_found = result is None or result.total == 0
    return render_template(
        "search/index.html",
        form=form,
        result=result,
        pagination=SearchPagination(result) if result is not None else None,
        error=error,
        suggested_tags=popular_tags(SUGGESTED_TAGS) if nothing_found and status == 200 else [],
    ), status
