"""Home page and the member's dashboard."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.blogs.services import blogs_writable_by
from app.changes import lists
from app.comments.services import pending_comment_count
from app.entries.cards import card_query
from app.main import services
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.pagination import paginate_cards
from app.permissions import member_audience
from app.stations.services import active_stations, pending_requests_for_moderator, stations_of_user
from app.tags.services import popular_tags

bp = Blueprint("main", __name__)

HOME_STATIONS = 6
HOME_TAGS = 30
HOME_CARDS = card_query()  # built once (app/pagination.py, paginate_cards)


@bp.get("/")
@cached_page(members=lambda: member_audience(current_user))
def home():
    shown.shows(lists.ALL_ENTRIES, lists.ALL_STATIONS, lists.ALL_TAGS)
    return render_template(
        "main/home.html",
        entries=paginate_cards(HOME_CARDS, {}, total=("entries", [lists.ALL_ENTRIES])),
        stations=active_stations(HOME_STATIONS),
        tags=popular_tags(HOME_TAGS),
    )


@bp.get("/dashboard")
@login_required
def dashboard():
    user = current_user._get_current_object()
    return render_template(
        "main/dashboard.html",
        blogs=blogs_writable_by(user),
        drafts=services.drafts_of(user),
        recent_entries=services.recent_entries_of(user),
        followed_entries=services.entries_from_followed(user),
        pending_requests=pending_requests_for_moderator(user),
        pending_comments=pending_comment_count(user),
        stations=stations_of_user(user),
    )
