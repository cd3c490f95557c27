"""Related entries: ranked by the search backend in a background task, stored, and read by the entry page.

When the search index has taken changes to some entries (app/search/outbox.py notes them while
app/search/sync.py drains the outbox), a task refreshes the related lists of those entries, of the entries
that list one of them (so an unpublished or changed entry leaves others' lists) and of the few entries each
now ranks highest ("more like this" is nearly symmetric, so a new entry also joins the lists of the entries
most like it; an entry further away joins others' lists when they are next refreshed).

Ranking reads the whole index, so it is done once per change rather than once per page view, and a change to
one entry retires only the entry pages whose stored list changed (the list tag `entry_related`) or that show
the changed entry itself (its row tag). The page filters the stored list as it reads it, so an entry that
has since been unpublished, or whose author was suspended, never shows even before the next refresh.

An entry whose list was never computed (published before lists were stored) shows none and has its list
computed in the background the first time its page is rendered; the stored list then retires that page.
Computing it during the render instead would make that first view pay the ranking the task exists to avoid.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from app import tasks
from app.changes.lists import row
from app.database import plain_rows
from app.entries.cards import CardAuthor
from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, RelatedEntry, RelatedList, User
from app.models.types import utcnow
from app.page_cache import tags as shown
from app.search import backends

logger = logging.getLogger(__name__)

# Ranked entries kept per entry; the page shows the first SHOWN that readers may see, so one
# unpublished or deleted since the last refresh leaves no gap.
STORED = 10
SHOWN = 5


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """What the entry page's list prints of a related entry."""

    id: int
    number: int
    title: str
    published_at: datetime
    author: CardAuthor


# Built once (the entry is the bind parameter "entry_id"); plain rows of what the list prints: building entries and
# authors as ORM objects cost more than the query.
_RELATED_ROWS = (
    select(Entry.id, Entry.number, Entry.title, Entry.published_at, Entry.author_id, User.username, User.display_name)
    .join(RelatedEntry, RelatedEntry.related_id == Entry.id)
    .join(User, User.id == Entry.author_id)
    .where(RelatedEntry.entry_id == bindparam("entry_id"), Entry.status == STATUS_PUBLISHED)
    .where(User.is_suspended.is_(False))
    .order_by(RelatedEntry.rank)
    .limit(bindparam("limit"))
)


def related_to(entry: Entry, limit: int = SHOWN) -> list[RelatedItem]:
    """The stored related entries of `entry` that readers may see now, best first; none for a draft."""
    if not entry.is_published:
        return []
    rows = plain_rows(_RELATED_ROWS, {"entry_id": entry.id, "limit": limit})
    if not rows and db.session.get(RelatedList, entry.id) is None:
        refresh_later([entry.id])
    shown.shows(*(tag for r in rows for tag in (row("entries", r[0]), row("users", r[4]))))
    return [RelatedItem(r[0], r[1], r[2], r[3], CardAuthor(r[5], r[6])) for r in rows]


def stored_ids(entry_id: int) -> list[int] | None:
    """The stored ranking of the entry's related entries, or None when it was never computed."""
    if db.session.get(RelatedList, entry_id) is None:
        return None
    return [row.related_id for row in _rows(entry_id)]


def _rows(entry_id: int) -> list[RelatedEntry]:
    return list(
        db.session.scalars(select(RelatedEntry).where(RelatedEntry.entry_id == entry_id).order_by(RelatedEntry.rank))
    )


def fingerprint(entry: Entry) -> str:
    """A digest of what ranking reads from the entry itself: its words and tags, and whether readers see it."""
    shown = entry.is_published and not entry.author.is_suspended
    parts = [entry.title, entry.body_html, *sorted(tag.name for tag in entry.tags), str(shown)]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _store(entry: Entry, ranked: list[int]) -> bool:
    """Replace the entry's stored ranking with `ranked`; False (and nothing written) when it is unchanged.

    Rows are changed rank by rank through the ORM, so the change feed and the page cache see each of them.
    """
    listed = db.session.get(RelatedList, entry.id)
    rows = _rows(entry.id)
    source = fingerprint(entry)
    if listed is not None and listed.source == source and [row.related_id for row in rows] == ranked:
        return False
    if listed is None:
        db.session.add(RelatedList(entry_id=entry.id, source=source))
    else:
        listed.source = source
        listed.updated_at = utcnow()
    by_rank = {row.rank: row for row in rows}  # ranks may have gaps: a listed entry deleted took its row along
    for rank, related_id in enumerate(ranked):
        row = by_rank.pop(rank, None)
        if row is None:
            db.session.add(RelatedEntry(entry_id=entry.id, rank=rank, related_id=related_id))
        else:
            row.related_id = related_id
    for row in by_rank.values():
        db.session.delete(row)
    return True


def _entries(entry_ids: Iterable[int]) -> list[Entry]:
    ids = sorted(set(entry_ids))
    return list(db.session.scalars(select(Entry).where(Entry.id.in_(ids)))) if ids else []


def refresh(entry_ids: Iterable[int]) -> list[int]:
    """Rank and store the related entries of each entry (none for a draft); the ids whose list changed.

    Adds and flushes; the caller commits. A deleted entry's rows went with it (ON DELETE CASCADE).
    """
    backend = backends.current()
    changed = []
    for entry in _entries(entry_ids):
        ranked = backend.related_ids(entry, STORED) if entry.is_published else []
        if _store(entry, ranked):
            changed.append(entry.id)
    db.session.flush()
    return changed


def _source(entry_id: int) -> str | None:
    listed = db.session.get(RelatedList, entry_id)
    return None if listed is None else listed.source


def listing(entry_ids: Iterable[int]) -> set[int]:
    """The entries whose stored list holds one of `entry_ids`."""
    ids = list(entry_ids)
    stmt = select(RelatedEntry.entry_id).where(RelatedEntry.related_id.in_(ids)).distinct()
    return set(db.session.scalars(stmt)) if ids else set()


def refresh_with_neighbours(entry_ids: Iterable[int]) -> list[int]:
    """For the entries whose own words, tags or visibility changed (their `fingerprint`): refresh them, the
    entries that list them, and the SHOWN entries each now ranks highest (the likeliest to rank it in turn).
    Returns the ids whose list changed."""
    ids = {entry.id for entry in _entries(entry_ids) if _source(entry.id) != fingerprint(entry)}
    done = ids | listing(ids)
    changed = refresh(done)
    stmt = select(RelatedEntry.related_id).where(RelatedEntry.entry_id.in_(ids), RelatedEntry.rank < SHOWN)
    return changed + refresh(set(db.session.scalars(stmt)) - done)


@tasks.task
def refresh_indexed(entry_ids: list[int]) -> None:
    """Task: the search index took changes to these entries."""
    refresh_with_neighbours(entry_ids)


@tasks.task
def rank_unlisted(entry_ids: list[int]) -> None:
    """Task: rank and store the related entries of those of these entries that have none stored yet (an entry
    page asks for its own each time it is rendered without one, so most of these tasks find nothing to do)."""
    listed = set(db.session.scalars(select(RelatedList.entry_id).where(RelatedList.entry_id.in_(entry_ids))))
    refresh(set(entry_ids) - listed)


def refresh_later(entry_ids: list[int]) -> None:
    """Queue the ranking of these entries' related entries if they have none stored when the worker runs it."""
    _enqueue(rank_unlisted, entry_ids)


def _enqueue(fn, entry_ids: list[int]) -> None:
    """Queue a refresh; a queue that cannot be reached is logged, never raised into a request or a drain."""
    try:
        tasks.enqueue(fn, entry_ids)
    except Exception:  # noqa: BLE001 - related lists catch up at the next change or `flask related refresh`
        logger.exception("could not queue a refresh of related entries %s", entry_ids[:20])


def refresh_taken(entry_ids: set[int]) -> None:
    """Queue one refresh for the entries the search index took in a drain (app.search.outbox notes them).

    Queued even when the drain failed part-way: a refresh repeats no harm, and the entries of a batch left
    pending are noted again when it is applied.
    """
    if entry_ids:
        _enqueue(refresh_indexed, sorted(entry_ids))
