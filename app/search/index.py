"""The search documents of the configured backend as a whole: rebuilding them from the database (`flask search
reindex`, restores) and counting them. Requests never rebuild: a release with another index schema keeps the
old documents serving until `flask search reindex` (DEPLOY.md).
"""

from __future__ import annotations

from pathlib import Path

from app.page_cache.invalidation import index_changed
from app.search import backends
from app.search.backends import ReindexResult
from app.search.sync import drain


def reindex(path: Path | None = None) -> ReindexResult:
    """Rebuild every search document of the configured backend from the database while the old ones serve,
    then apply the changes committed meanwhile."""
    result = backends.current().reindex(path)
    drain(path)
    index_changed()
    return result


def document_count(path: Path | None = None) -> int:
    """How many documents the configured backend can search."""
    return backends.current().document_count(path)
