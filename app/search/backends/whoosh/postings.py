"""Matching, counting and ranking over whole posting lists as NumPy arrays.

Whoosh's matchers walk a posting list one document at a time in Python, and its block-skipping rarely skips
anything on real text, so a word found in half of 100,000 entries cost about 300 ms to rank and as much again
to count (bench/README.md). Here each term's list is read block by block into arrays (document numbers and
weights), the query's AND / OR / NOT become array operations, and BM25 is computed for every match at once:
the cost is reading the blocks, a few milliseconds for the commonest word.

The index, its format and the query parser stay Whoosh's. This module reads postings through the leaf
matcher of the pinned whoosh3 release (`W3LeafMatcher`: one block of ids and weights at a time) and falls
back to Whoosh's own iteration for any other matcher, so an upgrade that changes those internals is slower,
not wrong. Scores are Whoosh's BM25F (B = 0.75, K1 = 1.2, its idf) on the one `text` field.
tests/search/test_postings_vs_whoosh.py compares matches, counts and scores with Whoosh's own searcher and
lists the private names of whoosh3 used here and in bulk.py.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

BM25_B = 0.75
BM25_K1 = 1.2

_EMPTY_IDS = np.empty(0, dtype=np.int64)
_EMPTY_SCORES = np.empty(0, dtype=np.float64)
# Ids spread over at most this many times their number are united or intersected through an array as long as
# their span instead of by sorting (the scores are added in the same order either way).
DENSE_SPAN = 64

_lengths_by_segment: dict[str, np.ndarray] = {}
_lengths_lock = threading.Lock()


@dataclass
class Matches:
    """Global document numbers (ascending, unique) and their scores."""

    ids: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> Matches:
        return cls(_EMPTY_IDS, _EMPTY_SCORES)

    def __len__(self) -> int:
        return len(self.ids)

    def keep(self, mask: np.ndarray) -> Matches:
        return Matches(self.ids[mask], self.scores[mask])


@dataclass
class _TermList:
    """One segment's posting list of one term, decoded; where each block starts (for reading positions)."""

    ids: np.ndarray
    weights: np.ndarray
    block_starts: np.ndarray  # index into `ids` of each block's first posting (empty: not block-addressable)
    block_offsets: list[int]

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.weights.nbytes + self.block_starts.nbytes + 8 * len(self.block_offsets)


def _unwrapped(matcher):
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _read_term_list(matcher) -> _TermList:
    """Decode a posting list (deleted documents included; callers drop them)."""
    matcher = _unwrapped(matcher)
    id_blocks: list = []
    weight_blocks: list = []
    offsets: list[int] = []
    if isinstance(matcher, W3LeafMatcher):
        offset = matcher._baseoffset
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            offsets.append(offset)
            id_blocks.append(np.asarray(matcher._ids, dtype=np.int64))
            weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
            offset = matcher._nextoffset
            matcher._next_block()
    else:
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        id_blocks.append(np.asarray(ids, dtype=np.int64))
        weight_blocks.append(np.asarray(weights, dtype=np.float64))
    if not id_blocks:
        return _TermList(_EMPTY_IDS, _EMPTY_SCORES, _EMPTY_IDS, [])
    starts = np.cumsum([0] + [len(block) for block in id_blocks[:-1]]) if offsets else _EMPTY_IDS
    return _TermList(np.concatenate(id_blocks), np.concatenate(weight_blocks), np.asarray(starts, np.int64), offsets)


class _TermListCache:
    """Decoded posting lists by (segment, field, term), least recently used dropped past a byte budget.

    Segments never change once written, so a cached list is valid for as long as its segment exists; a
    common word's list is read from disk once per process instead of once per search.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.lists: OrderedDict[tuple, _TermList] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, reader, fieldname: str, text: str) -> _TermList | None:
        segment = reader.segment()
        key = (segment.segment_id() if segment is not None else id(reader), fieldname, text)
        with self.lock:
            found = self.lists.get(key)
            if found is not None:
                self.lists.move_to_end(key)
                return found
        try:
            matcher = reader.postings(fieldname, text)
        except TermNotFound:
            return None
        term_list = _read_term_list(matcher)
        if len(term_list.ids) >= CACHE_MIN_POSTINGS:
            with self.lock:
                if key not in self.lists:
                    self.lists[key] = term_list
                    self.used += term_list.nbytes
                while self.used > self.budget and self.lists:
                    _, dropped = self.lists.popitem(last=False)
                    self.used -= dropped.nbytes
        return term_list


# Lists shorter than this are cheap to read again; longer ones are kept, up to the budget, per process.
CACHE_MIN_POSTINGS = 512
# Scored terms a searcher keeps (a Thai query reads a few dozen: app.search.substring); cleared when full.
SHARED_TERMS = 4096
# The searcher attribute they are kept in.
SHARED_ATTRIBUTE = "_sala_terms"
term_lists = _TermListCache(64 * 1024 * 1024)


class _BlockValuesCache:
    """The encoded values (positions) of posting blocks read for phrase checks, by (segment, field, term,
    block offset), least recently used dropped past a byte budget.

    One block serves every candidate document it holds, and a common word's blocks serve every search that
    checks a phrase with it; segments never change once written, so a kept block stays valid. Readers
    without a segment (not the Whoosh file index) are read afresh every time.
    """

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.blocks: OrderedDict[tuple, tuple] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, reader, fieldname: str, text: str, block_offset: int) -> tuple:
        """(the field's value format, the block's encoded values), read from disk when not kept."""
        segment = reader.segment()
        key = (segment.segment_id(), fieldname, text, block_offset) if segment is not None else None
        if key is not None:
            with self.lock:
                found = self.blocks.get(key)
                if found is not None:
                    self.blocks.move_to_end(key)
                    return found
        matcher = _unwrapped(reader.postings(fieldname, text))
        matcher._goto(block_offset)
        matcher._read_values()
        found = (matcher.format, matcher._values)
        if key is not None:
            size = _block_size(found[1])
            with self.lock:
                if key not in self.blocks:
                    self.blocks[key] = found
                    self.used += size
                while self.used > self.budget and self.blocks:
                    _, (_, dropped) = self.blocks.popitem(last=False)
                    self.used -= _block_size(dropped)
        return found


def _block_size(values) -> int:
    """Rough memory of a kept block: its values' bytes, plus the key, tuple and list and each bytes object."""
    return 200 + sum(40 + len(value or b"") for value in values)


block_values = _BlockValuesCache(16 * 1024 * 1024)


def _deleted(reader) -> np.ndarray:
    """The deleted document numbers of a segment, as an array."""
    deleted = getattr(reader, "deleted_docs_set", None)
    if deleted is None:
        deleted = [docnum for docnum in range(reader.doc_count_all()) if reader.is_deleted(docnum)]
    return np.fromiter(deleted, np.int64)


def _segment_lengths(reader, fieldname: str) -> np.ndarray:
    """The field length of every document of a segment, kept per segment (segments never change)."""
    segment = reader.segment()
    key = f"{segment.segment_id() if segment is not None else id(reader)}:{fieldname}"
    lengths = _lengths_by_segment.get(key)
    if lengths is None:
        count = reader.doc_count_all()
        lengths = np.fromiter(
            (reader.doc_field_length(docnum, fieldname, 0) or 0 for docnum in range(count)), np.float64, count
        )
        with _lengths_lock:
            if len(_lengths_by_segment) > 256:
                _lengths_by_segment.clear()
            _lengths_by_segment[key] = lengths
    return lengths


def load_lengths(searcher: Searcher, fieldname: str) -> None:
    """Read every segment's field lengths into the per-segment cache."""
    for leaf, _offset in searcher.leaf_searchers():
        _segment_lengths(leaf.reader(), fieldname)


class Evaluator:
    """Evaluates a Whoosh query tree on one searcher's `fieldname` with array operations."""

    def __init__(self, searcher: Searcher, fieldname: str) -> None:
        self.searcher = searcher
        self.fieldname = fieldname
        self.doc_count = searcher.doc_count_all()
        self.avg_length = searcher.avg_field_length(fieldname) or 1.0
        self._leaves = [(leaf.reader(), offset) for leaf, offset in searcher.leaf_searchers()]
        self._offsets = [offset for _, offset in self._leaves]
        self._deleted: dict[int, np.ndarray] = {}
        self._all: np.ndarray | None = None
        self._lists: dict[tuple[int, str], _TermList | None] = {}
        self._terms: dict[tuple, Matches | set[int]] = {}
        # Scored terms kept with the searcher (one index version: scores cannot change) across its searches.
        self._shared: dict = searcher.__dict__.setdefault(SHARED_ATTRIBUTE, {})

    def _deleted_in(self, reader) -> np.ndarray:
        """A segment's deleted docnums, read once per search however many terms need them."""
        key = id(reader)
        if key not in self._deleted:
            self._deleted[key] = _deleted(reader)
        return self._deleted[key]

    def all_docs(self) -> Matches:
        """Every live document, scored 0."""
        if self._all is None:
            parts = []
            for reader, offset in self._leaves:
                ids = np.arange(reader.doc_count_all(), dtype=np.int64)
                if reader.has_deletions():
                    ids = ids[~np.isin(ids, self._deleted_in(reader))]
                parts.append(ids + offset)
            self._all = np.concatenate(parts) if parts else _EMPTY_IDS
        return Matches(self._all, np.zeros(len(self._all)))

    def term(self, text: str, boost: float = 1.0) -> Matches:
        """A term's matches with their BM25 scores; kept for the search (a term in several alternatives of a
        Thai phrase is read once) and with the searcher (one index version: its scores cannot change)."""
        key = (text, boost)
        if key not in self._terms:
            shared = self._shared
            found = shared.get(key)
            if found is None:
                found = self._term(text, boost)
                if len(shared) >= SHARED_TERMS:
                    shared.clear()
                shared[key] = found
            self._terms[key] = found
        return self._terms[key]

    def _term(self, text: str, boost: float) -> Matches:
        """Matches of one term, scored by BM25 as Whoosh's BM25F scores it: its idf counts, as Whoosh does,
        the documents of the term's postings that are deleted but not yet merged away."""
        id_parts, score_parts = [], []
        for reader, offset in self._leaves:
            term_list = term_lists.get(reader, self.fieldname, text)
            if term_list is None or not len(term_list.ids):
                continue
            ids, weights = term_list.ids, term_list.weights
            if reader.has_deletions():
                live = ~np.isin(ids, self._deleted_in(reader))
                ids, weights = ids[live], weights[live]
            lengths = _segment_lengths(reader, self.fieldname)[ids]
            id_parts.append(ids + offset)
            score_parts.append((weights, lengths))
        if not id_parts:
            return Matches.empty()
        idf = math.log(self.doc_count / (self.searcher.doc_frequency(self.fieldname, text) + 1)) + 1.0
        scores = []
        for weights, lengths in score_parts:
            norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / self.avg_length)
            scores.append(boost * idf * (weights * (BM25_K1 + 1)) / (weights + norm))
        return Matches(np.concatenate(id_parts), np.concatenate(scores))

    def evaluate(self, q: wq.Query, fallback: Callable[[wq.Query], Matches]) -> Matches:
        """Matches of `q`; query types this module does not know go to `fallback`."""
        return self._evaluate(q, fallback, {})

    def _evaluate(self, q: wq.Query, fallback: Callable[[wq.Query], Matches], unions: dict) -> Matches:
        """`unions` keeps the ORs of terms evaluated so far: the alternatives of a Thai phrase repeat the same
        set of terms at several places (app.search.substring)."""
        if isinstance(q, wq.Term) and q.fieldname == self.fieldname:
            return self.term(q.text, q.boost)
        if isinstance(q, wq.And):
            return self._intersection([self._evaluate(child, fallback, unions) for child in q.subqueries])
        if isinstance(q, wq.Or) and not q.minmatch:
            if not all(type(child) is wq.Term and child.fieldname == self.fieldname for child in q.subqueries):
                return self._union([self._evaluate(child, fallback, unions) for child in q.subqueries])
            found = unions.get(q)
            if found is None:
                found = unions[q] = self._union([self.term(child.text, child.boost) for child in q.subqueries])
            return found
        if isinstance(q, wq.AndNot):
            return self._minus(self._evaluate(q.a, fallback, unions), self._evaluate(q.b, fallback, unions))
        if isinstance(q, wq.Not):
            return self._minus(self.all_docs(), self._evaluate(q.query, fallback, unions))
        if isinstance(q, wq.AndMaybe):
            return self._maybe(self._evaluate(q.a, fallback, unions), self._evaluate(q.b, fallback, unions))
        if isinstance(q, wq.Every):
            return self.all_docs()
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return Matches.empty()
        return fallback(q)

    def positions(self, text: str, docnum: int) -> list[int]:
        """Positions of `text` in document `docnum` (global), read from the one block that holds it."""
        leaf = bisect.bisect_right(self._offsets, docnum) - 1
        reader, offset = self._leaves[leaf]
        local = docnum - offset
        key = (leaf, text)
        if key not in self._lists:  # short lists are not kept in term_lists: read each once per search
            self._lists[key] = term_lists.get(reader, self.fieldname, text)
        term_list = self._lists[key]
        if term_list is None:
            return []
        ids = term_list.ids
        index = int(ids.searchsorted(local))
        if index >= len(ids) or ids[index] != local:
            return []
        if not term_list.block_offsets:
            matcher = _unwrapped(reader.postings(self.fieldname, text))
            matcher.skip_to(local)
            return matcher.value_as("positions")
        block = int(term_list.block_starts.searchsorted(index, side="right")) - 1
        value_format, values = block_values.get(reader, self.fieldname, text, term_list.block_offsets[block])
        return value_format.decode_as("positions", values[index - int(term_list.block_starts[block])])

    def phrase_holds(self, docnums: list[int], checks: list[list[tuple[str, int]]]) -> set[int]:
        """The docnums in which each check's terms stand at their offsets from one common start."""
        return self.alternatives_hold(
            docnums, [[[(frozenset((text,)), offset) for text, offset in elements]] for elements in checks]
        )

    def alternatives_hold(
        self, docnums: list[int], checks: list[list[list[tuple[frozenset[str], int]]]], sure: list[set[int]] = ()
    ) -> set[int]:
        """The docnums that pass every check; a check is a list of alternatives, of which one must hold: one of
        each element's terms at the element's offset from one common start (app.search.substring). The docnums
        in a check's `sure` set pass it without a look."""
        passed = set(docnums)
        for i, alternatives in enumerate(checks):
            known = sure[i] if i < len(sure) else ()
            candidates = [self._candidates(elements) for elements in alternatives]
            passed = {
                docnum
                for docnum in passed
                if docnum in known
                or any(
                    docnum in among and self._holds(docnum, elements)
                    for elements, among in zip(alternatives, candidates, strict=True)
                )
            }
        return passed

    def _kept(self, key: tuple, make: Callable[[], object]):
        """A value of this index version, kept with the searcher."""
        found = self._shared.get(key)
        if found is None:
            found = make()
            if len(self._shared) >= SHARED_TERMS:
                self._shared.clear()
            self._shared[key] = found
        return found

    def _docs_with(self, text: str) -> set[int]:
        return self._kept(("docs", text), lambda: set(self.term(text).ids.tolist()))

    def _candidates(self, elements: list[tuple[frozenset[str], int]]) -> set[int]:
        """The docnums holding a term of every element (where the positions are worth reading)."""

        def make() -> set[int]:
            found: set[int] | None = None
            for texts, _offset in elements:
                docs = set().union(*(self._docs_with(text) for text in texts))
                found = docs if found is None else found & docs
                if not found:
                    break
            return found or set()

        return self._kept(("candidates", tuple(elements)), make)

    def _holds(self, docnum: int, elements: list[tuple[frozenset[str], int]]) -> bool:
        starts: set[int] | None = None
        for texts, offset in elements:
            present = [text for text in texts if docnum in self._docs_with(text)]
            found = {position - offset for text in present for position in self.positions(text, docnum)}
            starts = found if starts is None else starts & found
            if not starts:
                return False
        return True

    @staticmethod
    def _intersection(parts: list[Matches]) -> Matches:
        parts = sorted(parts, key=len)
        result = parts[0]
        for other in parts[1:]:
            if not len(result):
                break
            mine, theirs = _common(result.ids, other.ids)
            result = Matches(result.ids[mine], result.scores[mine] + other.scores[theirs])
        return result

    @staticmethod
    def _union(parts: list[Matches]) -> Matches:
        parts = [part for part in parts if len(part)]
        if not parts:
            return Matches.empty()
        if len(parts) == 1:
            return parts[0]
        all_ids = np.concatenate([p.ids for p in parts])
        all_scores = np.concatenate([p.scores for p in parts])
        size = max(int(p.ids[-1]) for p in parts) + 1
        if size > DENSE_SPAN * len(all_ids):  # a few documents far apart: sorting them is cheaper
            ids, inverse = np.unique(all_ids, return_inverse=True)
            return Matches(ids, np.bincount(inverse, weights=all_scores, minlength=len(ids)))
        present = np.zeros(size, dtype=bool)
        present[all_ids] = True
        ids = np.flatnonzero(present)
        return Matches(ids, np.bincount(all_ids, weights=all_scores, minlength=size)[ids])

    @staticmethod
    def _minus(a: Matches, b: Matches) -> Matches:
        if not len(b) or not len(a):
            return a
        return a.keep(~np.isin(a.ids, b.ids, assume_unique=True))

    @staticmethod
    def _maybe(a: Matches, b: Matches) -> Matches:
        if not len(b) or not len(a):
            return a
        mine, theirs = _common(a.ids, b.ids)
        scores = a.scores.copy()
        scores[mine] += b.scores[theirs]
        return Matches(a.ids, scores)


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indexes into `a` and into `b` (both ascending and unique) of the ids they share, ascending: what
    np.intersect1d returns, without sorting both together."""
    if not len(a) or not len(b):
        return _EMPTY_IDS, _EMPTY_IDS
    size = int(max(a[-1], b[-1])) + 1
    if size <= DENSE_SPAN * (len(a) + len(b)):
        # Where each id of `b` stands in `b`, read at the ids of `a`; the ids not in `b` read whatever the
        # uninitialised array holds, which the comparison below rejects (ids are unique).
        where = np.empty(size, dtype=np.int64)
        where[b] = _counting(len(b))
        index = where[a]
    else:
        index = np.searchsorted(b, a)
    np.minimum(index, len(b) - 1, out=index)
    np.maximum(index, 0, out=index)
    mine = np.flatnonzero(b[index] == a)
    return mine, index[mine]


_count = np.arange(0, dtype=np.int64)


def _counting(n: int) -> np.ndarray:
    """0, 1, ... n - 1 (a view of one array kept for the process, longer as needed)."""
    global _count
    count = _count
    if len(count) < n:
        count = _count = np.arange(max(n, 2 * len(count)), dtype=np.int64)
    return count[:n]


def _best(keys: np.ndarray, ties: np.ndarray, limit: int | None) -> np.ndarray:
    """Indexes of the `limit` largest keys, unordered (all of them when there are no more).

    Keys equal to the last one taken are taken by the smallest `ties` (unique) first, so that the first
    `limit` are always the start of the whole order (key descending, then ties ascending): pages never overlap.
    """
    if limit is None or limit >= len(keys):
        return np.arange(len(keys))
    cut = -np.partition(-keys, limit - 1)[limit - 1]
    above = np.flatnonzero(keys > cut)
    tied = np.flatnonzero(keys == cut)
    wanted = limit - len(above)
    if wanted < len(tied):
        tie_keys = ties[tied]
        tied = tied[tie_keys <= np.partition(tie_keys, wanted - 1)[wanted - 1]]
    return np.concatenate((above, tied))


def top(matches: Matches, limit: int | None) -> list[tuple[int, float]]:
    """(docnum, score) best first (ties: lower docnum first), the first `limit` of them."""
    chosen = _best(matches.scores, matches.ids, limit)
    order = chosen[np.lexsort((matches.ids[chosen], -matches.scores[chosen]))]
    return [(int(matches.ids[i]), float(matches.scores[i])) for i in order]


def newest(matches: Matches, published: np.ndarray, limit: int | None) -> list[tuple[int, float]]:
    """(docnum, 0.0) newest first (ties: higher docnum first), the first `limit` of them."""
    dates = published[matches.ids]
    chosen = _best(dates, -matches.ids, limit)
    order = chosen[np.lexsort((-matches.ids[chosen], -dates[chosen]))]
    return [(int(matches.ids[i]), 0.0) for i in order]
