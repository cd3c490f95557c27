"""The editor's live preview: Markdown in, the HTML saving would store out (JSON, for the editor's script)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from app.entries.services import BodyTooLarge, preview_html
from app.json_views import json_blueprint, json_error, json_login_required, json_response

bp = json_blueprint("editor", __name__)


def _posted_body() -> str | None:
    """The `body` of a JSON object or of a form; None when there is none or it is not text."""
    if request.is_json:
        payload = request.get_json(silent=True)
        body = payload.get("body") if isinstance(payload, dict) else None
    else:
        body = request.form.get("body")
    return body if isinstance(body, str) else None


@bp.post("/preview")
@json_login_required
def preview():
    """{"body": "..."} (or form field `body`) → {"html": "..."}; 413 when over the entry size limit."""
    body = _posted_body()
    if body is None:
        return json_error(_("ไม่พบเนื้อหาที่จะแสดงตัวอย่าง"), 400)
    try:
        html = preview_html(body)
    except BodyTooLarge as error:
        return json_error(error.message, 413)
    return json_response({"html": html})
