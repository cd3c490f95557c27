"""The embedded backend: a Whoosh index directory on this server's disk.

index.py      where the index lives (a link to a version directory), opening it, its schema version
searching.py  matching, counting and ranking a Lookup; "more like this"
postings.py   the matching's array evaluator over Whoosh's posting lists (BM25 as Whoosh scores it)
writing.py    applying the outbox, rebuilding into a new version and swapping it in
bulk.py       the rebuild's segment writer
lexicons.py   each segment's Thai terms (for app/search/substring.py), kept in a file beside the index

The package reads the request only as app.search.backends defines it (tests/search/test_boundary.py). An
index written by an older release is never rebuilt by a request: it keeps answering searches when it can,
searches answer "being rebuilt" when it cannot, and `flask search reindex` replaces it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine

from app.models import Entry
from app.search.backends import OUTDATED_REASON, Lookup, ReindexResult, Window
from app.search.backends.whoosh import index, searching, writing

logger = logging.getLogger(__name__)


def _outdated() -> bool:
    return not index.is_current(index.current_dir())


class WhooshBackend:
    name = "whoosh"

    def window(self, lookup: Lookup, page: int, per_page: int) -> Window:
        try:
            return searching.window(lookup, page, per_page)
        except Exception:
            if not _outdated():
                raise
            logger.warning("search index cannot answer: %s", OUTDATED_REASON, exc_info=True)
            return Window(unavailable=True)

    def related_ids(self, entry: Entry, limit: int) -> list[int]:
        try:
            return searching.related_ids(entry, limit)
        except Exception:
            if not _outdated():
                raise
            logger.warning("search index cannot rank related entries: %s", OUTDATED_REASON, exc_info=True)
            return []

    def apply_batch(self, engine: Engine, timeout: float, path: Path | None = None) -> int | None:
        return writing.apply_batch(path or index.configured_path(), engine, timeout)

    def reindex(self, path: Path | None = None) -> ReindexResult:
        return writing.reindex(path)

    def document_count(self, path: Path | None = None) -> int:
        return index.open_index(path).doc_count()

    def warm(self) -> None:
        path = index.configured_path()
        if index.exists(path):
            searching.warm(path.resolve())

    def probe(self, path: Path | None = None) -> int:
        return index.readable_document_count(path)
