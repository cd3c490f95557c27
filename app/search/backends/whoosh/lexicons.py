"""The Thai lexicon of each index segment (app/search/substring.py), kept in a file beside the index.

Reading a segment's terms through Whoosh's lexicon takes about half a second per 30,000 Thai terms, and every
new process paid it on its first search: gunicorn replaces each worker after `max_requests`, and that worker's
first search took 0.6–1.9 s. Segments never change, so the writer saves each new segment's Thai terms, sorted,
as `thai-lexicons/<segment id>.txt` in the index's version directory; a process reads that in milliseconds.
A process that finds no file (an index written before this, a reader racing the writer) reads Whoosh's lexicon
and saves the file itself. Files of segments that are gone are removed when the writer saves.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from whoosh.index import FileIndex
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from app.search import substring
from app.search.schema import TEXT_FIELD as FIELD

FOLDER = "thai-lexicons"
SUFFIX = ".txt"

logger = logging.getLogger(__name__)
_memo: dict[str, substring.Lexicon] = {}
_lock = threading.Lock()


def _path(directory: Path, segment_id: str) -> Path:
    return directory / FOLDER / f"{segment_id}{SUFFIX}"


def _read(path: Path) -> substring.Lexicon | None:
    try:
        return substring.Lexicon.from_sorted(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def _save(path: Path, lexicon: substring.Lexicon) -> None:
    """Write the file whole or not at all (a reader never sees half of it); an index folder this process may not
    write to only costs the next process the slow read."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_text(lexicon.text(), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        logger.warning("could not save the Thai lexicon %s", path, exc_info=True)
        temporary.unlink(missing_ok=True)


def _from_index(reader: IndexReader) -> substring.Lexicon:
    return substring.Lexicon(term.decode() for term in reader.lexicon(FIELD))


def _lexicon(directory: Path, reader: IndexReader, save: bool) -> substring.Lexicon:
    segment = reader.segment()
    key = segment.segment_id() if segment is not None else None
    if key is None:
        return _from_index(reader)
    lexicon = _memo.get(key)
    if lexicon is not None:
        return lexicon
    lexicon = _read(_path(directory, key))
    if lexicon is None:
        lexicon = _from_index(reader)
        if save:
            _save(_path(directory, key), lexicon)
    with _lock:
        _memo[key] = lexicon
    return lexicon


def _forget_all_but(live: set[str]) -> None:
    if len(_memo) > 4 * len(live) + 16:
        with _lock:
            for key in [key for key in _memo if key not in live]:
                del _memo[key]


def segment_lexicons(directory: Path, searcher: Searcher) -> substring.Lexicons:
    """The Thai lexicon of the searcher's index (in `directory`), one Lexicon per segment."""
    readers = [leaf.reader() for leaf, _offset in searcher.leaf_searchers()]
    parts = [_lexicon(directory, reader, save=True) for reader in readers]
    _forget_all_but({segment.segment_id() for reader in readers if (segment := reader.segment()) is not None})
    return substring.Lexicons(parts)


def save_segment_lexicons(directory: Path, ix: FileIndex) -> None:
    """After a commit: save the lexicon of every segment that has no file yet, and remove the files of segments
    the index no longer holds."""
    with ix.reader() as reader:
        leaves = [leaf for leaf, _offset in reader.leaf_readers()]
        live = {leaf.segment().segment_id() for leaf in leaves if leaf.segment() is not None}
        for leaf in leaves:
            segment = leaf.segment()
            if segment is not None and not _path(directory, segment.segment_id()).exists():
                _save(_path(directory, segment.segment_id()), _lexicon(directory, leaf, save=False))
    folder = directory / FOLDER
    if folder.is_dir():
        for path in folder.glob(f"*{SUFFIX}"):
            if path.stem not in live:
                path.unlink(missing_ok=True)
