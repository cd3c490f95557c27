"""The embedded backend: a Whoosh index directory on this server's disk (app.search.index, .query, .sync)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from app.models import Entry
from app.search.backends import ReindexResult, Window


class WhooshBackend:
    name = "whoosh"

    def window(self, q: str, filters, sort: str, page: int, per_page: int) -> Window:
        from app.search.query import whoosh_window

        return whoosh_window(q, filters, sort, page, per_page)

    def related_ids(self, entry: Entry, limit: int) -> list[int]:
        from app.search.query import whoosh_related_ids

        return whoosh_related_ids(entry, limit)

    def apply_batch(self, engine: Engine, timeout: float, path: Path | None = None) -> int | None:
        from app.search.index import configured_path
        from app.search.sync import apply_whoosh_batch

        return apply_whoosh_batch(path or configured_path(), engine, timeout)

    def reindex(self, path: Path | None = None) -> ReindexResult:
        from app.search.index import reindex_whoosh

        return reindex_whoosh(path)

    def document_count(self, path: Path | None = None) -> int:
        from app.search.index import open_index

        return open_index(path).doc_count()

    def probe(self, path: Path | None = None) -> int:
        from app.search.index import readable_document_count

        return readable_document_count(path)
