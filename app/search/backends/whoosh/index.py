"""The on-disk index: where it lives, its versions, opening it for reading and writing, and its schema version.

Layout and the atomic swap: the configured SEARCH_INDEX_DIR is a symbolic link to a versioned sibling
directory (by default ``search_index/current`` -> ``current.v1712345678901234567``, with the versions and
a lock file beside the link inside ``search_index/``). A rebuild writes a complete index into a new sibling,
points a temporary link at it and renames the temporary link over the configured path. rename(2) replaces a
link atomically on Linux, so every reader sees either the old index or the new one, never a mixture.
Readers open the link's resolved directory, so a search already running keeps its files; the previous
version is kept until the next rebuild for that reason. Rebuilding itself is in writing.py.

An index written by an older release (another SCHEMA_VERSION) is never rebuilt here: searches keep reading it
as well as they can, writers leave their changes in the outbox, and `flask search reindex` replaces it.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.index import EmptyIndexError, FileIndex, LockError
from whoosh.reading import IndexReader, ReaderClosed
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from app.search.backends import OUTDATED_REASON, IndexOutdated
from app.search.schema import SCHEMA_VERSION, build_schema

logger = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_INFIX = ".v"
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
def layout_lock(path: Path) -> Iterator[None]:
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


def new_version_dir(path: Path, suffix: str = "") -> Path:
    version = path.with_name(f"{path.name}{VERSION_INFIX}{time.time_ns()}{suffix}")
    version.mkdir(parents=True)
    return version


def point_link(path: Path, version: Path) -> Path | None:
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


def exists(path: Path) -> bool:
    return _retried(lambda: whoosh_index.exists_in(str(path)))


def open_dir(directory: Path) -> FileIndex:
    """The index in `directory` (whoosh.index.open_dir, safe against a concurrent commit)."""
    return _retried(lambda: whoosh_index.open_dir(str(directory)))


def current_dir(path: Path | None = None) -> Path:
    """The directory holding the live index, created (empty) when there is none yet."""
    path = path or configured_path()
    if exists(path):
        return path.resolve()
    with layout_lock(path):
        if exists(path):
            return path.resolve()
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
        elif path.is_symlink() or path.exists():
            logger.warning("no readable search index at %s; starting an empty one", path)
        version = new_version_dir(path)
        create_index(version)
        point_link(path, version)
        return version


def create_index(version: Path, paired: frozenset[str] = frozenset()) -> FileIndex:
    ix = whoosh_index.create_in(str(version), build_schema(paired))
    (version / SCHEMA_FILE).write_text(f"{SCHEMA_VERSION}\n")
    return ix


def is_current(directory: Path) -> bool:
    """Whether the index in `directory` was written with this code's schema and analyzer."""
    try:
        return (directory / SCHEMA_FILE).read_text().strip() == str(SCHEMA_VERSION)
    except OSError:
        return False


def open_index(path: Path | None = None) -> FileIndex:
    """The live index for reading (its resolved directory, which a rebuild never changes under a reader)."""
    return open_dir(current_dir(path))


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
    """A writer on the live index, or None when another writer holds the lock for `timeout` seconds or an older
    release wrote the index (this release's documents would not fit it: they wait in the outbox for
    `flask search reindex`)."""
    path = path or configured_path()
    # Plain segment files: Whoosh reads a file inside a compound segment by copying it into memory, which at
    # 100,000 entries made opening a writer or a searcher take most of a second (bench/README.md).
    kwargs.setdefault("compound", False)
    deadline = time.monotonic() + timeout
    while True:
        directory = current_dir(path)
        if not is_current(directory):
            logger.warning("search index at %s: %s; changes wait in the outbox", directory, OUTDATED_REASON)
            return None
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

    An empty index is started when there is none, as the first search would. Raises IndexOutdated when an
    older release wrote the index (with the count when it has this release's fields, so searches still run on
    it), and OSError or a Whoosh error when the index cannot be read.
    """
    directory = current_dir(path)
    if is_current(directory):
        return _probe(directory)
    try:
        documents = _probe(directory, require_fields=True)
    except Exception:  # noqa: BLE001 - an older release's index that cannot answer is reported as outdated
        documents = None
    raise IndexOutdated(documents)


def _probe(directory: Path, require_fields: bool = False) -> int:
    with open_searcher(directory) as searcher:
        if require_fields:
            _check_fields(searcher.schema)
        searcher.document_number(entry_id="0")  # a term looked up in every segment, as a search does
        return searcher.doc_count()


def _check_fields(schema: Schema) -> None:
    """Raise KeyError unless `schema` has every field of this release's, of the same kind (queries name them)."""
    for name, field in build_schema().items():
        if type(schema[name]) is not type(field):
            raise KeyError(f"the index's field {name!r} is a {type(schema[name]).__name__}")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by another user
    return True


def remove_stale_links(path: Path) -> None:
    """Delete temporary links of `point_link` whose process died before its rename (a crash, SIGKILL)."""
    pattern = re.compile(re.escape(f".{path.name}.link-") + r"(\d+)-\d+")
    for candidate in path.parent.iterdir():
        match = pattern.fullmatch(candidate.name)
        pid = int(match.group(1)) if match else None
        if pid and pid != os.getpid() and candidate.is_symlink() and not _process_alive(pid):
            candidate.unlink(missing_ok=True)


def remove_old_versions(path: Path, keep: set[Path]) -> None:
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
