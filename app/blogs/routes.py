"""Blogs: the public blog page and feed, and the owner's settings, co-authors and deletion."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.services import find_user_by_username
from app.blogs import services
from app.blogs.forms import BlogSettingsForm, CoauthorForm, DeleteBlogForm, NewBlogForm
from app.changes import lists
from app.errors_setup import or_404
from app.extensions import db
from app.feeds import atom_response
from app.forms_util import refusals
from app.models import Blog
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.pagination import paginate
from app.permissions import can
from app.stations.services import stations_of_blog
from app.urls import site_url

bp = Blueprint("blogs", __name__)


def _managed_blog(slug: str) -> Blog:
    """The blog at `slug` when the current user owns it; 404 or 403 otherwise."""
    blog = or_404(services.find_blog(slug))
    if not can(current_user, "manage_blog", blog):
        abort(403)
    return blog


def _canonical_redirect(blog: Blog, slug: str, endpoint: str) -> Response | None:
    """A permanent redirect to the slug's own letter case, or None when the URL already uses it."""
    if blog.slug == slug:
        return None
    return redirect(url_for(endpoint, slug=blog.slug, **request.args.to_dict()), 301)


@bp.route("/blogs/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, "create_content"):
        abort(403)
    form = NewBlogForm()
    with refusals(form) as refusal:
        if form.validate_on_submit():
            blog = services.create_blog(
                current_user,
                form.slug.data,
                form.title.data,
                form.description.data,
                allow_guest_comments=form.allow_guest_comments.data,
            )
            db.session.commit()
            flash(_("สร้างบล็อกแล้ว เริ่มเขียนบันทึกแรกได้เลย"), "success")
            return redirect(url_for("blogs.show", slug=blog.slug))
    return render_template("blogs/new.html", form=form), refusal.status(form)


@bp.get("/b/<slug>")
@cached_page
def show(slug: str):
    blog = or_404(services.find_blog_for_page(slug))
    moved = _canonical_redirect(blog, slug, "blogs.show")
    if moved is not None:
        return moved
    shown.shows(lists.blog_entries(blog.id), lists.blog_stations(blog.id))
    pagination = paginate(services.blog_entries_query(blog), total=(f"blog:{blog.id}", [lists.blog_entries(blog.id)]))
    return render_template("blogs/show.html", blog=blog, pagination=pagination, stations=stations_of_blog(blog))


@bp.get("/b/<slug>/feed.atom")
@cached_page
def feed(slug: str):
    blog = or_404(services.find_blog(slug))
    moved = _canonical_redirect(blog, slug, "blogs.feed")
    if moved is not None:
        return moved
    shown.shows(lists.blog_entries(blog.id))
    return atom_response(
        blog.title,
        site_url("blogs.show", slug=blog.slug),
        site_url("blogs.feed", slug=blog.slug),
        services.blog_entries_query(blog),
    )


@bp.route("/b/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    blog = _managed_blog(slug)
    form = BlogSettingsForm(obj=blog)
    with refusals(form) as refusal:
        if form.validate_on_submit():
            services.update_blog(
                blog,
                title=form.title.data,
                description=form.description.data,
                allow_guest_comments=form.allow_guest_comments.data,
            )
            db.session.commit()
            flash(_("บันทึกการตั้งค่าบล็อกแล้ว"), "success")
            return redirect(url_for("blogs.show", slug=blog.slug))
    return render_template("blogs/edit.html", blog=blog, form=form), refusal.status(form)


@bp.route("/b/<slug>/authors", methods=["GET", "POST"])
@login_required
def authors(slug: str):
    blog = _managed_blog(slug)
    form = CoauthorForm()
    with refusals(form) as refusal:
        if form.validate_on_submit():
            user = services.add_coauthor(blog, form.username.data)
            db.session.commit()
            flash(_("เพิ่ม %(name)s เป็นผู้เขียนร่วมแล้ว", name=user.display_name), "success")
            return redirect(url_for("blogs.authors", slug=blog.slug))
    return render_template("blogs/authors.html", blog=blog, form=form), refusal.status(form)


@bp.post("/b/<slug>/authors/<username>/remove")
@login_required
def remove_author(slug: str, username: str):
    blog = _managed_blog(slug)
    user = find_user_by_username(username)
    if user is None or not services.is_coauthor(blog, user):
        abort(404)
    services.remove_coauthor(blog, user)
    db.session.commit()
    flash(_("นำ %(name)s ออกจากผู้เขียนร่วมแล้ว", name=user.display_name), "success")
    return redirect(url_for("blogs.authors", slug=blog.slug))


@bp.route("/b/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str):
    blog = _managed_blog(slug)
    form = DeleteBlogForm()
    if form.validate_on_submit():
        title = blog.title
        services.delete_blog(blog)
        db.session.commit()
        flash(_("ลบบล็อก “%(title)s” แล้ว", title=title), "success")
        return redirect(url_for("main.dashboard"))
    status = 400 if form.errors else 200
    return render_template("blogs/delete.html", blog=blog, form=form, entry_count=services.count_entries(blog)), status
