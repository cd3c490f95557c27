"""What `/healthz` reports: can this worker reach the database and search with the configured backend."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text

from app.extensions import db
from app.search import backends, sync

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
    """The configured backend answers a real query (the index, or the search_documents table); the pending
    outbox tasks are reported (a growing number means sync is stuck)."""
    name = None
    try:
        name = backends.backend_name()
        documents = backends.current().probe()
    except Exception as error:
        db.session.rollback()
        logger.warning("health check: search backend %s cannot search: %s", name, error)
        reason = str(error) if isinstance(error, backends.ConfigurationError) else "cannot answer a search query"
        return {"ok": False, "backend": name, "error": type(error).__name__, "reason": reason}
    try:
        pending = sync.pending_count()
    except Exception as error:
        logger.warning("health check: cannot count pending search tasks: %s", error)
        return {
            "ok": False,
            "backend": name,
            "documents": documents,
            "error": type(error).__name__,
            "reason": "cannot count the pending search tasks",
        }
    return {"ok": True, "backend": name, "documents": documents, "pending_tasks": pending}


def health() -> tuple[dict[str, Any], bool]:
    """The report and whether everything is well."""
    checks = {"database": check_database(), "search": check_search()}
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "error", **checks}, healthy
