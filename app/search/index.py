"""The on-disk index: where it lives, opening it for reading and writing, and rebuilding it from the database.

Layout and the atomic swap: the configured SEARCH_INDEX_DIR is a symbolic link to a versioned sibling
directory (by default ``search_index/current`` -> ``current.v1712345678901234567``, with the versions and
a lock file beside the link inside ``search_index/``). A rebuild writes a complete index into a new sibling,
points a temporary link at it and renames the temporary link over the configured path. rename(2) replaces a
link atomically on Linux, so every reader sees either the old index or the new one, never a mixture.
Readers open the link's resolved directory, so a search already running keeps its files; the previous
version is kept until the next rebuild for that reason.

Writers lock the resolved directory's Whoosh WRITELOCK and then check that the link still points there; a
rebuild holds the old version's lock across the swap, so no change can be written into an index that is
about to be replaced (such changes stay pending in the outbox and are applied to the new index).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.reading import IndexReader, ReaderClosed
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for
from whoosh.writing import IndexWriter

from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, SearchTask, User
from app.search import backends
from app.search.analyzer import analyze
from app.search.backends import ReindexResult
from app.search.bulk import build_segments
from app.search.documents import entries_by_id, entry_document, load_context
from app.search.schema import SCHEMA_VERSION, build_schema

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_INFIX = ".v"
REINDEX_BATCH = 500
REINDEX_LOCK_TIMEOUT = 60.0
# Common terms (indexed also as pairs) are counted over this many entries, and at most this many are kept.
PAIR_SAMPLE = 2000
PAIR_MAX_TERMS = 1000
# Written into each index directory: the SCHEMA_VERSION its documents were made with.
SCHEMA_FILE = "SALA_SCHEMA_VERSION"
# What a read raises when a commit in another process replaced the index's files under it (finding 13.6).
INDEX_CHANGED_ERRORS = (OSError, EmptyIndexError, ReaderClosed)
# Tries at opening a searcher while writers keep committing, with this pause between them (seconds).
OPEN_ATTEMPTS = 20
OPEN_PAUSE = 0.01


def configured_path() -> Path:
    """SEARCH_INDEX_DIR of the current application."""
    return Path(current_app.config["SEARCH_INDEX_DIR"])


@contextmanager
def _layout_lock(path: Path) -> Iterator[None]:
    """Serialise creating and swapping index versions between processes and threads (a file beside the link)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.layout.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _version_re(path: Path) -> re.Pattern[str]:
    return re.compile(re.escape(path.name + VERSION_INFIX) + r"\d+(-legacy)?")


def _new_version_dir(path: Path, suffix: str = "") -> Path:
    version = path.with_name(f"{path.name}{VERSION_INFIX}{time.time_ns()}{suffix}")
    version.mkdir(parents=True)
    return version


def _point_link(path: Path, version: Path) -> Path | None:
    """Make `path` a link to `version` with one rename (a relative link, so the pair can be moved together).

    A plain directory at `path` (an index from before this layout, or made by hand) cannot be replaced by a
    rename; it is moved aside as a version first, and its new name returned. This happens once; afterwards
    the path is always a link.
    """
    temporary = path.with_name(f".{path.name}.link-{os.getpid()}-{time.time_ns()}")
    os.symlink(version.name, temporary)
    moved = None
    if path.is_dir() and not path.is_symlink():
        moved = path.with_name(f"{path.name}{VERSION_INFIX}{time.time_ns()}-legacy")
        path.rename(moved)
    os.replace(temporary, path)
    return moved


def _retried(read: Callable[[], T]) -> T:
    """`read()`, again after a pause when it found no file it had just seen listed.

    Whoosh finds an index's newest table of contents by listing the directory and then opens it; a commit in
    another process between the two deletes that file. Whoosh retries this for readers but not in open_dir()
    or exists_in().
    """
    attempt = 1
    while True:
        try:
            return read()
        except FileNotFoundError:
            if attempt == OPEN_ATTEMPTS:
                raise
        attempt += 1
        time.sleep(OPEN_PAUSE)


def _exists(path: Path) -> bool:
    return _retried(lambda: whoosh_index.exists_in(str(path)))


def open_dir(directory: Path) -> FileIndex:
    """The index in `directory` (whoosh.index.open_dir, safe against a concurrent commit)."""
    return _retried(lambda: whoosh_index.open_dir(str(directory)))


def current_dir(path: Path | None = None) -> Path:
    """The directory holding the live index, created (empty) when there is none yet."""
    path = path or configured_path()
    if _exists(path):
        return path.resolve()
    with _layout_lock(path):
        if _exists(path):
            return path.resolve()
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
        elif path.is_symlink() or path.exists():
            logger.warning("no readable search index at %s; starting an empty one", path)
        version = _new_version_dir(path)
        _create(version)
        _point_link(path, version)
        return version


def _create(version: Path, paired: frozenset[str] = frozenset()) -> FileIndex:
    ix = whoosh_index.create_in(str(version), build_schema(paired))
    (version / SCHEMA_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return ix


def is_current(directory: Path) -> bool:
    """Whether the index in `directory` was written with this code's schema and analyzer."""
    try:
        return (directory / SCHEMA_FILE).read_text().strip() == str(SCHEMA_VERSION)
    except OSError:
        return False


def live_dir(path: Path | None = None) -> Path:
    """The live index directory, rebuilt from the database first when an older release wrote it.

    An index of another schema version cannot answer this code's queries, and documents written into it would
    fail; rebuilding is the only way to a correct index, and it keeps the old one readable until the swap.
    """
    path = path or configured_path()
    directory = current_dir(path)
    if not is_current(directory):
        logger.warning("search index at %s has an outdated schema; rebuilding it from the database", directory)
        reindex(path)
        directory = current_dir(path)
    return directory


def open_index(path: Path | None = None) -> FileIndex:
    """The live index for reading (its resolved directory, which a rebuild never changes under a reader)."""
    return open_dir(live_dir(path))


def _open_files(reader: IndexReader) -> None:
    """Read one value of every column of every segment, which makes Whoosh open (and keep open) its file."""
    for leaf, _offset in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        leaf.stored_fields(0)
        for name, field in leaf.schema.items():
            if field.scorable:
                leaf.doc_field_length(0, name)
            if field.column_type and leaf.has_column(name):
                leaf.column_reader(name)


def open_searcher(directory: Path, load: Callable[[Searcher], object] | None = None) -> Searcher:
    """A searcher on the index in `directory` holding open every file it will ever read.

    Whoosh opens a segment's column files (stored fields, field lengths, sort keys) on first read, and a commit
    in another process deletes the files of the segments it merged away. A searcher opened just before such a
    commit then failed on its first read: FileNotFoundError, or a TypeError from stored_fields, as Whoosh takes
    a vanished stored-fields file for an absent column (and a vanished length column silently for lengths of
    0). So every file is opened here, and the searcher is handed out only when no commit came meanwhile
    (`up_to_date()`: a commit writes its new table of contents before deleting anything). An open file stays
    readable after it is deleted, so such a searcher keeps working whatever writers do later. `load` reads,
    in the same window, whatever the caller keeps beside the searcher (Whoosh looks a sort column's file up on
    disk at every read, so those values are read here once).
    """
    attempt = 0
    while True:
        attempt += 1
        last = attempt == OPEN_ATTEMPTS
        searcher = open_dir(directory).searcher()  # Whoosh retries a reader whose segment file vanished
        try:
            _open_files(searcher.reader())
            if load is not None:
                load(searcher)
            if last or searcher.up_to_date():
                return searcher
        except (*INDEX_CHANGED_ERRORS, TypeError):
            if last or searcher.up_to_date():
                searcher.close()
                raise  # the index did not change: a real fault
        searcher.close()
        time.sleep(OPEN_PAUSE)


def open_writer(path: Path | None = None, timeout: float = 0.5, **kwargs) -> IndexWriter | None:
    """A writer on the live index, or None when another writer holds the lock for `timeout` seconds."""
    path = path or configured_path()
    # Plain segment files: Whoosh reads a file inside a compound segment by copying it into memory, which at
    # 100,000 entries made opening a writer or a searcher take most of a second (bench/README.md).
    kwargs.setdefault("compound", False)
    deadline = time.monotonic() + timeout
    while True:
        directory = live_dir(path)
        ix = open_dir(directory)
        try:
            writer = ix.writer(timeout=max(deadline - time.monotonic(), 0.0), delay=0.05, **kwargs)
        except LockError:
            return None
        if path.resolve() == directory:
            return writer
        writer.cancel()  # a rebuild swapped the index while we waited: write into the new one


def readable_document_count(path: Path | None = None) -> int:
    """Documents in the live index, opened as a search opens it (for health checks): never rebuilt here.

    An empty index is started when there is none, as the first search would. Raises ValueError when an older
    release wrote the index (the next search or write rebuilds it), and OSError or a Whoosh error when the
    index cannot be read.
    """
    directory = current_dir(path)
    if not is_current(directory):
        raise ValueError(f"the search index at {directory} is not of schema version {SCHEMA_VERSION}")
    with open_searcher(directory) as searcher:
        searcher.document_number(entry_id="0")  # a term looked up in every segment, as a search does
        return searcher.doc_count()


def document_count(path: Path | None = None) -> int:
    """How many documents the configured backend can search."""
    return backends.current().document_count(path)


def indexable_entries_query():
    """Ids of the entries that belong in the index (the documents decide the finer points)."""
    return (
        select(Entry.id)
        .join(User, User.id == Entry.author_id)
        .where(Entry.status == STATUS_PUBLISHED, Entry.published_at.is_not(None), User.is_suspended.is_(False))
        .order_by(Entry.id)
    )


def write_entries(writer: IndexWriter, session: Session, entry_ids: list[int], *, new_index: bool = False) -> int:
    """Index (or drop) each entry in batches; returns the number of documents written."""
    written = 0
    for start in range(0, len(entry_ids), REINDEX_BATCH):
        batch = entry_ids[start : start + REINDEX_BATCH]
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


def entry_documents(session: Session, entry_ids: list[int]) -> Iterator[dict]:
    """The index documents of these entries (those that belong in the index), read in batches."""
    for start in range(0, len(entry_ids), REINDEX_BATCH):
        entries = entries_by_id(session, entry_ids[start : start + REINDEX_BATCH])
        context = load_context(session, entries)
        for entry in entries:
            document = entry_document(entry, context)
            if document is not None:
                yield document
        session.expunge_all()
        session.rollback()  # end the read transaction between batches


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


def _build(version: Path, session: Session) -> int:
    entry_ids = list(session.scalars(indexable_entries_query()))
    session.rollback()
    ix = _create(version, common_terms(session, entry_ids))
    count = build_segments(ix, session, entry_ids, int(current_app.config["SEARCH_REINDEX_PROCS"]))
    if ix.doc_count() != count:
        raise RuntimeError(f"the rebuilt index holds {ix.doc_count()} documents, not {count}")
    return count


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    return True


def _remove_stale_links(path: Path) -> None:
    """Delete temporary links of `_point_link` whose process died before its rename (a crash, SIGKILL)."""
    pattern = re.compile(re.escape(f".{path.name}.link-") + r"(\d+)-\d+")
    for candidate in path.parent.iterdir():
        match = pattern.fullmatch(candidate.name)
        pid = int(match.group(1)) if match else None
        if pid and pid != os.getpid() and candidate.is_symlink() and not _process_alive(pid):
            candidate.unlink(missing_ok=True)


def _remove_old_versions(path: Path, keep: set[Path]) -> None:
    """Delete versions older than the previous one (which a search may still be reading), and versions a
    rebuild that was killed left half-written.

    A directory moved aside from the configured path is deleted only if it held an index: anything else in
    it was put there by hand.
    """
    keep = {p.resolve() for p in keep}
    pattern = _version_re(path)
    for version in path.parent.iterdir():
        match = pattern.fullmatch(version.name)
        if not match or not version.is_dir() or version.resolve() in keep:
            continue
        if match.group(1) and not whoosh_index.exists_in(str(version)):
            continue
        shutil.rmtree(version, ignore_errors=True)


def reindex(path: Path | None = None) -> ReindexResult:
    """Rebuild every search document of the configured backend from the database."""
    from app.page_cache.invalidation import index_changed

    result = backends.current().reindex(path)
    index_changed()
    return result


def reindex_whoosh(path: Path | None = None) -> ReindexResult:
    """Rebuild the whole Whoosh index from the database into a new directory and swap it in atomically.

    Outbox tasks pending when the rebuild starts are covered by it and deleted; tasks written during the
    rebuild are applied to the new index straight after the swap.
    """
    from app.search.sync import drain

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
            version = _new_version_dir(path)
            try:
                count = _build(version, session)
            except BaseException:
                shutil.rmtree(version, ignore_errors=True)
                raise
        with _layout_lock(path):
            old = _point_link(path, version) or old
    finally:
        old_lock.release()
    with db.engine.begin() as connection:
        for start in range(0, len(covered), REINDEX_BATCH):
            connection.execute(delete(SearchTask).where(SearchTask.id.in_(covered[start : start + REINDEX_BATCH])))
    drain(path)
    _remove_old_versions(path, keep={version, old})
    _remove_stale_links(path)
    return ReindexResult(count, time.monotonic() - started, version)
