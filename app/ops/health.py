"""What `/healthz` reports: can this worker reach the database and read the search index."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text

from app.extensions import db
from app.search import sync
from app.search.index import readable_document_count

logger = logging.getLogger(__name__)


def check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:
        db.session.rollback()
        logger.warning("health check: database unreachable: %s", error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def check_search() -> dict[str, Any]:
    """The live index opens; the pending outbox tasks are reported (a growing number means sync is stuck)."""
    try:
        documents = readable_document_count()
    except Exception as error:
        logger.warning("health check: search index unreadable: %s", error)
        return {"ok": False, "error": type(error).__name__}
    try:
        pending = sync.pending_count()
    except Exception as error:
        logger.warning("health check: cannot count pending search tasks: %s", error)
        return {"ok": False, "documents": documents, "error": type(error).__name__}
    return {"ok": True, "documents": documents, "pending_tasks": pending}


def health() -> tuple[dict[str, Any], bool]:
    """The report and whether everything is well."""
    checks = {"database": check_database(), "search": check_search()}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "error", **checks}, healthy
