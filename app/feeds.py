"""Atom 1.0 feeds: one helper and one template (templates/feeds/atom.xml) for blog, tag and station feeds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Response, render_template
from sqlalchemy import Select

from app.extensions import db
from app.models import Entry
from app.text.dates import utcnow
from app.urls import site_url

FEED_SIZE = 20
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"

# Characters XML 1.0 forbids even when escaped; one of them in a title would make the whole feed unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", text or "")


@dataclass(frozen=True)
class FeedItem:
    """One entry as the feed shows it, with absolute links and XML-safe text."""

    url: str
    title: str
    author_name: str
    author_url: str
    published: datetime
    updated: datetime
    categories: list[str]
    content_html: str


def _item(entry: Entry) -> FeedItem:
    published = entry.published_at or entry.created_at
    return FeedItem(
        url=site_url("entries.show", number=entry.number),
        title=xml_safe(entry.title),
        author_name=xml_safe(entry.author.display_name),
        author_url=site_url("users.profile", username=entry.author.username),
        published=published,
        updated=max(published, entry.updated_at or published),
        categories=[xml_safe(tag.name) for tag in entry.tags],
        content_html=xml_safe(entry.body_html),
    )


def newest_entries(entries: Select | Iterable[Entry], limit: int = FEED_SIZE) -> list[Entry]:
    """At most `limit` entries, newest first, from a select of Entry rows or from loaded entries."""
    if isinstance(entries, Select):
        stmt = entries.order_by(None).order_by(Entry.published_at.desc(), Entry.id.desc()).limit(limit)
        return list(db.session.scalars(stmt))
    ordered = sorted(entries, key=lambda e: (e.published_at or e.created_at, e.id), reverse=True)
    return ordered[:limit]


def atom_response(title: str, page_url: str, feed_url: str, entries: Select | Iterable[Entry]) -> Response:
    """An Atom 1.0 document of the newest published entries; the URLs are absolute (`site_url`)."""
    items = [_item(entry) for entry in newest_entries(entries)]
    body = render_template(
        "feeds/atom.xml",
        title=xml_safe(title),
        page_url=page_url,
        feed_url=feed_url,
        updated=max((item.updated for item in items), default=utcnow()),
        items=items,
    )
    return Response(body, content_type=ATOM_CONTENT_TYPE)
