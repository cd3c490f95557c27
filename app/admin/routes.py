"""The administrators' area (/admin): accounts, suspensions and members' reports."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import services
from app.admin.forms import RestoreForm, SuspendForm
from app.errors_setup import or_404
from app.extensions import db, login_manager
from app.forms_util import refusals
from app.models import User
from app.models.report import REPORT_OPEN, REPORT_STATUSES
from app.pagination import paginate
from app.permissions import can, suspension_refusal
from app.reports import services as reports
from app.reports.services import REASON_LABELS, STATUS_LABELS

bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 30
REPORTS_PER_PAGE = 30


def _admin() -> User:
    """The signed-in administrator as a User (not the proxy), for rows that record who acted."""
    return current_user._get_current_object()


@bp.before_request
def require_admin():
    """Guests are sent to sign in; signed-in people who are not administrators get 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can(current_user, "administer"):
        abort(403)
    return None


@bp.get("/")
def index():
    return render_template(
        "admin/index.html", report_counts=reports.count_by_status(), suspended=services.suspended_count()
    )


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """A query argument limited to `allowed`; anything else is a 404, as an unknown page is."""
    value = request.args.get(name, default)
    if value not in allowed:
        abort(404)
    return value


@bp.get("/users")
def users():
    search = request.args.get("q", "")[:200]
    which = _choice("show", services.USER_FILTERS, "all")
    people = paginate(services.users_query(search, which), per_page=USERS_PER_PAGE)
    return render_template("admin/users.html", people=people, search=search, which=which)


def _user_page(user, suspend_form: SuspendForm, restore_form: RestoreForm, status: int = 200):
    page = render_template(
        "admin/user.html",
        user=user,
        suspend_form=suspend_form,
        restore_form=restore_form,
        refusal=suspension_refusal(current_user, user),
    )
    return page, status


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    person = or_404(services.find_user(user_id))
    suspend_form = SuspendForm()
    report_id = request.args.get("report", "")
    if report_id.isdigit():
        suspend_form.report_id.data = report_id
        suspend_form.reason.data = _("จากรายงานหมายเลข %(id)s", id=report_id)
    return _user_page(person, suspend_form, RestoreForm())


@bp.post("/users/<int:user_id>/suspend")
def suspend(user_id: int):
    person = or_404(services.find_user(user_id))
    form = SuspendForm()
    with refusals(form) as refusal:
        if form.validate_on_submit():
            resolved = services.suspend_user(person, form.reason.data, by=_admin())
            db.session.commit()
            flash(
                _("ระงับบัญชี %(name)s แล้ว ปิดรายงานที่เกี่ยวข้อง %(n)s รายการ", name=person.username, n=resolved),
                "success",
            )
            if form.report_id.data:
                return redirect(url_for("admin.reports_list"))
            return redirect(url_for("admin.user", user_id=person.id))
    return _user_page(person, form, RestoreForm(formdata=None), refusal.status(form))


@bp.post("/users/<int:user_id>/restore")
def restore(user_id: int):
    person = or_404(services.find_user(user_id))
    form = RestoreForm()
    with refusals() as refusal:
        if form.validate_on_submit():
            services.restore_user(person)
            db.session.commit()
            flash(_("ยกเลิกการระงับบัญชี %(name)s แล้ว เนื้อหาจะแสดงอีกครั้ง", name=person.username), "success")
            return redirect(url_for("admin.user", user_id=person.id))
    return _user_page(person, SuspendForm(formdata=None), form, refusal.status(form))


@bp.get("/reports")
def reports_list():
    status = _choice("status", (*REPORT_STATUSES, "all"), REPORT_OPEN)
    pagination = paginate(reports.reports_query(None if status == "all" else status), per_page=REPORTS_PER_PAGE)
    return render_template(
        "admin/reports.html",
        pagination=pagination,
        targets={report.id: reports.target_of(report) for report in pagination.items},
        status=status,
        counts=reports.count_by_status(),
        reason_labels=REASON_LABELS,
        status_labels=STATUS_LABELS,
    )


def _handle_report(report_id: int, action, message: str):
    """Run `action(report, admin)`, commit, and go back to the open reports (404 for an unknown report)."""
    report = or_404(reports.find_report(report_id))
    with refusals():
        action(report, _admin())
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("admin.reports_list"))


@bp.post("/reports/<int:report_id>/resolve")
def resolve_report(report_id: int):
    return _handle_report(report_id, reports.resolve_report, _("บันทึกว่าจัดการรายงานแล้ว"))


@bp.post("/reports/<int:report_id>/dismiss")
def dismiss_report(report_id: int):
    return _handle_report(report_id, reports.dismiss_report, _("ปิดรายงานโดยไม่ดำเนินการแล้ว"))


@bp.post("/reports/<int:report_id>/hide-comment")
def hide_comment(report_id: int):
    return _handle_report(report_id, reports.hide_reported_comment, _("ซ่อนความเห็นแล้ว และปิดรายงานเกี่ยวกับความเห็นนี้"))
