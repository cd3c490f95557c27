"""Uploading images from the editor (JSON) and serving them (long-cached: a name never changes content)."""

from __future__ import annotations

from flask import Blueprint, abort, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from app.extensions import db
from app.json_views import json_blueprint, json_error, json_login_required, json_response
from app.uploads import services
from app.uploads.limits import uploads_per_member

bp = Blueprint("uploads", __name__)
# The editor's script posts here; its errors come back as JSON while serving keeps the site's error pages.
api = json_blueprint("api", __name__)

ONE_YEAR = 365 * 24 * 60 * 60


@api.post("/uploads")
@uploads_per_member
@json_login_required
def create():
    """Multipart field `file` → 201 {"url", "markdown", "width", "height"}; 400/413/429 {"error"} otherwise."""
    file = request.files.get("file")
    if file is None:
        return json_error(_("กรุณาเลือกไฟล์รูปภาพ"), 400)
    upload = services.store_upload(current_user, file.stream, file.filename or "")
    db.session.commit()
    url = url_for("uploads.show", name=upload.stored_name)
    payload = {
        "url": url,
        "markdown": services.markdown_for(upload, url),
        "width": upload.width,
        "height": upload.height,
    }
    return json_response(payload, 201)


@api.errorhandler(TooManyRequests)
def too_many_uploads(error: TooManyRequests):
    return json_error(_("คุณอัปโหลดรูปภาพถี่เกินไป กรุณารอสักครู่แล้วลองใหม่"), 429)


@bp.get("/uploads/<name>")
def show(name: str):
    content_type = services.content_type_of(name)
    if content_type is None:
        abort(404)
    response = send_from_directory(services.upload_dir(), name, mimetype=content_type, max_age=ONE_YEAR)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


bp.register_blueprint(api)
