"""Adding comments to entries; hiding, showing again and deleting them; the queue of comments awaiting approval."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException, TooManyRequests

from app.comments import services
from app.comments.forms import CommentForm
from app.comments.limits import guest_comments_per_ip
from app.entries.services import find_entry
from app.errors_setup import or_404
from app.extensions import db
from app.forms_util import refusals
from app.models import Comment, Entry, User
from app.page_cache import parts
from app.pagination import paginate
from app.permissions import can

bp = Blueprint("comments", __name__)


def _entry_url(entry: Entry, anchor: str) -> str:
    return url_for("entries.show", number=entry.number, _anchor=anchor)


def _signed_in_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def own_comment_actions(keys: list[tuple[int, ...]]) -> list[str]:
    """Comments' buttons as their author sees them, on an entry page kept for many members."""
    found = services.comments_by_id([comment_id for (comment_id,) in keys])
    actions = get_template_attribute("comments/_comment.html", "comment_actions")
    return [
        actions(comment, can(current_user, "moderate_comments", comment.entry)) if comment is not None else ""
        for comment in (found.get(comment_id) for (comment_id,) in keys)
    ]


parts.renders_own("comment_actions", own_comment_actions)


def _comment_for(action: str, comment_id: int, on_entry: bool) -> Comment:
    """The comment, once `can(current_user, action, ...)` allows it (404 unknown, 403 not allowed)."""
    comment = or_404(services.find_comment(comment_id))
    if not can(current_user, action, comment.entry if on_entry else comment):
        abort(403)
    return comment


def _commentable_entry(number: int) -> Entry:
    entry = or_404(find_entry(number))
    if not can(current_user, "view_entry", entry):
        abort(404)
    if not can(current_user, "comment_on_entry", entry):
        abort(403)
    return entry


def _comment_form(user: User | None) -> CommentForm:
    form = CommentForm()
    if user is not None:
        # Members comment as themselves: whatever guest fields arrive are not theirs to set.
        del form.guest_name
        del form.guest_email
    return form


@bp.get("/posts/<int:number>/comments")
def new(number: int):
    """The comment form on a page of its own: where guests write (the entry page, kept for all, has no token)."""
    entry = _commentable_entry(number)
    return render_template("comments/form_page.html", entry=entry, comment_form=_comment_form(_signed_in_user()))


@bp.post("/posts/<int:number>/comments")
@guest_comments_per_ip
def create(number: int):
    entry = _commentable_entry(number)
    user = _signed_in_user()
    form = _comment_form(user)
    with refusals(form) as refusal:
        if form.validate_on_submit():
            comment = services.submit_comment(
                entry,
                form.body.data,
                user=user,
                guest_name=None if user else form.guest_name.data,
                guest_email=None if user else form.guest_email.data,
                ip_address=request.remote_addr,
                honeypot=form.website.data,
                submission_key=form.submission_key.data,
            )
            db.session.commit()
            if comment is None or comment.is_pending:
                flash(_("ได้รับความเห็นของคุณแล้ว ความเห็นนี้จะแสดงเมื่อเจ้าของบันทึกหรือผู้ดูแลอนุมัติ"), "info")
                return redirect(_entry_url(entry, "comments"))
            flash(_("เพิ่มความเห็นแล้ว ขอบคุณที่ร่วมแลกเปลี่ยน"), "success")
            return redirect(_entry_url(entry, f"comment-{comment.id}"))
    return render_template("comments/form_page.html", entry=entry, comment_form=form), refusal.status(form)


@bp.errorhandler(TooManyRequests)
def too_many_comments(error: TooManyRequests):
    """Over the per-address limit: the form comes back with what was typed, so nothing is lost."""
    try:
        entry = _commentable_entry(request.view_args["number"]) if request.endpoint == "comments.create" else None
    except HTTPException:
        entry = None  # an error handler must not raise: an unknown or closed entry gets the plain 429 page
    if entry is None:
        return render_template("errors/429.html", error=error), 429
    form = _comment_form(_signed_in_user())
    message = _("คุณส่งความเห็นถี่เกินไป กรุณารอสักครู่แล้วกดส่งอีกครั้ง ข้อความที่เขียนไว้ยังอยู่ในแบบฟอร์มด้านล่าง")
    return render_template("comments/form_page.html", entry=entry, comment_form=form, message=message), 429


@bp.post("/comments/<int:comment_id>/hide")
def hide(comment_id: int):
    comment = _comment_for("moderate_comments", comment_id, on_entry=True)
    services.hide_comment(comment)
    db.session.commit()
    flash(_("ซ่อนความเห็นแล้ว ผู้อ่านจะไม่เห็นความเห็นนี้"), "success")
    return redirect(_entry_url(comment.entry, f"comment-{comment.id}"))


@bp.post("/comments/<int:comment_id>/unhide")
def unhide(comment_id: int):
    comment = _comment_for("moderate_comments", comment_id, on_entry=True)
    services.unhide_comment(comment)
    db.session.commit()
    flash(_("แสดงความเห็นให้ผู้อ่านเห็นอีกครั้งแล้ว"), "success")
    return redirect(_entry_url(comment.entry, f"comment-{comment.id}"))


@bp.post("/comments/<int:comment_id>/delete")
def delete(comment_id: int):
    comment = _comment_for("delete_comment", comment_id, on_entry=False)
    entry = comment.entry
    services.delete_comment(comment)
    db.session.commit()
    flash(_("ลบความเห็นแล้ว"), "success")
    return redirect(_entry_url(entry, "comments"))


@bp.get("/moderation")
@login_required
def queue():
    comments = paginate(services.pending_comments_query(current_user), current_app.config["MODERATION_PER_PAGE"])
    return render_template("comments/queue.html", comments=comments, reason_labels=services.reason_labels)


def _pending_comment(comment_id: int) -> Comment:
    """The waiting comment, once the current user may review it (404 unknown or decided, 403 not allowed)."""
    comment = or_404(services.find_pending_comment(comment_id))
    if not can(current_user, "review_comments", comment.entry):
        abort(403)
    return comment


@bp.post("/moderation/comments/<int:comment_id>/approve")
@login_required
def approve(comment_id: int):
    comment = _pending_comment(comment_id)
    services.approve_comment(comment)
    db.session.commit()
    flash(_("อนุมัติความเห็นแล้ว ผู้อ่านเห็นความเห็นนี้ในบันทึกแล้ว"), "success")
    return redirect(url_for("comments.queue"))


@bp.post("/moderation/comments/<int:comment_id>/reject")
@login_required
def reject(comment_id: int):
    comment = _pending_comment(comment_id)
    services.reject_comment(comment)
    db.session.commit()
    flash(_("ปฏิเสธและลบความเห็นแล้ว"), "success")
    return redirect(url_for("comments.queue"))
