"""Writing, reading, editing and deleting entries (บันทึก), which live at /posts/<number>."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import reads
from app.blogs.services import blogs_writable_by, find_blog
from app.changes import lists
from app.comments.forms import CommentForm
from app.comments.services import comments_for_entry
from app.editor.drafts import remember_saved_draft, saved_draft_tokens
from app.entries import related, services
from app.entries.cards import tags_of
from app.entries.forms import DeleteEntryForm, EntryForm
from app.errors_setup import or_404
from app.extensions import db
from app.forms_util import refusals
from app.licenses import LICENSES, license_for
from app.models import STATUS_DRAFT, STATUS_PUBLISHED, Blog, Entry
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.permissions import can, entry_page_audience
from app.stations.services import stations_of_blog
from app.uploads.services import upload_limit_mb

bp = Blueprint("entries", __name__)


def _visible_entry(number: int) -> Entry:
    """The entry, or 404 when it does not exist or the viewer may not see it (a draft stays secret)."""
    entry = or_404(services.find_entry(number))
    if not can(current_user, "view_entry", entry):
        abort(404)
    return entry


def _entry_for(action: str, number: int) -> Entry:
    """A visible entry the current user may `action` (edit_entry, delete_entry); 403 otherwise."""
    entry = _visible_entry(number)
    if not can(current_user, action, entry):
        abort(403)
    return entry


def _entry_fields(form: EntryForm) -> dict:
    return {
        "title": form.title.data,
        "body_markdown": form.body.data,
        "tags": form.tags.data or "",
        "license": form.license.data,
        "publish": form.publish,
        "comments_enabled": form.comments_enabled.data,
    }


def _saved_message(entry: Entry) -> str:
    if entry.is_published:
        return _("เผยแพร่บันทึกแล้ว")
    return _("บันทึกร่างแล้ว บันทึกนี้เห็นเฉพาะผู้เขียนและเจ้าของบล็อก")


@bp.get("/write")
@login_required
def choose_blog():
    """Start writing: straight to the editor when the member writes in one blog, a choice when several."""
    blogs = blogs_writable_by(current_user)
    if not blogs:
        flash(_("สร้างบล็อกของคุณก่อน แล้วจึงเริ่มเขียนบันทึก"), "info")
        return redirect(url_for("blogs.new"))
    if len(blogs) == 1:
        return redirect(url_for("entries.new", slug=blogs[0].slug))
    return render_template("entries/choose_blog.html", blogs=blogs)


@bp.route("/b/<slug>/write", methods=["GET", "POST"])
@login_required
def new(slug: str):
    blog = or_404(find_blog(slug))
    if not can(current_user, "write_in_blog", blog):
        abort(403)
    form = EntryForm()
    with refusals(form) as refusal:
        if form.validate_on_submit():
            entry = services.create_entry(
                blog, current_user, **_entry_fields(form), submission_key=form.submission_key.data
            )
            db.session.commit()
            remember_saved_draft(request.form.get("draft_token"))
            flash(_saved_message(entry), "success")
            return redirect(url_for("entries.show", number=entry.number))
    return _editor(form, blog, None, refusal.status(form))


def _entry_audience(number: int) -> str | None:
    """The signed-in reader's audience for a published entry's page; anything else is rendered for them alone."""
    entry = services.find_entry(number)
    if entry is None or not entry.is_published or not can(current_user, "view_entry", entry):
        return None
    return entry_page_audience(current_user, entry)


@bp.get("/posts/<int:number>")
@cached_page(members=_entry_audience)
def show(number: int):
    entry = _visible_entry(number)
    canonical = url_for("entries.show", number=entry.number)
    if request.script_root + request.path != canonical:
        # /posts/007 and Thai digits (/posts/๗) reach here too: one address per entry.
        return redirect(canonical, 301)
    if entry.is_published:
        reads.showing(entry)
    shown.shows(
        lists.entry_related(entry.id),
        lists.blog_entries(entry.blog_id),
        lists.blog_stations(entry.blog_id),
        lists.entry_comments(entry.id),
    )
    older, newer = services.neighbours(entry)
    return render_template(
        "entries/show.html",
        entry=entry,
        blog=entry.blog,
        tags=tags_of([entry.id])[entry.id],
        stations=stations_of_blog(entry.blog),
        license=license_for(entry.license),
        older=older,
        newer=newer,
        comments=comments_for_entry(entry, current_user),
        # The page may be kept for many readers: its form's one-time key is made in each browser, and its token
        # is each member's own part (the form would otherwise put a token in the session of whoever renders it).
        # Guests get a link to the form's own page instead (comments/_form.html): no form to build for them.
        comment_form=CommentForm(submission_key="", meta={"csrf": False}) if current_user.is_authenticated else None,
        related=related.related_to(entry),
    )


@bp.route("/posts/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit(number: int):
    entry = _entry_for("edit_entry", number)
    form = EntryForm()
    if not form.is_submitted():
        form.title.data = entry.title
        form.body.data = entry.body_markdown
        form.tags.data = ", ".join(tag.name for tag in entry.tags)
        form.license.data = entry.license
        form.status.data = STATUS_PUBLISHED if entry.is_published else STATUS_DRAFT
        form.comments_enabled.data = entry.comments_enabled
    with refusals(form) as refusal:
        if form.validate_on_submit():
            services.update_entry(entry, **_entry_fields(form))
            db.session.commit()
            remember_saved_draft(request.form.get("draft_token"))
            flash(_saved_message(entry), "success")
            return redirect(url_for("entries.show", number=entry.number))
    return _editor(form, entry.blog, entry, refusal.status(form))


def _editor(form: EntryForm, blog: Blog, entry: Entry | None, status: int):
    page = render_template(
        "entries/form.html",
        form=form,
        blog=blog,
        entry=entry,
        licenses=LICENSES,
        saved_drafts=saved_draft_tokens(),
        upload_limit_mb=upload_limit_mb(),
    )
    return page, status


@bp.route("/posts/<int:number>/delete", methods=["GET", "POST"])
@login_required
def delete(number: int):
    """GET asks for confirmation; the POST must carry the ticked confirmation box."""
    entry = _entry_for("delete_entry", number)
    form = DeleteEntryForm()
    if form.validate_on_submit():
        blog_slug = entry.blog.slug
        services.delete_entry(entry)
        db.session.commit()
        flash(_("ลบบันทึกแล้ว"), "success")
        return redirect(url_for("blogs.show", slug=blog_slug))
    status = 400 if form.errors else 200
    return render_template("entries/delete.html", form=form, entry=entry), status
