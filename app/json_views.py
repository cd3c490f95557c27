"""Endpoints that the pages' scripts call: JSON in and out, errors as `{"error": "<Thai message>"}`.

The site's HTML error pages are right for people; a script needs a status and a message it can show
beside the editor. `json_blueprint` gives a blueprint those error answers for everything raised under it:
CSRF failures, a request over MAX_CONTENT_LENGTH, domain errors and unexpected faults.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.errors_setup import STATUS_MESSAGES, csrf_message
from app.extensions import db


def json_response(payload: Any, status: int = 200) -> Response:
    """JSON with Thai left readable (not \\u-escaped)."""
    body = current_app.json.dumps(payload, ensure_ascii=False)
    return current_app.response_class(body, status=status, mimetype="application/json")


def json_error(message: object, status: int) -> Response:
    return json_response({"error": str(message)}, status)


def json_login_required(view: Callable) -> Callable:
    """Like `login_required`, but a visitor gets 401 JSON rather than a redirect to the login page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return json_error(_("กรุณาเข้าสู่ระบบก่อน"), 401)
        return view(*args, **kwargs)

    return wrapped


def _http_message(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return csrf_message()
    if error.code is not None and error.code >= 500:
        return _("เกิดข้อผิดพลาดในระบบ กรุณาลองใหม่อีกครั้ง")
    return str(STATUS_MESSAGES.get(error.code, error.description))


def json_blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint whose errors are answered in JSON (see the module docstring)."""
    bp = Blueprint(name, import_name, **options)

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is not None and error.code >= 500:
            db.session.rollback()
        return json_error(_http_message(error), error.code or 500)

    @bp.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return json_error(error.message, error.status_code)

    return bp
