"""Tags (คำสำคัญ): the popular-tags page, each tag's entries and its feed."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.changes import lists
from app.feeds import atom_response
from app.json_views import json_response
from app.models import Tag
from app.page_cache import tags as shown
from app.page_cache.pages import cached_page
from app.pagination import paginate_cards
from app.permissions import member_audience
from app.tags import services
from app.text.tags import normalize_tag
from app.urls import site_url

bp = Blueprint("tags", __name__)

POPULAR_LIMIT = 100


def _tag_or_redirect(name: str, endpoint: str) -> Tag:
    """The tag named in the URL once normalised; a 301 to the normalised URL when it is spelt differently.

    The path converter lets tags that contain a slash (such as "km/lo") have pages too.
    """
    normalized = normalize_tag(name)
    if not normalized:
        abort(404)
    if normalized != name:
        abort(redirect(url_for(endpoint, name=normalized, **request.args.to_dict()), 301))
    tag = services.find_tag(normalized)
    if tag is None:
        abort(404)
    return tag


@bp.get("/tags")
@cached_page
def index():
    shown.shows(lists.ALL_TAGS)
    tags = services.cloud_weights(services.popular_tags(POPULAR_LIMIT))
    return render_template("tags/index.html", tags=tags)


@bp.get("/tags/suggest")
def suggest():
    """The editor's tag field: ?q= → a JSON list of at most 10 tag names.

    Without ?q= this is still the page of a tag called "suggest", which this address would otherwise hide.
    The page cache works out a member's audience from the view's keyword arguments, so `name` is passed by name.
    """
    if "q" not in request.args:
        return show(name="suggest")
    return json_response(services.suggest_tags(request.args.get("q", "")))


@bp.get("/tags/<path:name>")
@cached_page(members=lambda name: member_audience(current_user))
def show(name: str):
    tag = _tag_or_redirect(name, "tags.show")
    shown.shows(lists.tag_entries(tag.id))
    total = (f"tag:{tag.id}", [lists.tag_entries(tag.id)])
    pagination = paginate_cards(services.TAG_CARDS, {"tag_id": tag.id}, total=total)
    return render_template("tags/show.html", tag=tag, pagination=pagination)


@bp.get("/tags/<path:name>/feed.atom")
@cached_page
def feed(name: str):
    tag = _tag_or_redirect(name, "tags.feed")
    shown.shows(lists.tag_entries(tag.id))
    return atom_response(
        _("#%(name)s · ศาลา", name=tag.name),
        site_url("tags.show", name=tag.name),
        site_url("tags.feed", name=tag.name),
        services.tag_entries_query(tag),
    )
