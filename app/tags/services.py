"""Tags (คำสำคัญ): which are used most, and the entries that carry one. Names are already normalised."""

from __future__ import annotations

from sqlalchemy import Select, bindparam, case, func, select

from app.changes import lists
from app.database import thai_order
from app.entries.cards import card_query
from app.entries.services import published_entries_query, shown_entry
from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, Tag, User, entry_tags
from app.page_cache import remember
from app.text.tags import MAX_TAG_LENGTH, normalize_tag

CLOUD_WEIGHTS = 5
SUGGEST_LIMIT = 10


def _carried_tag() -> Select:
    """The tag named "name" (a bind parameter) when an entry readers see carries it."""
    carried = (
        select(entry_tags.c.entry_id)
        .join(Entry, Entry.id == entry_tags.c.entry_id)
        .where(entry_tags.c.tag_id == Tag.id, shown_entry())
    )
    return select(Tag).where(Tag.name == bindparam("name"), carried.exists())


# Built once: building the statement cost about as much as running it.
_CARRIED_TAG = _carried_tag()


def find_tag(name: str) -> Tag | None:
    """The tag with exactly this (normalised) name, when an entry readers see carries it.

    A tag only drafts (or suspended members' entries) carry is unknown, as it is to the tag list and to
    suggestions: its page must not tell anyone that somebody is writing about it.
    """
    return db.session.scalar(_CARRIED_TAG, {"name": name})


_USES = func.count(Entry.id).label("uses")


def _tag_uses() -> Select:
    """(name, uses) per tag, counting published entries of authors who are not suspended."""
    return (
        select(Tag.name, _USES)
        .join(entry_tags, entry_tags.c.tag_id == Tag.id)
        .join(Entry, Entry.id == entry_tags.c.entry_id)
        .join(User, User.id == Entry.author_id)
        .where(Entry.status == STATUS_PUBLISHED, User.is_suspended.is_(False))
        .group_by(Tag.id, Tag.name)
    )


def popular_tags(limit: int = 100) -> list[tuple[str, int]]:
    """(name, count) of the most used tags, counted again only after a change to which entries carry which tags."""

    def count() -> list[tuple[str, int]]:
        stmt = _tag_uses().order_by(_USES.desc(), thai_order(Tag.name)).limit(limit)
        return [(name, uses) for name, uses in db.session.execute(stmt)]

    return remember(f"popular-tags:{limit}", [lists.ALL_TAGS], count)


def suggest_tags(text: str, limit: int = SUGGEST_LIMIT) -> list[str]:
    """Tags in use whose name contains `text` (normalised as tags are): those starting with it first, then
    the most used. Tags only drafts carry are not offered, so a suggestion never reveals a draft.
    """
    wanted = normalize_tag(text)
    if len(wanted) > MAX_TAG_LENGTH:
        return []
    if not wanted:
        return [name for name, _ in popular_tags(limit)]
    starts_with = case((Tag.name.startswith(wanted, autoescape=True), 0), else_=1)
    stmt = (
        _tag_uses()
        .where(Tag.name.contains(wanted, autoescape=True))
        .order_by(starts_with, _USES.desc(), thai_order(Tag.name))
        .limit(limit)
    )
    return [name for name, _ in db.session.execute(stmt)]


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


# Built once (app/pagination.py, paginate_cards): the tag is a bind parameter, "tag_id".
TAG_CARDS = card_query(Entry.id.in_(select(entry_tags.c.entry_id).where(entry_tags.c.tag_id == bindparam("tag_id"))))
