"""What `/healthz` reports: can this worker reach the database and search with the configured backend.

200 with "status": "ok" when all is well; 503 when the database or search cannot answer. Search documents
written by an older release (`flask search reindex` not yet run after an upgrade) that still answer are not a
reason to take the server out of a load balancer: 200 with "status": "degraded", and the search check says
`"outdated": true` with the reason, for a monitor to alert on. So is a change that has waited longer than
SEARCH_PENDING_ALERT_SECONDS for the task worker to index it (`"stalled": true`): the worker is down or stuck.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import text

from app.extensions import db
from app.search import backends, outbox

logger = logging.getLogger(__name__)

STALLED_REASON = "search changes have waited {seconds} s for the task worker: is huey_consumer worker.huey running?"


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
    outdated = False
    try:
        name = backends.backend_name()
        documents = backends.current().probe()
    except backends.IndexOutdated as error:
        logger.warning("health check: search backend %s: %s", name, error)
        if error.documents is None:
            return {"ok": False, "backend": name, "outdated": True, "error": "IndexOutdated", "reason": str(error)}
        documents, outdated = error.documents, True
    except Exception as error:
        db.session.rollback()
        logger.warning("health check: search backend %s cannot search: %s", name, error)
        reason = str(error) if isinstance(error, backends.ConfigurationError) else "cannot answer a search query"
        return {"ok": False, "backend": name, "error": type(error).__name__, "reason": reason}
    try:
        pending, waited = outbox.pending_and_waited()
    except Exception as error:
        logger.warning("health check: cannot count pending search tasks: %s", error)
        return {
            "ok": False,
            "backend": name,
            "documents": documents,
            "error": type(error).__name__,
            "reason": "cannot count the pending search tasks",
        }
    report = {"ok": True, "backend": name, "documents": documents, "pending_tasks": pending}
    if outdated:
        report.update(outdated=True, reason=backends.OUTDATED_REASON)
    elif waited > current_app.config["SEARCH_PENDING_ALERT_SECONDS"]:
        report.update(stalled=True, reason=STALLED_REASON.format(seconds=int(waited)))
    return report


def health() -> tuple[dict[str, Any], bool]:
    """The report and whether every check can answer (the HTTP status: 200 or 503); "status" is "degraded"
    when they all answer but one needs an operator."""
    checks = {"database": check_database(), "search": check_search()}
    healthy = all(check["ok"] for check in checks.values())
    status = "ok" if healthy else "error"
    if healthy and any(check.get("outdated") or check.get("stalled") for check in checks.values()):
        status = "degraded"
    return {"status": status, **checks}, healthy
