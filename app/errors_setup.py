"""Error pages in the site's own style, and domain errors turned into HTTP statuses."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return {"error": error.description}, error.code
        template = f"errors/{error.code}.html" if error.code in (403, 404, 413) else "errors/generic.html"
        return render_template(template, error=error), error.code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if _wants_json():
            return {"error": error.message}, error.status_code
        return render_template("errors/generic.html", error=error), error.status_code

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
