"""Community stations: the list, each station's page and feed, membership, moderators and blog submissions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.auth.services import find_user_by_username
from app.blogs.services import find_blog
from app.changes import lists
from app.errors_setup import or_404
from app.extensions import db
from app.feeds import atom_response
from app.forms_util import refusals
from app.models import Blog, Station, User
from app.models.station import STATUS_PENDING
from app.page_cache import parts
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.pagination import paginate, paginate_cards
from app.permissions import can, station_page_audience
from app.stations import services
from app.stations.forms import ModeratorForm, StationEditForm, StationForm, SubmitBlogForm
from app.urls import site_url

bp = Blueprint("stations", __name__)

MEMBERS_ON_STATION_PAGE = 12
STATIONS_PER_PAGE = 20
MEMBERS_PER_PAGE = 50


def _canonical_redirect(station: Station, slug: str, endpoint: str):
    """A permanent redirect to the slug's own letter case, or None when the URL already uses it."""
    if station.slug == slug:
        return None
    return redirect(url_for(endpoint, slug=station.slug, **request.args.to_dict()), 301)


def _station_for(slug: str, action: str) -> Station:
    """The station at `slug` when the current user may perform `action` on it; 404 or 403 otherwise."""
    station = or_404(services.find_station(slug))
    if not can(current_user, action, station):
        abort(403)
    return station


def _member_named(username: str) -> User:
    return or_404(find_user_by_username(username))


def _blog_in(station: Station, blog_slug: str) -> Blog:
    blog = or_404(find_blog(blog_slug))
    if services.get_station_blog(station, blog) is None:
        abort(404)
    return blog


def _render_show(station: Station, status: int = 200):
    """The station page: details, people, accepted blogs and the paginated feed."""
    shown.shows(lists.station_entries(station.id), lists.station_members(station.id), lists.station_blogs(station.id))
    viewer_row = services.membership(station, current_user) if current_user.is_authenticated else None
    pending_count = 0
    if can(current_user, "moderate_station", station):
        pending_count = services.pending_count(station)
    return render_template(
        "stations/show.html",
        station=station,
        moderators=services.moderators(station),
        member_count=services.member_count(station),
        members=services.first_members(station, MEMBERS_ON_STATION_PAGE),
        blog_links=services.accepted_blog_links(station),
        pagination=paginate_cards(
            services.STATION_CARDS,
            {"station_id": station.id},
            total=(f"station:{station.id}", [lists.station_entries(station.id)]),
        ),
        awaiting_approval=viewer_row is not None and viewer_row.status == STATUS_PENDING,
        pending_count=pending_count,
    ), status


def _render_members(station: Station, status: int = 200):
    moderating = can(current_user, "moderate_station", station)
    return render_template(
        "stations/members.html",
        station=station,
        pagination=paginate(services.active_members_query(station), per_page=MEMBERS_PER_PAGE),
        pending_members=services.pending_members(station) if moderating else [],
        pending_blogs=services.pending_blogs(station) if moderating else [],
        moderating=moderating,
    ), status


@bp.get("/c")
@cached_page
def index():
    shown.shows(lists.ALL_STATIONS)
    pagination = paginate(services.stations_query(), per_page=STATIONS_PER_PAGE)
    return render_template(
        "stations/index.html", pagination=pagination, counts=services.station_counts(pagination.items)
    )


@bp.route("/c/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, "create_content"):
        abort(403)
    form = StationForm()
    with refusals(form) as refusal:
        if form.validate_on_submit():
            station = services.create_station(
                current_user,
                form.slug.data,
                form.name.data,
                form.description.data,
                join_policy=form.join_policy.data,
            )
            db.session.commit()
            flash(_("สร้างชุมชนแล้ว ชวนเพื่อนมาร่วมและส่งบล็อกเข้าชุมชนได้เลย"), "success")
            return redirect(url_for("stations.show", slug=station.slug))
    return render_template("stations/new.html", form=form), refusal.status(form)


def _station_audience(slug: str) -> str | None:
    station = services.find_station(slug)
    return None if station is None else station_page_audience(current_user, station)


def own_blog_link_actions(keys: list[tuple[int, ...]]) -> list[str]:
    """Blogs' links on a station page as each blog's owner sees them (their remove buttons)."""
    actions = get_template_attribute("stations/_blog_link.html", "blog_link_actions")
    links = services.blog_links_by_key(keys)
    return [actions(link.station, link) if (link := links.get(key)) is not None else "" for key in keys]


parts.renders_own("station_blog_actions", own_blog_link_actions)


@bp.get("/c/<slug>")
@cached_page(members=_station_audience)
def show(slug: str):
    station = or_404(services.find_station(slug))
    return _canonical_redirect(station, slug, "stations.show") or _render_show(station)


@bp.get("/c/<slug>/feed.atom")
@cached_page
def feed(slug: str):
    station = or_404(services.find_station(slug))
    moved = _canonical_redirect(station, slug, "stations.feed")
    if moved is not None:
        return moved
    shown.shows(lists.station_entries(station.id))
    return atom_response(
        station.name,
        site_url("stations.show", slug=station.slug),
        site_url("stations.feed", slug=station.slug),
        services.station_entries_query(station),
    )


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    station = _station_for(slug, "manage_station")
    form = StationEditForm(obj=station)
    with refusals(form) as refusal:
        if form.validate_on_submit():
            services.update_station(
                station,
                name=form.name.data,
                description=form.description.data,
                join_policy=form.join_policy.data,
            )
            db.session.commit()
            flash(_("บันทึกการตั้งค่าชุมชนแล้ว"), "success")
            return redirect(url_for("stations.show", slug=station.slug))
    return render_template("stations/edit.html", station=station, form=form), refusal.status(form)


@bp.post("/c/<slug>/join")
@login_required
def join(slug: str):
    """Being a member already, or waiting for approval, is a domain error the service explains."""
    station = or_404(services.find_station(slug))
    if not can(current_user, "create_content"):
        abort(403)
    with refusals() as refusal:
        row = services.join_station(station, current_user)
        db.session.commit()
        if row.status == STATUS_PENDING:
            flash(_("ส่งคำขอเข้าร่วมแล้ว รอผู้ดูแลชุมชนอนุมัติ"), "info")
        else:
            flash(_("เข้าร่วมชุมชน “%(name)s” แล้ว", name=station.name), "success")
        return redirect(url_for("stations.show", slug=station.slug))
    return _render_show(station, refusal.status())


@bp.post("/c/<slug>/leave")
@login_required
def leave(slug: str):
    """Leave, or withdraw a pending request; the owner's refusal comes from the service with its reason."""
    station = or_404(services.find_station(slug))
    if not can(current_user, "create_content"):
        abort(403)
    row = services.membership(station, current_user)
    was_pending = row is not None and row.status == STATUS_PENDING
    with refusals() as refusal:
        services.leave_station(station, current_user)
        db.session.commit()
        if was_pending:
            flash(_("ยกเลิกคำขอเข้าร่วมแล้ว"), "info")
        else:
            flash(_("ออกจากชุมชน “%(name)s” แล้ว", name=station.name), "info")
        return redirect(url_for("stations.show", slug=station.slug))
    return _render_show(station, refusal.status())


@bp.get("/c/<slug>/members")
def members(slug: str):
    station = or_404(services.find_station(slug))
    return _canonical_redirect(station, slug, "stations.members") or _render_members(station)


@bp.post("/c/<slug>/members/<username>/approve")
@login_required
def approve_member(slug: str, username: str):
    station = _station_for(slug, "moderate_station")
    user = _member_named(username)
    with refusals() as refusal:
        services.approve_member(station, user)
        db.session.commit()
        flash(_("รับ %(name)s เป็นสมาชิกแล้ว", name=user.display_name), "success")
        return redirect(url_for("stations.members", slug=station.slug))
    return _render_members(station, refusal.status())


@bp.post("/c/<slug>/members/<username>/reject")
@login_required
def reject_member(slug: str, username: str):
    station = _station_for(slug, "moderate_station")
    user = _member_named(username)
    with refusals() as refusal:
        services.reject_member(station, user)
        db.session.commit()
        flash(_("ปฏิเสธคำขอของ %(name)s แล้ว", name=user.display_name), "info")
        return redirect(url_for("stations.members", slug=station.slug))
    return _render_members(station, refusal.status())


@bp.post("/c/<slug>/members/<username>/moderator")
@login_required
def moderator(slug: str, username: str):
    """Name (on=1) or unname (on=0) a moderator; only the owner may."""
    station = _station_for(slug, "manage_station")
    user = _member_named(username)
    form = ModeratorForm()
    if not form.validate_on_submit():
        flash(_("คำสั่งไม่ถูกต้อง"), "error")
        return _render_members(station, 400)
    on = form.on.data == "1"
    with refusals() as refusal:
        services.set_moderator(station, user, on)
        db.session.commit()
        if on:
            flash(_("แต่งตั้ง %(name)s เป็นผู้ดูแลแล้ว", name=user.display_name), "success")
        else:
            flash(_("%(name)s ไม่ได้เป็นผู้ดูแลแล้ว", name=user.display_name), "info")
        return redirect(url_for("stations.members", slug=station.slug))
    return _render_members(station, refusal.status())


@bp.route("/c/<slug>/submit", methods=["GET", "POST"])
@login_required
def submit(slug: str):
    """Offer one of the member's own blogs; the choices are only blogs they own."""
    station = _station_for(slug, "submit_blog_to_station")
    if request.method == "GET" and (moved := _canonical_redirect(station, slug, "stations.submit")):
        return moved
    form = SubmitBlogForm()
    own_blogs = services.submittable_blogs(current_user)
    form.blog.choices = [SelectChoice(blog.slug, blog.title) for blog in own_blogs]
    with refusals(form) as refusal:
        if form.validate_on_submit():
            blog = or_404(find_blog(form.blog.data))
            link = services.submit_blog(station, blog, current_user)
            db.session.commit()
            if link.status == STATUS_PENDING:
                flash(_("ส่งบล็อก “%(title)s” แล้ว รอผู้ดูแลอนุมัติ", title=blog.title), "info")
            else:
                flash(_("เพิ่มบล็อก “%(title)s” เข้าชุมชนแล้ว", title=blog.title), "success")
            return redirect(url_for("stations.show", slug=station.slug))
    return render_template("stations/submit.html", station=station, form=form), refusal.status(form)


@bp.post("/c/<slug>/blogs/<blog_slug>/approve")
@login_required
def approve_blog(slug: str, blog_slug: str):
    station = _station_for(slug, "moderate_station")
    blog = _blog_in(station, blog_slug)
    with refusals() as refusal:
        services.approve_blog(station, blog)
        db.session.commit()
        flash(_("รับบล็อก “%(title)s” เข้าชุมชนแล้ว", title=blog.title), "success")
        return redirect(url_for("stations.members", slug=station.slug))
    return _render_members(station, refusal.status())


@bp.post("/c/<slug>/blogs/<blog_slug>/reject")
@login_required
def reject_blog(slug: str, blog_slug: str):
    station = _station_for(slug, "moderate_station")
    blog = _blog_in(station, blog_slug)
    with refusals() as refusal:
        services.reject_blog(station, blog)
        db.session.commit()
        flash(_("ปฏิเสธบล็อก “%(title)s” แล้ว", title=blog.title), "info")
        return redirect(url_for("stations.members", slug=station.slug))
    return _render_members(station, refusal.status())


@bp.post("/c/<slug>/blogs/<blog_slug>/remove")
@login_required
def remove_blog(slug: str, blog_slug: str):
    """The blog's owner withdraws it, or a moderator takes it out; its entries leave the feed."""
    station = or_404(services.find_station(slug))
    blog = _blog_in(station, blog_slug)
    if not can(current_user, "remove_blog_from_station", services.get_station_blog(station, blog)):
        abort(403)
    services.remove_blog(station, blog)
    db.session.commit()
    flash(_("นำบล็อก “%(title)s” ออกจากชุมชนแล้ว", title=blog.title), "info")
    return redirect(url_for("stations.show", slug=station.slug))
