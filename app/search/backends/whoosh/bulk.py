"""Writing a new index's segments in bulk, for a rebuild.

Whoosh's own writer sends every posting through an external-sort pool (pickled tuples in temporary runs,
merged at commit) and then into its postings writer one posting at a time, looking the document's field
length up per posting; in a rebuild that is most of the CPU time (bench/README.md). A rebuild knows more:
documents arrive in order and a segment is written once. So `BulkSegmentWriter` gathers each term's postings
in memory, per field, in document order, and at the end writes the terms in sorted order, handing Whoosh's
postings writer whole blocks. The block encoding, the term table, the per-document files (stored fields,
lengths, columns) and the table of contents are still Whoosh's own code: the files are the same as those
its writer makes from the same documents (tests/search/test_bulk.py compares them posting by posting).

`build_segments` runs writers in worker processes, each reading its share of the entries from the database
itself and writing segments of at most SEARCH_REINDEX_SEGMENT_DOCS documents; the parent commits them
together as one generation of the index.
"""

from __future__ import annotations

import pickle
from array import array
from collections import defaultdict
from collections.abc import Iterable
from operator import itemgetter

from flask import current_app
from sqlalchemy.orm import Session
from whoosh.formats import Positions
from whoosh.index import FileIndex
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from app.extensions import db
from app.search.documents import entry_documents, map_in_processes

_first = itemgetter(0)


class _TermPostings:
    """One term's postings in a segment, in document order."""

    __slots__ = ("docnums", "weights", "values")

    def __init__(self) -> None:
        self.docnums = array("I")
        self.weights: list[float] = []
        self.values: list[bytes] = []


_SINGLE_POSITIONS = [pack_uint(1) + pickle.dumps([position], 2) for position in range(8192)]


def _encode_positions(positions: list[int]) -> bytes:
    """What whoosh.formats.Positions.encode makes of a position list (its reader decodes this); most terms
    occur once in a document, and those encodings are made once."""
    if len(positions) == 1 and positions[0] < 8192:
        return _SINGLE_POSITIONS[positions[0]]
    deltas = []
    base = 0
    for position in positions:
        deltas.append(position - base)
        base = position
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter for new segments whose postings are kept per term in memory (see the module); only
    `write_segment` uses it, to add documents to a segment of a new index."""

    def __init__(self, ix: FileIndex, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._terms: dict[str, dict[str | bytes, _TermPostings]] = {}
        self._field_lengths: dict[str, list[int]] = {}

    def add_document(self, **fields) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields[fieldname]
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                token_count = self._add_postings(fieldname, field, value, docnum)
                if field.scorable:
                    length = token_count
            if field.scorable:
                lengths = self._field_lengths.setdefault(fieldname, [])
                lengths.extend([0] * (docnum - self.docbase + 1 - len(lengths)))
                lengths[docnum - self.docbase] = length
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_postings(self, fieldname: str, field, value, docnum: int) -> int:
        """Record the field's postings for one document; returns the field's length (its token count)."""
        terms = self._terms.setdefault(fieldname, {})
        boost = field.format.field_boost
        index_terms = getattr(field.analyzer, "index_terms", None)
        length = 0
        if type(field.format) is Positions and index_terms is not None and isinstance(value, str):
            positions: defaultdict[str, list[int]] = defaultdict(list)
            weights: defaultdict[str, float] = defaultdict(float)
            for term, position, weight in index_terms(value):
                positions[term].append(position)
                weights[term] += weight
            encode = _encode_positions
            for term, found in positions.items():
                postings = terms.get(term)
                if postings is None:
                    postings = terms[term] = _TermPostings()
                postings.docnums.append(docnum)
                postings.weights.append(weights[term] * boost)
                postings.values.append(encode(found))
                length += len(found)
            return length
        for term_bytes, frequency, weight, encoded in field.index(value):
            postings = terms.get(term_bytes)
            if postings is None:
                postings = terms[term_bytes] = _TermPostings()
            postings.docnums.append(docnum)
            postings.weights.append(weight)
            postings.values.append(encoded)
            length += frequency
        return length

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for fieldname in sorted(self._terms):
            field = self.schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            lengths = self._field_lengths.get(fieldname)
            terms = self._terms[fieldname]
            # Text terms are kept as str: UTF-8 sorts in code-point order, so the order is the bytes' order.
            for term in sorted(terms):
                fieldwriter.start_term(term if isinstance(term, bytes) else term.encode("utf-8"))
                self._write_term(fieldwriter._postwriter, terms[term], lengths)
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._terms.clear()

    def _write_term(self, postwriter, postings: _TermPostings, lengths: list[int] | None) -> None:
        """Hand the postings writer whole blocks, as its add_posting() would have filled them; the last block
        is left buffered for finish_term() to write, as Whoosh does."""
        limit = postwriter._blocklimit
        docnums, weights, values = postings.docnums, postings.weights, postings.values
        base = self.docbase
        for start in range(0, len(docnums), limit):
            if start:
                postwriter._write_block()
            ids = docnums[start : start + limit]
            block_weights = weights[start : start + limit]
            postwriter._ids = ids
            postwriter._weights = array("f", block_weights)
            postwriter._values = [v for v in values[start : start + limit] if v]
            postwriter._maxweight = max(0, max(block_weights))
            if lengths is not None:
                block_lengths = [lengths[d - base] for d in ids if lengths[d - base]]
                postwriter._minlength = min(block_lengths) if block_lengths else None
                postwriter._maxlength = max(block_lengths, default=0)


def write_segment(ix: FileIndex, documents: Iterable[dict]):
    """Write `documents` as one new segment of `ix` (whose lock the caller holds); returns the Segment, or
    None when there were no documents. The writers of one build share the index's temporary folder (Whoosh
    names it after the index), which `build_segments` removes once all of them are done."""
    writer = BulkSegmentWriter(ix, _lk=False, compound=False)
    count = 0
    for document in documents:
        writer.add_document(**document)
        count += 1
    if not count:
        writer._close_segment()
        return None
    return writer._finalize_segment()


def _segment_job(job: tuple[str, list[int]]):
    """In a worker process: index these entries as one segment of the index at `directory`."""
    from whoosh import index as whoosh_index

    directory, entry_ids = job
    ix = whoosh_index.open_dir(directory)
    with Session(db.engine) as session:
        return write_segment(ix, entry_documents(session, entry_ids))


def build_segments(ix: FileIndex, session: Session, entry_ids: list[int], procs: int) -> int:
    """Index `entry_ids` into `ix` (a new, empty index) as segments of at most SEARCH_REINDEX_SEGMENT_DOCS
    entries, written by `procs` worker processes, and commit them; returns the number of documents."""
    size = max(1, int(current_app.config["SEARCH_REINDEX_SEGMENT_DOCS"]))
    jobs = [(ix.storage.folder, entry_ids[start : start + size]) for start in range(0, len(entry_ids), size)]
    lock = ix.lock("WRITELOCK")
    if not lock.acquire():
        raise RuntimeError("a new index is locked")
    try:
        if procs > 1 and len(jobs) > 1:
            session.close()
            results = map_in_processes(_segment_job, jobs, procs)
        else:
            results = [write_segment(ix, entry_documents(session, ids)) for _, ids in jobs]
        segments = [segment for segment in results if segment is not None]
        writer = SegmentWriter(ix, _lk=False)
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
    finally:
        lock.release()
    return sum(segment.doc_count() for segment in segments)
