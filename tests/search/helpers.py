"""Shared helpers for the search tests, the same on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from app.extensions import db
from app.search import backends
from app.search.query import SearchFilters, search


def found(q: str, **filters) -> set[int]:
    """Entry numbers matching `q` and `filters` (all pages at once)."""
    page = search(q, SearchFilters(**filters), per_page=100)
    assert page.total == len(page.hits), "the index and the database disagree"
    return {hit.entry.number for hit in page.hits}


def ranked(q: str, *, sort: str = "relevance", **filters) -> list[int]:
    """Entry numbers matching `q`, in the order shown."""
    return [hit.entry.number for hit in search(q, SearchFilters(**filters), sort=sort, per_page=100).hits]


@contextmanager
def writer_lock_held() -> Iterator[None]:
    """Another worker holds the search writers' lock (Whoosh's index lock, PostgreSQL's advisory lock)."""
    if backends.backend_name() == "whoosh":
        from app.search.backends.whoosh.index import open_writer

        holder = open_writer(timeout=0)
        assert holder is not None
        try:
            yield
        finally:
            holder.cancel()
        return
    from app.search.backends.postgres import WRITE_LOCK_KEY

    with db.engine.connect() as connection:
        assert connection.scalar(select(func.pg_try_advisory_lock(WRITE_LOCK_KEY)))
        try:
            yield
        finally:
            connection.scalar(select(func.pg_advisory_unlock(WRITE_LOCK_KEY)))
            connection.rollback()


def indexed_strings() -> set[str]:
    """Every term and stored value the backend holds, whatever the field."""
    if backends.backend_name() == "whoosh":
        from app.search.backends.whoosh.index import open_index

        with open_index().searcher() as searcher:
            reader = searcher.reader()
            terms = {
                text.decode()
                for name in ("text", "tags", "blog", "author", "stations")
                for text in reader.lexicon(name)
            }
            stored = {str(value) for fields in searcher.all_stored_fields() for value in fields.values()}
        return terms | stored
    from app.search.backends.postgres import search_documents as docs

    rows = db.session.execute(
        select(func.tsvector_to_array(docs.c.document), docs.c.tags, docs.c.stations, docs.c.blog, docs.c.author)
    )
    strings: set[str] = set()
    for lexemes, tags, stations, blog, author in rows:
        strings.update(lexemes, tags, stations, (blog, author))
    return strings
