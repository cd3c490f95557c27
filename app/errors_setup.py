"""Error pages in the site's own style, and domain errors turned into HTTP statuses."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.extensions import db

# Werkzeug's descriptions are English (and may carry internals); readers get these, or the fallback, instead.
STATUS_MESSAGES = {
    400: _l("คำขอไม่ถูกต้อง กรุณาตรวจสอบข้อมูลแล้วลองใหม่"),
    401: _l("กรุณาเข้าสู่ระบบก่อน"),
    403: _l("คุณไม่มีสิทธิ์ทำรายการนี้"),
    404: _l("ไม่พบหน้านี้"),
    405: _l("ทำรายการนี้ด้วยวิธีนี้ไม่ได้"),
    409: _l("ข้อมูลซ้ำกับที่มีอยู่แล้ว"),
    413: _l("ข้อมูลที่ส่งมาใหญ่เกินไป"),
    429: _l("ทำรายการถี่เกินไป กรุณารอสักครู่แล้วลองใหม่"),
}
FALLBACK_MESSAGE = _l("ทำรายการนี้ไม่สำเร็จ กรุณาลองใหม่อีกครั้ง")
CSRF_MESSAGE = _l("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _message_for(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return str(CSRF_MESSAGE)
    return str(STATUS_MESSAGES.get(error.code, FALLBACK_MESSAGE))


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if _wants_json():
            return {"error": _message_for(error)}, error.code
        if error.code in (403, 404, 413, 429):
            return render_template(f"errors/{error.code}.html", error=error), error.code
        return render_template("errors/generic.html", message=_message_for(error), status=error.code), error.code

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if _wants_json():
            return {"error": error.message}, error.status_code
        return (
            render_template("errors/generic.html", message=error.message, status=error.status_code),
            error.status_code,
        )

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500
