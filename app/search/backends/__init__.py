"""Where search documents live, chosen by SEARCH_BACKEND: "whoosh" (default) or "postgres".

Both backends index the same documents (app.search.documents) through the same Thai analyzer, read the reader's
words with the same parser (app.search.query.parse_query) and are kept in step by the same outbox
(app.search.sync). Views, the API and `flask search` call the functions of app.search.query, .sync and .index,
which ask `current()` for the backend; only the storage, matching and ranking differ:

- whoosh: an index directory on each server's disk (app.search.index) -- nothing to run beside the app, but
  every server keeps its own copy, so it suits one server.
- postgres: a `search_documents` table with a tsvector column and a GIN index in the site's PostgreSQL database
  (app.search.backends.postgres) -- every server reads and writes the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import current_app

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from whoosh import query as wq

    from app.models import Entry
    from app.search.query import SearchFilters

BACKENDS = ("whoosh", "postgres")


class ConfigurationError(RuntimeError):
    """SEARCH_BACKEND names no backend, or one the database cannot serve."""


@dataclass
class Window:
    """One page of a search as a backend answers it: entry ids in rank order, their scores and the total.

    `parsed` is the reader's query as parsed (None when nothing in it can be searched); snippets are built from
    it. `total_is_estimate` is set when a very common phrase was checked only as far as the page needed.
    """

    parsed: wq.Query | None
    message: str | None = None
    ids: list[int] | None = None
    scores: list[float] | None = None
    total: int = 0
    total_is_estimate: bool = False


@dataclass
class ReindexResult:
    documents: int
    seconds: float
    directory: Path | None = None  # the new index version (Whoosh); None when the documents are a table


class SearchBackend(Protocol):
    name: str

    def window(self, q: str, filters: SearchFilters, sort: str, page: int, per_page: int) -> Window:
        """The page of matches for the reader's words `q` (may be empty: filters only, newest first)."""

    def related_ids(self, entry: Entry, limit: int) -> list[int]:
        """Ids of the documents most like `entry`'s, best first, never the entry's own."""

    def apply_batch(self, engine: Engine, timeout: float, path: Path | None = None) -> int | None:
        """Apply up to a batch of outbox tasks; how many, or None when another writer kept the lock."""

    def reindex(self, path: Path | None = None) -> ReindexResult:
        """Rebuild every document from the database, replacing the old ones at once."""

    def document_count(self, path: Path | None = None) -> int:
        """How many documents are searchable."""

    def probe(self, path: Path | None = None) -> int:
        """How many documents are searchable, found by reading the storage as a search does (for /healthz); never
        rebuilds anything, and raises when searches would fail."""


def backend_name() -> str:
    name = current_app.config.get("SEARCH_BACKEND") or "whoosh"
    if name not in BACKENDS:
        raise ConfigurationError(f"SEARCH_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name


def current() -> SearchBackend:
    """The backend the current application is configured with."""
    if backend_name() == "postgres":
        from app.extensions import db
        from app.search.backends.postgres import PostgresBackend

        if db.engine.dialect.name != "postgresql":
            raise ConfigurationError("SEARCH_BACKEND=postgres needs a PostgreSQL database (DATABASE_URL)")

        return PostgresBackend()
    from app.search.backends.whoosh import WhooshBackend

    return WhooshBackend()
