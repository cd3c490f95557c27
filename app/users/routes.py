"""Profiles (/u/<username>), following and the lists of followers and followed people."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.services import find_user_by_username
from app.blogs.services import blogs_writable_by
from app.changes import lists
from app.extensions import db
from app.models import User
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.pagination import paginate
from app.permissions import can
from app.users import services

bp = Blueprint("users", __name__)

PEOPLE_PER_PAGE = 30


def _visible_user_or_404(username: str) -> User:
    user = find_user_by_username(username)
    if user is None or not can(current_user, "view_profile", user):
        abort(404)
    return user


def _canonical_redirect(user: User, username: str):
    """Usernames ignore case; the address people share should have one spelling (301 to it)."""
    if username == user.username:
        return None
    args = {**request.view_args, **request.args.to_dict(), "username": user.username}
    return redirect(url_for(request.endpoint, **args), code=301)


def _counts(user: User) -> dict[str, int]:
    shown.shows(lists.user_follows(user.id))
    return services.follow_counts(user)


@bp.get("/u/<username>")
@cached_page
def profile(username: str):
    user = _visible_user_or_404(username)
    if (response := _canonical_redirect(user, username)) is not None:
        return response
    shown.shows(lists.user_entries(user.id), lists.user_blogs(user.id))
    return render_template(
        "users/profile.html",
        user=user,
        blogs=blogs_writable_by(user),
        entries=paginate(services.profile_entries_query(user)),
        counts=_counts(user),
        is_following=services.is_following(current_user, user),
    )


@bp.get("/u/<username>/followers")
@cached_page
def followers(username: str):
    user = _visible_user_or_404(username)
    if (response := _canonical_redirect(user, username)) is not None:
        return response
    return render_template(
        "users/people.html",
        user=user,
        people=paginate(services.followers_query(user), per_page=PEOPLE_PER_PAGE),
        counts=_counts(user),
        kind="followers",
        heading=_("ผู้ติดตาม %(name)s", name=user.display_name),
        empty_message=_("ยังไม่มีผู้ติดตาม"),
    )


@bp.get("/u/<username>/following")
@cached_page
def following(username: str):
    user = _visible_user_or_404(username)
    if (response := _canonical_redirect(user, username)) is not None:
        return response
    return render_template(
        "users/people.html",
        user=user,
        people=paginate(services.following_query(user), per_page=PEOPLE_PER_PAGE),
        counts=_counts(user),
        kind="following",
        heading=_("คนที่ %(name)s ติดตาม", name=user.display_name),
        empty_message=_("ยังไม่ได้ติดตามใคร"),
    )


@bp.post("/u/<username>/follow")
@login_required
def follow(username: str):
    target = _visible_user_or_404(username)
    if not can(current_user, "follow_user", target):
        abort(400 if target.id == current_user.id else 403)
    services.follow(current_user, target)
    db.session.commit()
    flash(_("ติดตาม %(name)s แล้ว", name=target.display_name), "success")
    return redirect(url_for("users.profile", username=target.username))


@bp.post("/u/<username>/unfollow")
@login_required
def unfollow(username: str):
    target = _visible_user_or_404(username)
    services.unfollow(current_user, target)
    db.session.commit()
    flash(_("เลิกติดตาม %(name)s แล้ว", name=target.display_name), "info")
    return redirect(url_for("users.profile", username=target.username))
