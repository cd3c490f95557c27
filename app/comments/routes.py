"""Adding comments to entries, and hiding, showing again and deleting them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.comments import services
from app.comments.forms import CommentForm
from app.entries.services import get_entry_or_404
from app.errors import DomainError
from app.extensions import db
from app.forms_util import attach_error
from app.models import Comment, Entry, User
from app.permissions import can

bp = Blueprint("comments", __name__)


def _entry_url(entry: Entry, anchor: str) -> str:
    return url_for("entries.show", number=entry.number, _anchor=anchor)


def _signed_in_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _comment_for(action: str, comment_id: int, on_entry: bool) -> Comment:
    """The comment, once `can(current_user, action, ...)` allows it (404 unknown, 403 not allowed)."""
    comment = services.get_comment_or_404(comment_id)
    if not can(current_user, action, comment.entry if on_entry else comment):
        abort(403)
    return comment


@bp.post("/posts/<int:number>/comments")
def create(number: int):
    entry = get_entry_or_404(number)
    if not can(current_user, "view_entry", entry):
        abort(404)
    if not can(current_user, "comment_on_entry", entry):
        abort(403)
    user = _signed_in_user()
    form = CommentForm()
    if user is not None:
        # Members comment as themselves: whatever guest fields arrive are not theirs to set.
        del form.guest_name
        del form.guest_email
    if form.validate_on_submit():
        try:
            comment = services.add_comment(
                entry,
                form.body.data,
                user=user,
                guest_name=None if user else form.guest_name.data,
                guest_email=None if user else form.guest_email.data,
                ip_address=request.remote_addr,
            )
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("เพิ่มความเห็นแล้ว ขอบคุณที่ร่วมแลกเปลี่ยน"), "success")
            return redirect(_entry_url(entry, f"comment-{comment.id}"))
    return render_template("comments/form_page.html", entry=entry, comment_form=form), 400


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
