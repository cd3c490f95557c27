"""Error pages in the site's own style, and domain errors turned into HTTP statuses.

An error page is rendered with the site's layout, which builds URLs for the request. When that cannot be done
(a Host header Flask refused leaves the request without a URL adapter) or fails for any other reason, the
reader gets the same message as plain text: an error handler never fails itself.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from flask import Flask, abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.extensions import db
from app.security import HOST_ERRORS

logger = logging.getLogger(__name__)

T = TypeVar("T")

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
SERVER_ERROR_MESSAGE = _l("เกิดข้อผิดพลาดในระบบ กรุณาลองใหม่อีกครั้ง")
CSRF_MESSAGE = _l("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")
CSRF_OVER_HTTP_MESSAGE = _l(
    "เว็บไซต์นี้ต้องเปิดผ่าน HTTPS: หน้านี้มาทาง http:// เบราว์เซอร์จึงไม่ส่งคุกกี้ของเว็บไซต์กลับมา "
    "และแบบฟอร์มจะหมดอายุทุกครั้ง กรุณาเปิดเว็บไซต์ด้วย https:// "
    "(ผู้ดูแลระบบ: ให้ผู้อ่านเข้าผ่าน HTTPS และถ้ามีพร็อกซีอยู่หน้าเว็บไซต์ ให้พร็อกซีส่ง X-Forwarded-Proto "
    "และตั้ง PROXY_FIX_X_PROTO=1)"
)


def or_404(found: T | None) -> T:
    """What a service found, or a 404 for the view when it found nothing (services never abort)."""
    if found is None:
        abort(404)
    return found


def csrf_message() -> str:
    """Why a form was refused. Cookies marked Secure never come back over plain http, so there every form
    fails: say so to the reader and in the log, rather than "reload" forever."""
    if current_app.config.get("SESSION_COOKIE_SECURE") and not request.is_secure:
        logger.warning(
            "CSRF check failed on a request over plain http while SESSION_COOKIE_SECURE is on: browsers do not "
            "send Secure cookies over http, so no form can work. Serve the site over HTTPS; behind a proxy that "
            "terminates TLS, have it send X-Forwarded-Proto and set PROXY_FIX_X_PROTO=1. (%s %s)",
            request.method,
            request.path,
        )
        return str(CSRF_OVER_HTTP_MESSAGE)
    return str(CSRF_MESSAGE)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _message_for(error: HTTPException) -> str:
    if isinstance(error, CSRFError):
        return csrf_message()
    return str(STATUS_MESSAGES.get(error.code, FALLBACK_MESSAGE))


def _plain(message: str, status: int):
    return message, status, {"Content-Type": "text/plain; charset=utf-8"}


def _page(status: int, fallback: str, template: str, /, **context):
    """The error page, or the `fallback` message as plain text when the page cannot be rendered."""
    try:
        return render_template(template, **context), status
    except Exception:  # noqa: BLE001 - the reader still gets the status and a message
        logger.exception("The error page %s could not be rendered; answered in plain text", template)
        return _plain(fallback, status)


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message, status = _message_for(error), error.code or 500
        if _wants_json():
            return {"error": message}, status
        if isinstance(error, HOST_ERRORS):  # no URL can be built for this request: no layout
            return _plain(message, status)
        if status in (403, 404, 413, 429):
            return _page(status, message, f"errors/{status}.html", error=error)
        return _page(status, message, "errors/generic.html", message=message, status=status)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if _wants_json():
            return {"error": error.message}, error.status_code
        status = error.status_code
        return _page(status, error.message, "errors/generic.html", message=error.message, status=status)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _page(500, str(SERVER_ERROR_MESSAGE), "errors/500.html")
