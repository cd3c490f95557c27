"""The boundary between searching and where search documents live, chosen by SEARCH_BACKEND: "whoosh" (default)
or "postgres".

The query layer (app.search.parse, .query, .snippets) reads the reader's words and filters into a `Lookup` and
hands it to `current()`; a backend answers with a `Window` of ranked entry ids. Everything that crosses the
boundary is defined here, so backends import this module and the shared parts below them (app.search.analyzer,
.schema, .documents, .outbox, .substring) and never the query layer (tests/search/test_boundary.py checks the Whoosh
package). Both backends index the same documents through the same Thai analyzer and are kept in step by the
same outbox (app.search.sync); only the storage, matching and ranking differ:

- whoosh: an index directory on each server's disk (app.search.backends.whoosh) -- nothing to run beside the
  app, but every server keeps its own copy, so it suits one server.
- postgres: a `search_documents` table with a tsvector column and a GIN index in the site's PostgreSQL database
  (app.search.backends.postgres) -- every server reads and writes the same documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from flask import current_app

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from whoosh import query as wq

    from app.models import Entry

BACKENDS = ("whoosh", "postgres")


class ConfigurationError(RuntimeError):
    """SEARCH_BACKEND names no backend, or one the database cannot serve."""


# What /healthz and the logs say when the documents were written by an older release.
OUTDATED_REASON = "search index schema outdated: run flask search reindex"


class IndexOutdated(RuntimeError):
    """The documents were written by an older release (another schema or analyzer). They keep answering
    searches, as well as they can, until `flask search reindex` replaces them; a request never rebuilds them.

    `documents` is how many still answer, None when the old documents cannot answer at all."""

    def __init__(self, documents: int | None = None) -> None:
        super().__init__(OUTDATED_REASON)
        self.documents = documents


@dataclass
class FilterKeys:
    """The filters as the documents store them (both backends compare these exact values); None is no filter,
    while an empty string (a tag of punctuation only) is a filter nothing passes."""

    tag: str | None = None
    station: str | None = None
    blog: str | None = None
    author: str | None = None
    start: datetime | None = None  # naive UTC, inclusive
    end: datetime | None = None  # naive UTC, exclusive

    def is_empty(self) -> bool:
        values = (self.tag, self.station, self.blog, self.author, self.start, self.end)
        return all(value is None for value in values)


@dataclass
class Lookup:
    """What the query layer asks of a backend: the reader's words as a Whoosh query tree (`wq.Every()` for
    filters only), the order ("relevance" or "newest") and the filters."""

    query: wq.Query
    order: str
    keys: FilterKeys = field(default_factory=FilterKeys)


@dataclass
class Window:
    """One page of a search as a backend answers it: entry ids in rank order, their scores and the total.

    `total_is_estimate` is set when a very common phrase was checked only as far as the page needed;
    `unavailable` when the backend cannot answer until it is rebuilt (IndexOutdated).
    """

    ids: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    total: int = 0
    total_is_estimate: bool = False
    unavailable: bool = False


@dataclass
class ReindexResult:
    documents: int
    seconds: float
    directory: Path | None = None  # the new index version (Whoosh); None when the documents are a table


class SearchBackend(Protocol):
    name: str

    def window(self, lookup: Lookup, page: int, per_page: int) -> Window:
        """The page of matches for a lookup."""

    def related_ids(self, entry: Entry, limit: int) -> list[int]:
        """Ids of the documents most like `entry`'s, best first, never the entry's own."""

    def apply_batch(self, engine: Engine, timeout: float, path: Path | None = None) -> int | None:
        """Apply up to a batch of outbox tasks; how many, or None when another writer kept the lock."""

    def reindex(self, path: Path | None = None) -> ReindexResult:
        """Rebuild every document from the database while the old ones serve, replacing them at once; tasks
        written meanwhile stay in the outbox for the caller to apply (app.search.index.reindex)."""

    def document_count(self, path: Path | None = None) -> int:
        """How many documents are searchable."""

    def warm(self) -> None:
        """Load into this process what its first search would (app/warm.py), leaving no file or connection open."""

    def probe(self, path: Path | None = None) -> int:
        """How many documents are searchable, found by reading the storage as a search does (for /healthz); never
        rebuilds anything. Raises IndexOutdated when an older release wrote the documents, and any other error
        when searches would fail."""


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
