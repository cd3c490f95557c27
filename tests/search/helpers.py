"""Shared helpers for the search index tests."""

from __future__ import annotations

from app.search.query import SearchFilters, search


def found(q: str, **filters) -> set[int]:
    """Entry numbers matching `q` and `filters` (all pages at once)."""
    page = search(q, SearchFilters(**filters), per_page=100)
    assert page.total == len(page.hits), "the index and the database disagree"
    return {hit.entry.number for hit in page.hits}


def ranked(q: str, *, sort: str = "relevance", **filters) -> list[int]:
    """Entry numbers matching `q`, in the order shown."""
    return [hit.entry.number for hit in search(q, SearchFilters(**filters), sort=sort, per_page=100).hits]
