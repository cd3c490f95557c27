"""Members report an entry or a comment: a form, then a Thai confirmation on the reported page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments.services import find_comment
from app.entries.services import find_entry
from app.errors_setup import or_404
from app.extensions import db
from app.forms_util import refusals
from app.models import Comment, Entry
from app.models.report import TARGET_COMMENT, TARGET_ENTRY
from app.permissions import can
from app.reports import services
from app.reports.forms import ReportForm

bp = Blueprint("reports", __name__)


def _reportable_entry(number: int) -> Entry:
    """404 for an entry the member cannot see, 403 for one they may not report (their own)."""
    entry = or_404(find_entry(number))
    if not can(current_user, "view_entry", entry):
        abort(404)
    if not can(current_user, "report_entry", entry):
        abort(403)
    return entry


def _reportable_comment(comment_id: int) -> Comment:
    comment = or_404(find_comment(comment_id))
    if not can(current_user, "view_entry", comment.entry):
        abort(404)
    if not can(current_user, "report_comment", comment):
        abort(403)
    return comment


def _report_page(form: ReportForm, target_type: str, entry: Entry, comment: Comment | None, back: str):
    """Fill in a report, or file it on POST; already reported items say so instead of showing the form."""
    reporter = current_user._get_current_object()
    target_id = comment.id if comment is not None else entry.id
    existing = services.open_report_by(reporter, target_type, target_id)
    with refusals(form) as refusal:
        if existing is None and form.validate_on_submit():
            if comment is not None:
                services.report_comment(reporter, comment, form.reason.data, form.details.data)
            else:
                services.report_entry(reporter, entry, form.reason.data, form.details.data)
            db.session.commit()
            flash(_("ส่งรายงานถึงผู้ดูแลระบบแล้ว ขอบคุณที่ช่วยดูแลชุมชน"), "success")
            return redirect(back)
    status = 409 if existing is not None and form.is_submitted() else refusal.status(form)
    page = render_template("reports/form.html", form=form, entry=entry, comment=comment, existing=existing, back=back)
    return page, status


@bp.route("/posts/<int:number>/report", methods=["GET", "POST"])
@login_required
def entry(number: int):
    reported = _reportable_entry(number)
    back = url_for("entries.show", number=reported.number)
    return _report_page(ReportForm(), TARGET_ENTRY, reported, None, back)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def comment(comment_id: int):
    reported = _reportable_comment(comment_id)
    back = url_for("entries.show", number=reported.entry.number, _anchor=f"comment-{reported.id}")
    return _report_page(ReportForm(), TARGET_COMMENT, reported.entry, reported, back)
