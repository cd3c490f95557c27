"""Entry cards: what a list page shows of each published entry (title, author, blog, date, comment count, tags),
read as plain rows rather than ORM objects.

Loading ten entries with their authors, blogs and tags through the ORM cost a third of a list page rendered in
full (building objects, identity map, the tags' select-in load); two prebuilt statements of plain columns cost a
fraction of that. A card has the attributes `templates/_macros/entries.html` reads, under the same names as an
`Entry`. The page cache records every row an ORM load reads; rows read here are declared with `shows` instead,
so a kept list is retired by the same changes (a title, a display name, a blog's title, a tag).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Row, Select, bindparam, select

from app.changes.lists import row
from app.database import plain_rows, thai_order
from app.models import STATUS_PUBLISHED, Blog, Entry, Tag, User
from app.models.entry import entry_tags
from app.page_cache import tags as shown


@dataclass(frozen=True, slots=True)
class CardAuthor:
    username: str
    display_name: str


@dataclass(frozen=True, slots=True)
class CardBlog:
    slug: str
    title: str


@dataclass(frozen=True, slots=True)
class CardTag:
    name: str


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    number: int
    title: str
    published_at: datetime
    comment_count: int
    author_id: int
    blog_id: int
    author: CardAuthor
    blog: CardBlog
    tags: list[CardTag]
    body_text: str | None = None  # read only for search results' snippets


def card_query(*conditions: ColumnElement[bool], with_body: bool = False) -> Select:
    """Published entries (author not suspended) meeting `conditions`, newest first, as card rows; the same
    entries, in the same order, as `published_entries_query().where(*conditions)`."""
    body = (Entry.body_text,) if with_body else ()
    return (
        select(
            Entry.id,
            Entry.number,
            Entry.title,
            Entry.published_at,
            Entry.comment_count,
            Entry.author_id,
            Entry.blog_id,
            User.username,
            User.display_name,
            Blog.slug,
            Blog.title,
            *body,
        )
        .join(User, User.id == Entry.author_id)
        .join(Blog, Blog.id == Entry.blog_id)
        .where(Entry.status == STATUS_PUBLISHED, User.is_suspended.is_(False), *conditions)
        .order_by(Entry.published_at.desc(), Entry.id.desc())
    )


# Built once: building it cost as much as running it.
_TAGS_OF_ENTRIES = (
    select(entry_tags.c.entry_id, Tag.id, Tag.name)
    .join(Tag, Tag.id == entry_tags.c.tag_id)
    .where(entry_tags.c.entry_id.in_(bindparam("ids", expanding=True)))
    .order_by(thai_order(Tag.name))
)


def tags_of(entry_ids: list[int]) -> dict[int, list[CardTag]]:
    """The tags of each of `entry_ids`, in Thai order, as an `Entry`'s `tags` lists them."""
    found: dict[int, list[CardTag]] = {entry_id: [] for entry_id in entry_ids}
    if entry_ids:
        rows = plain_rows(_TAGS_OF_ENTRIES, {"ids": entry_ids})
        for entry_id, _tag_id, name in rows:
            found[entry_id].append(CardTag(name))
        shown.shows(*{row("tags", tag_id) for _entry_id, tag_id, _name in rows})
    return found


def cards_from_rows(rows: Sequence[Row]) -> list[Card]:
    """Cards for rows of `card_query`, with their tags (one more query), in the rows' order."""
    tags = tags_of([r[0] for r in rows])
    shown.shows(*(tag for r in rows for tag in (row("entries", r[0]), row("users", r[5]), row("blogs", r[6]))))
    return [Card(*r[:7], CardAuthor(r[7], r[8]), CardBlog(r[9], r[10]), tags[r[0]], *r[11:]) for r in rows]


# Built once; "ids" is an expanding bind parameter. Unordered: ordered by date, SQLite's plan walked the date
# index through every entry instead of looking the ids up.
_CARDS_BY_ID = card_query(Entry.id.in_(bindparam("ids", expanding=True)), with_body=True).order_by(None)


def cards_by_id(entry_ids: list[int]) -> dict[int, Card]:
    """The cards (with bodies) of those of `entry_ids` that readers see now, by id."""
    if not entry_ids:
        return {}
    rows = plain_rows(_CARDS_BY_ID, {"ids": entry_ids})
    return {card.id: card for card in cards_from_rows(rows)}
