"""Tags (คำสำคัญ): which are used most, and the entries that carry one. Names are already normalised."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from app.entries.services import published_entries_query
from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, Tag, User, entry_tags

CLOUD_WEIGHTS = 5


def find_tag(name: str) -> Tag | None:
    """The tag with exactly this (normalised) name."""
    return db.session.scalar(select(Tag).where(Tag.name == name))


def popular_tags(limit: int = 100) -> list[tuple[str, int]]:
    """(name, count) of the most used tags, counting published entries of authors who are not suspended."""
    uses = func.count(Entry.id).label("uses")
    stmt = (
        select(Tag.name, uses)
        .join(entry_tags, entry_tags.c.tag_id == Tag.id)
        .join(Entry, Entry.id == entry_tags.c.entry_id)
        .join(User, User.id == Entry.author_id)
        .where(Entry.status == STATUS_PUBLISHED, User.is_suspended.is_(False))
        .group_by(Tag.id, Tag.name)
        .order_by(uses.desc(), Tag.name)
        .limit(limit)
    )
    return [(name, count) for name, count in db.session.execute(stmt)]


def cloud_weights(tags: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """(name, count, weight 1–5) for a tag cloud, weighted by the rank of the count among distinct counts.

    Ranks rather than raw counts keep one very popular tag from shrinking all the others to the smallest size.
    """
    if not tags:
        return []
    counts = sorted({count for _, count in tags})
    if len(counts) == 1:
        middle = (CLOUD_WEIGHTS + 1) // 2
        return [(name, count, middle) for name, count in tags]
    rank = {count: index for index, count in enumerate(counts)}
    span = len(counts) - 1
    return [(name, count, 1 + round(rank[count] * (CLOUD_WEIGHTS - 1) / span)) for name, count in tags]


def tag_entries_query(tag: Tag) -> Select:
    """Published entries carrying `tag`, newest first."""
    tagged = select(entry_tags.c.entry_id).where(entry_tags.c.tag_id == tag.id)
    return published_entries_query().where(Entry.id.in_(tagged))
