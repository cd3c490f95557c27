"""Writing the Whoosh index: applying the outbox to the live index, and rebuilding it from the database.

A rebuild writes a complete index of this release's schema into a new version directory (bulk.py) while the
old one serves, then swaps the link (index.py); the caller applies the outbox afterwards (app.search.index).
"""

from __future__ import annotations

import math
import shutil
import time
from collections import Counter
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.util.filelock import try_for
from whoosh.writing import IndexWriter

from app.extensions import db
from app.models import SearchTask
from app.search.analyzer import analyze
from app.search.backends import ReindexResult
from app.search.backends.whoosh.bulk import build_segments
from app.search.backends.whoosh.index import (
    configured_path,
    create_index,
    current_dir,
    layout_lock,
    new_version_dir,
    open_dir,
    open_writer,
    point_link,
    remove_old_versions,
    remove_stale_links,
)
from app.search.backends.whoosh.lexicons import save_segment_lexicons
from app.search.documents import (
    DOCUMENT_BATCH,
    entries_by_id,
    entry_document,
    entry_documents,
    indexable_entries_query,
    load_context,
)
from app.search.outbox import expand_tasks, read_tasks

REINDEX_LOCK_TIMEOUT = 60.0
# Common terms (indexed also as pairs) are counted over this many entries, and at most this many are kept.
PAIR_SAMPLE = 2000
PAIR_MAX_TERMS = 1000


def write_entries(writer: IndexWriter, session: Session, entry_ids: list[int], *, new_index: bool = False) -> int:
    """Index (or drop) each entry in batches; returns the number of documents written."""
    written = 0
    for start in range(0, len(entry_ids), DOCUMENT_BATCH):
        batch = entry_ids[start : start + DOCUMENT_BATCH]
        entries = entries_by_id(session, batch)
        context = load_context(session, entries)
        found = set()
        for entry in entries:
            found.add(entry.id)
            document = entry_document(entry, context)
            if document is None:
                if not new_index:
                    writer.delete_by_term("entry_id", str(entry.id))
            elif new_index:
                writer.add_document(**document)
                written += 1
            else:
                writer.update_document(**document)
                written += 1
        if not new_index:
            for missing in set(batch) - found:
                writer.delete_by_term("entry_id", str(missing))
        session.expunge_all()
        session.rollback()  # end the read transaction between batches
    return written


# Segments merge by tiers: MERGE_TIER segments of about the same size (the same power of MERGE_TIER documents)
# become one of the next tier, so a document is copied once per tier. Whoosh's default policy (MERGE_SMALL)
# merged the newest segments on almost every commit, copying the last merged segment's postings again each time.
MERGE_TIER = 6


def merge_by_tiers(writer: IndexWriter, segments: list) -> list:
    """A merge policy for `IndexWriter.commit(mergetype=...)`: merges the smallest full tier, if any."""
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(int(math.log(max(segment.doc_count_all(), 1), MERGE_TIER)), []).append(segment)
    full = next((tier for _, tier in sorted(tiers.items()) if len(tier) >= MERGE_TIER), [])
    for segment in full:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
    return [segment for segment in segments if segment not in full]


def apply_batch(path: Path, engine: Engine, timeout: float) -> int | None:
    """Apply up to a batch of pending tasks under the index lock; None when the lock was busy or an older
    release wrote the index."""
    writer = open_writer(path, timeout)
    if writer is None:
        return None
    session = Session(engine)
    try:
        tasks = read_tasks(session)
        if not tasks:
            writer.cancel()
            return 0
        entry_ids, blog_ids, user_ids = expand_tasks(session, tasks)
        for blog_id in blog_ids:
            writer.delete_by_term("blog_id", str(blog_id))
        for user_id in user_ids:
            writer.delete_by_term("author_id", str(user_id))
        write_entries(writer, session, entry_ids)
    except BaseException:
        writer.cancel()
        # A result left half-read would keep an old snapshot on a pooled connection: drop the connection.
        session.invalidate()
        raise
    finally:
        session.close()
    writer.commit(mergetype=merge_by_tiers)
    directory = Path(writer.storage.folder)
    save_segment_lexicons(directory, open_dir(directory))
    with engine.begin() as connection:
        connection.execute(delete(SearchTask).where(SearchTask.id.in_([task_id for task_id, _, _ in tasks])))
    return len(tasks)


def common_terms(session: Session, entry_ids: list[int]) -> frozenset[str]:
    """The terms found in at least SEARCH_PAIR_MIN_SHARE of the entries (and SEARCH_PAIR_MIN_DOCS of them),
    counted over an even sample of at most PAIR_SAMPLE entries: the ones worth indexing as pairs.

    A few hundred terms at most on real text; a small site has none, and its phrases are simply checked by
    their positions, which costs little when there are few documents.
    """
    config = current_app.config
    step = max(1, len(entry_ids) // PAIR_SAMPLE)
    sample = entry_ids[::step][:PAIR_SAMPLE]
    document_frequency: Counter[str] = Counter()
    for document in entry_documents(session, sample):
        document_frequency.update(set(analyze(document["text"])))
    threshold = max(int(config["SEARCH_PAIR_MIN_DOCS"]), float(config["SEARCH_PAIR_MIN_SHARE"]) * len(sample))
    common = [term for term, count in document_frequency.most_common(PAIR_MAX_TERMS) if count >= threshold]
    return frozenset(common)


def build(version: Path, session: Session) -> int:
    entry_ids = list(session.scalars(indexable_entries_query()))
    session.rollback()
    ix = create_index(version, common_terms(session, entry_ids))
    count = build_segments(ix, session, entry_ids, int(current_app.config["SEARCH_REINDEX_PROCS"]))
    save_segment_lexicons(version, ix)
    if ix.doc_count() != count:
        raise RuntimeError(f"the rebuilt index holds {ix.doc_count()} documents, not {count}")
    return count


def reindex(path: Path | None = None) -> ReindexResult:
    """Rebuild the whole Whoosh index from the database into a new directory and swap it in atomically.

    The old index serves searches until the swap, whatever schema it has. Outbox tasks pending when the
    rebuild starts are covered by it and deleted; tasks written during the rebuild stay pending for the caller
    to apply to the new index (app.search.index.reindex).
    """
    started = time.monotonic()
    path = path or configured_path()
    old = current_dir(path)
    old_lock = open_dir(old).lock("WRITELOCK")
    if not try_for(old_lock.acquire, timeout=REINDEX_LOCK_TIMEOUT, delay=0.1):
        raise LockError(f"the search index at {path} stayed locked for {REINDEX_LOCK_TIMEOUT:.0f} s")
    try:
        with Session(db.engine) as session:
            covered = list(session.scalars(select(SearchTask.id)))
            session.rollback()
            version = new_version_dir(path)
            try:
                count = build(version, session)
            except BaseException:
                shutil.rmtree(version, ignore_errors=True)
                raise
        with layout_lock(path):
            old = point_link(path, version) or old
    finally:
        old_lock.release()
    with db.engine.begin() as connection:
        for start in range(0, len(covered), DOCUMENT_BATCH):
            connection.execute(delete(SearchTask).where(SearchTask.id.in_(covered[start : start + DOCUMENT_BATCH])))
    remove_old_versions(path, keep={version, old})
    remove_stale_links(path)
    return ReindexResult(count, time.monotonic() - started, version)
