"""`/healthz` for load balancers and process monitors: JSON, 200 when healthy, 503 when not."""

from __future__ import annotations

from flask import Blueprint, jsonify

from app.extensions import limiter
from app.ops.health import health

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    report, healthy = health()
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
