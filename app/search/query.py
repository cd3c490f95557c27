"""Searching: one page of results for a reader, from whichever backend is configured.

`search()` reads the request (app.search.parse), asks the backend (app.search.backends) for the ranked ids,
and loads the hits from the database with their snippets (app.search.snippets). The database is the truth:
hits are loaded from it in the engine's rank order and any entry it no longer shows as published (deleted,
back to draft, author suspended since) is dropped from the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app.entries.cards import Card, cards_by_id
from app.extensions import db
from app.models import Station, StationBlog
from app.models.station import STATUS_ACCEPTED
from app.search import backends
from app.search.parse import SORTS, QueryError, SearchFilters, check_request, read_lookup
from app.search.snippets import body_phrases, snippet
from app.text.dates import iso_utc
from app.text.normalize import fold_thai_digits

__all__ = ["SORTS", "QueryError", "SearchFilters", "SearchHit", "SearchPage", "page_as_json", "search"]


@dataclass
class SearchHit:
    entry: Card
    snippet_html: str
    snippet_text: str
    score: float


@dataclass
class SearchPage:
    query: str
    page: int
    per_page: int
    total: int
    sort: str
    hits: list[SearchHit] = field(default_factory=list)
    total_is_estimate: bool = False  # a very common phrase: the total is estimated, not counted
    message: str | None = None
    unavailable: bool = False  # the index cannot answer until `flask search reindex`

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def search(
    q: str, filters: SearchFilters | None = None, *, sort: str = "relevance", page: int = 1, per_page: int = 10
) -> SearchPage:
    """One page of published entries matching `q` and `filters`, from the configured backend.

    An empty `q` with filters lists the matching entries newest first; with no filters it finds nothing.
    Syntax mistakes never raise: the query falls back to its plain words and `message` says so. While the
    index cannot answer until `flask search reindex` (an older release wrote it), the page is `unavailable`.
    """
    filters = filters or SearchFilters()
    check_request(sort, page, per_page, filters)
    q = q or ""
    lookup, message = read_lookup(q, filters, sort)
    result = SearchPage(query=q, page=page, per_page=per_page, total=0, sort=sort, message=message)
    if lookup is None:
        return result
    window = backends.current().window(lookup, page, per_page)
    if window.unavailable:
        result.unavailable = True
        result.message = _("ระบบกำลังสร้างดัชนีค้นหาใหม่ จึงยังค้นหาไม่ได้ในขณะนี้ โปรดลองใหม่อีกครั้งในภายหลัง")
        return result
    result.total, result.total_is_estimate = window.total, window.total_is_estimate
    entries = cards_by_id(window.ids)
    phrases = body_phrases(lookup.query)
    for entry_id, score in zip(window.ids, window.scores or [0.0] * len(window.ids), strict=True):
        if entry_id in entries:
            entry = entries[entry_id]
            html, text = snippet(fold_thai_digits(entry.body_text), phrases)  # body_text is stored normalised
            result.hits.append(SearchHit(entry, html, text, score))
    return result


def _stations_by_blog(blog_ids: set[int]) -> dict[int, list[Station]]:
    stations: dict[int, list[Station]] = {}
    if not blog_ids:
        return stations
    rows = db.session.execute(
        select(StationBlog.blog_id, Station)
        .join(Station, Station.id == StationBlog.station_id)
        .where(StationBlog.blog_id.in_(blog_ids), StationBlog.status == STATUS_ACCEPTED)
        .order_by(Station.slug_key)
    )
    for blog_id, station in rows:
        stations.setdefault(blog_id, []).append(station)
    return stations


def page_as_json(page: SearchPage, url_for_entry: Callable[[Card], str]) -> dict:
    """The API's shape of a results page (also printed by `flask search query --json`)."""
    stations = _stations_by_blog({hit.entry.blog_id for hit in page.hits})
    return {
        "query": page.query,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
        "page": page.page,
        "per_page": page.per_page,
        "results": [
            {
                "number": hit.entry.number,
                "title": hit.entry.title,
                "url": url_for_entry(hit.entry),
                "blog": hit.entry.blog.slug,
                "author": hit.entry.author.username,
                "tags": [tag.name for tag in hit.entry.tags],
                "stations": [station.slug for station in stations.get(hit.entry.blog_id, [])],
                "published_at": iso_utc(hit.entry.published_at),
                "snippet": hit.snippet_text,
            }
            for hit in page.hits
        ],
    }
