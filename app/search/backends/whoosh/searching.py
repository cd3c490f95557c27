"""Searching the Whoosh index: matching, counting and ranking a Lookup, and "more like this".

A query is planned (phrases become the pair terms the index holds, plus position checks), evaluated on whole
posting lists as arrays (postings.py), filtered, ranked by BM25 or by date, and paged. Each thread keeps a
searcher on the live index version and replaces it when the index changes.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
from flask import current_app
from whoosh import classify
from whoosh import query as wq
from whoosh.searching import Searcher

from app.models import Entry
from app.search import substring
from app.search.analyzer import pair_term
from app.search.backends import FilterKeys, Lookup, Window
from app.search.backends.whoosh import postings
from app.search.backends.whoosh.index import INDEX_CHANGED_ERRORS, configured_path, current_dir, open_searcher
from app.search.backends.whoosh.lexicons import segment_lexicons
from app.search.documents import key_terms
from app.search.schema import TEXT_FIELD as FIELD

# A phrase's candidates are all checked (see _Plan) up to this many; past it the total shown is an estimate.
COUNT_LIMIT = 100
# How many of an entry's most telling words find its related entries.
RELATED_KEY_TERMS = 12

_local = threading.local()
T = TypeVar("T")


def filter_query(keys: FilterKeys) -> wq.Query | None:
    """The filters as a Whoosh query on the key fields (None: no filter)."""
    terms: list[wq.Query] = []
    if keys.tag is not None:
        terms.append(wq.Term("tags", keys.tag))
    if keys.station is not None:
        terms.append(wq.Term("stations", keys.station))
    if keys.blog is not None:
        terms.append(wq.Term("blog", keys.blog))
    if keys.author is not None:
        terms.append(wq.Term("author", keys.author))
    if keys.start is not None or keys.end is not None:
        terms.append(wq.DateRange("published", keys.start, keys.end, endexcl=True))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.And(terms)


# One element of a phrase check: a term (a single term or a pair term) and its offset in the phrase.
Element = tuple[str, int]


@dataclass
class _Plan:
    """A parsed query as it runs on the index.

    A phrase becomes the pair terms the index holds for it (neighbouring common terms, app.search.analyzer)
    plus its words not covered by a pair. Two common words are then one exact lookup. Otherwise, where a
    document must contain the phrase (it is not under OR or NOT), Whoosh matches and ranks on those terms and
    their positions are checked afterwards, only as far as the page needs (`checks`); elsewhere Whoosh checks
    the phrase itself.
    """

    query: wq.Query
    # Each check holds when one of its alternatives does: terms (any of a set) at offsets from one start.
    checks: list[list[list[tuple[frozenset[str], int]]]] = field(default_factory=list)
    sure: list[wq.Query] = field(default_factory=list)  # per check: documents that pass it without a look


def _phrase_elements(words: list[str], paired: frozenset[str]) -> list[Element]:
    """The fewest pair terms that cover the phrase's neighbouring common words, and its other words.

    Pairs are taken side by side (0-1, 2-3, ...); a common word left over at the end of a run of common words
    shares a pair with the word before it rather than being looked up alone.
    """
    elements: list[Element] = []
    i, n = 0, len(words)
    while i < n:
        if i + 1 < n and words[i] in paired and words[i + 1] in paired:
            elements.append((pair_term(words[i], words[i + 1]), i))
            i += 2
        elif i > 0 and words[i] in paired and words[i - 1] in paired:
            elements.append((pair_term(words[i - 1], words[i]), i - 1))
            i += 1
        else:
            elements.append((words[i], i))
            i += 1
    return elements


def plan_query(q: wq.Query, paired: frozenset[str], lexicon: substring.Lexicons | None = None) -> _Plan:
    """The query as it runs on the index; with the index's `lexicon`, Thai words are also found where the
    text was cut differently (app.search.substring)."""
    plan = _Plan(q)

    def visit(node: wq.Query, required: bool) -> wq.Query:
        if lexicon is not None and isinstance(node, (wq.Phrase, wq.Term)) and node.fieldname == FIELD:
            words = list(node.words) if isinstance(node, wq.Phrase) else [node.text]
            alternatives = substring.phrase_alternatives(words, lexicon) if all(map(bool, words)) else []
            if len(alternatives) > 1:
                return _alternatives_node(plan, alternatives, paired, required, node.boost)
        if isinstance(node, wq.Phrase) and node.fieldname == FIELD:
            words = list(node.words)
            elements = _phrase_elements(words, paired)
            if len(elements) == 1:
                return wq.Term(FIELD, elements[0][0], boost=node.boost)
            if not required:
                return node
            plan.checks.append([[(frozenset((term,)), offset) for term, offset in elements]])
            plan.sure.append(wq.NullQuery)
            return wq.And([wq.Term(FIELD, term) for term, _ in elements], boost=node.boost)
        new = copy.copy(node)
        if isinstance(node, wq.And):
            new.subqueries = [visit(child, required) for child in node.subqueries]
        elif isinstance(node, wq.CompoundQuery):
            new.subqueries = [visit(child, False) for child in node.subqueries]
        elif isinstance(node, (wq.AndNot, wq.AndMaybe)):
            new.a, new.b = visit(node.a, required), visit(node.b, False)
        elif isinstance(node, wq.BinaryQuery):
            new.a, new.b = visit(node.a, False), visit(node.b, False)
        elif isinstance(node, wq.Not):
            new.query = visit(node.query, False)
        return new

    plan.query = visit(q, True)
    return plan


def _set_query(terms: frozenset[str]) -> wq.Query:
    return wq.Term(FIELD, next(iter(terms))) if len(terms) == 1 else wq.Or([wq.Term(FIELD, t) for t in sorted(terms)])


def _alternatives_node(
    plan: _Plan, alternatives: list[substring.Alternative], paired: frozenset[str], required: bool, boost: float
) -> wq.Query:
    """A Thai phrase found by any of its alternatives (the first is its own words, which pair terms serve).

    Where a document must contain it, the terms of each alternative find the candidates and their positions
    are checked afterwards, as a plain phrase's are; elsewhere Whoosh checks the alternatives itself."""
    if not required:
        sequences = [
            wq.Sequence([_set_query(terms) for terms in alt]) if len(alt) > 1 else _set_query(alt[0])
            for alt in alternatives
        ]
        return wq.Or(sequences, boost=boost)
    own = _phrase_elements([next(iter(terms)) for terms in alternatives[0]], paired)
    alternatives = [alternatives[0], *_paired_alternatives(alternatives[1:], paired)]
    checks = [[(frozenset((term,)), offset) for term, offset in own]]
    checks += [[(terms, offset) for offset, terms in enumerate(alt)] for alt in alternatives[1:]]
    queries = [wq.And([wq.Term(FIELD, term) for term, _ in own])] if len(own) > 1 else [wq.Term(FIELD, own[0][0])]
    queries += [wq.And(list(map(_set_query, alt))) if len(alt) > 1 else _set_query(alt[0]) for alt in alternatives[1:]]
    if any(len(elements) > 1 for elements in checks):
        plan.checks.append(checks)
        # Matches of an alternative of one element need no check (a phrase of one pair term, or any of a set).
        plan.sure.append(wq.Or([query for query, elements in zip(queries, checks, strict=True) if len(elements) == 1]))
    return wq.Or(queries, boost=boost)


def _paired_alternatives(
    alternatives: list[substring.Alternative], paired: frozenset[str]
) -> list[substring.Alternative]:
    """Two-element alternatives with their common-by-common part as one set of pair terms (exact, no check):
    {ความ} then {รู้, รู้สึก, รู้จัก...} becomes the pairs of ความ with the common ones, and ความ with the rare
    rest (few candidates to check)."""
    result: list[substring.Alternative] = []
    for alt in alternatives:
        if len(alt) != 2:
            result.append(alt)
            continue
        first, second = alt
        common_first, common_second = first & paired, second & paired
        pairs = frozenset(pair_term(a, b) for a in common_first for b in common_second)
        if not pairs:
            result.append(alt)
            continue
        result.append((pairs,))
        rest = [(first, second - common_second), (first - common_first, common_second)]
        result += [(a, b) for a, b in rest if a and b]
    return result


def _allowed_docs(searcher: Searcher, flt: wq.Query | None) -> np.ndarray | None:
    """The docnums a filter lets through (sorted), kept with the searcher (filters repeat; the searcher is per
    index version, so the array never goes stale)."""
    if flt is None:
        return None
    cache = getattr(searcher, "_sala_filters", None)
    if cache is None:
        cache = searcher._sala_filters = {}
    key = repr(flt)
    if key not in cache:
        if len(cache) > 64:
            cache.clear()
        cache[key] = np.unique(np.fromiter(flt.docs(searcher), np.int64))
    return cache[key]


_published_by_segment: dict[str, np.ndarray] = {}
_published_lock = threading.Lock()
_EPOCH = datetime(1970, 1, 1)


def _published_values(searcher: Searcher) -> np.ndarray:
    """Microseconds since 1970 of every document's `published` (by docnum), kept per segment: segments never
    change, so a new searcher after a commit reads only the new small segment.

    Read while the searcher is opened (index.open_searcher): Whoosh looks for a column's file on disk
    each time a column is read, and once a merge in another process has deleted it, it answers with the
    column's default for every document (a date out of range).
    """
    parts: list[np.ndarray] = []
    live = set()
    for leaf, _offset in searcher.leaf_searchers():
        reader = leaf.reader()
        segment = reader.segment()
        if segment is None:  # a reader with no segment (an empty index) has no documents to sort
            continue
        segment_id = segment.segment_id()
        live.add(segment_id)
        column = _published_by_segment.get(segment_id)
        if column is None:
            raw = list(reader.column_reader("published", translate=False))
            if not reader.has_column("published"):  # the values read were the default, not the segment's
                raise FileNotFoundError(f"the `published` column of segment {segment_id} was deleted")
            to_datetime = reader.schema["published"].from_column_value
            column = np.fromiter(
                ((to_datetime(value) - _EPOCH) // timedelta(microseconds=1) for value in raw), np.int64, len(raw)
            )
            with _published_lock:
                _published_by_segment[segment_id] = column
        parts.append(column)
    if len(_published_by_segment) > 4 * len(live) + 16:
        with _published_lock:
            for segment_id in list(_published_by_segment):
                if segment_id not in live:
                    del _published_by_segment[segment_id]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def warm(directory: Path) -> None:
    """Read what every search reads of each segment (its Thai lexicon, publication dates and text lengths) into
    this process's per-segment caches, and close the files again (app/warm.py)."""
    searcher = open_searcher(directory, _published_values)
    try:
        segment_lexicons(directory, searcher)
        postings.load_lengths(searcher, FIELD)
    finally:
        searcher.close()


def _whoosh_matches(searcher: Searcher, q: wq.Query) -> postings.Matches:
    """Matches of a query the array evaluator leaves to Whoosh (a phrase under OR or NOT), with Whoosh's scores."""
    hits = sorted((hit.docnum, hit.score) for hit in searcher.search(q, limit=None))
    if not hits:
        return postings.Matches.empty()
    ids, scores = zip(*hits, strict=True)
    return postings.Matches(np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64))


def _run(held: _Held, plan: _Plan, allowed: np.ndarray | None, order: str, page: int, per_page: int):
    """The page's (docnum, score) pairs, the total, and whether the total is an estimate.

    Matching, counting and ranking run on whole posting lists as arrays (postings.py), so the total is
    exact. Only a phrase whose candidates number more than COUNT_LIMIT is checked no further than the page
    needs, and its total estimated from the share of candidates that held.
    """
    need = page * per_page
    searcher = held.searcher
    evaluator = postings.Evaluator(searcher, FIELD)
    matches = evaluator.evaluate(plan.query, lambda q: _whoosh_matches(searcher, q))
    sure = [set(evaluator.evaluate(q, lambda q: postings.Matches.empty()).ids.tolist()) for q in plan.sure]
    if allowed is not None:
        matches = matches.keep(np.isin(matches.ids, allowed, assume_unique=True))

    def first(limit: int | None) -> list[tuple[int, float]]:
        if order == "newest":
            return postings.newest(matches, held.published, limit)
        return postings.top(matches, limit)

    if not plan.checks:
        return first(need)[need - per_page :], len(matches), False
    ids = matches.ids.tolist()
    fully_sure = set.intersection(*sure) if sure else set()
    unsure = [docnum for docnum in ids if docnum not in fully_sure] if fully_sure else ids
    if len(unsure) <= COUNT_LIMIT:  # few to check: check them all, the total is exact
        good = fully_sure.intersection(ids) | evaluator.alternatives_hold(unsure, plan.checks, sure)
        ranked = [hit for hit in first(None) if hit[0] in good]
        return ranked[need - per_page : need], len(ranked), False
    limit = need * 2 + 10
    while True:
        candidates = first(limit)
        good = evaluator.alternatives_hold([docnum for docnum, _ in candidates], plan.checks, sure)
        ranked = [hit for hit in candidates if hit[0] in good]
        if len(ranked) >= need or len(candidates) < limit:
            break
        limit *= 4
    if len(candidates) < limit:
        return ranked[need - per_page : need], len(ranked), False
    estimate = max(len(ranked), round(len(matches) * len(ranked) / len(candidates)))
    return ranked[need - per_page : need], estimate, True


@dataclass
class _Held:
    """A thread's searcher and how many of that thread's searches are using it right now."""

    directory: Path
    searcher: Searcher
    published: np.ndarray  # _published_values, read while the searcher was opened
    users: int = 0
    retired: bool = False

    def retire(self) -> None:
        """No new search takes it; closed once the last one using it is done (never under a search)."""
        self.retired = True
        if self.users == 0 and not self.searcher.is_closed:
            self.searcher.close()

    def is_current(self, path: Path) -> bool:
        try:
            return not self.retired and self.directory == path.resolve() and self.searcher.up_to_date()
        except OSError:  # the version directory was removed by a rebuild
            return False


def _held_searcher() -> _Held:
    """This thread's searcher on the live index, replaced by a new one once the index has changed.

    A changed index gets a new searcher rather than Searcher.refresh(): refresh reuses the readers of segments
    it had, with their old lists of deleted documents (an edited entry would still match its old text), and
    keeps segments the new index merged away. The new searcher is cached before the old one is retired, so a
    failure to open leaves nothing closed in the cache.
    """
    path = configured_path()
    held: _Held | None = getattr(_local, "held", None)
    if held is not None and held.is_current(path):
        return held
    directory = current_dir(path)  # never rebuilt here: an outdated index serves until `flask search reindex`
    loaded: dict[str, np.ndarray] = {}
    searcher = open_searcher(directory, lambda searcher: loaded.update(published=_published_values(searcher)))
    _local.held = _Held(directory, searcher, loaded["published"])
    if held is not None:
        held.retire()
    return _local.held


@contextmanager
def _searcher() -> Iterator[_Held]:
    """A searcher on the live index, held for the body (a nested search may replace it, never close it)."""
    held = _held_searcher()
    held.users += 1
    try:
        yield held
    finally:
        held.users -= 1
        if held.retired:
            held.retire()


def _searching(work: Callable[[_Held], T]) -> T:
    """`work(held)`, run once more on a new searcher when the index changed under the first one."""
    with _searcher() as held:
        try:
            return work(held)
        except INDEX_CHANGED_ERRORS:
            if held.is_current(configured_path()):
                raise
            held.retire()
    with _searcher() as held:
        return work(held)


def window(lookup: Lookup, page: int, per_page: int) -> Window:
    """The page of matches for a lookup."""

    def work(held: _Held) -> Window:
        searcher = held.searcher
        flt = filter_query(lookup.keys)
        thai_substrings = substring.enabled(current_app.config, "whoosh")
        lexicon = segment_lexicons(held.directory, searcher) if thai_substrings else None
        plan = plan_query(lookup.query, searcher.schema[FIELD].analyzer.paired, lexicon)
        hits, total, estimate = _run(held, plan, _allowed_docs(searcher, flt), lookup.order, page, per_page)
        return Window(
            ids=[int(searcher.stored_fields(docnum)["entry_id"]) for docnum, _ in hits],
            scores=[float(score or 0.0) for _, score in hits],
            total=total,
            total_is_estimate=estimate,
        )

    return _searching(work)


def related_ids(entry: Entry, limit: int) -> list[int]:
    """Related entries from the Whoosh index: the key words weighted by Whoosh's Bo1 model."""
    words = key_terms(entry).items()

    def work(held: _Held) -> list[int]:
        searcher = held.searcher
        docnum = searcher.document_number(entry_id=str(entry.id))
        if docnum is None:
            return []
        expander = classify.Expander(searcher.reader(), FIELD, model=classify.Bo1Model)
        expander.add(words)
        terms = expander.expanded_terms(RELATED_KEY_TERMS, normalize=False)
        if not terms:
            return []
        q = wq.Or([wq.Term(FIELD, word, boost=weight) for word, weight in terms])
        return [int(hit["entry_id"]) for hit in searcher.search(q, limit=limit, mask={docnum})]

    return _searching(work)
