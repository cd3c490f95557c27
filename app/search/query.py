"""Searching: parse the reader's words, filter, rank, page, and load the hits from the database.

`search()` asks the configured backend (app.search.backends) for the ranked ids; the Whoosh backend's matching
lives here (`whoosh_window`, and `whoosh_related_ids` for "more like this", whose rankings app/entries/related.py
stores), the PostgreSQL one's in app.search.backends.postgres. Parsing, filters' normalisation, loading the hits
and their snippets are shared.

The database is the truth: hits are loaded from it in the engine's rank order and any entry it no longer
shows as published (deleted, back to draft, author suspended since) is dropped from the page.
"""

from __future__ import annotations

import copy
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from whoosh import classify
from whoosh import query as wq
from whoosh.qparser import QueryParser, plugins
from whoosh.searching import Searcher

from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, Station, StationBlog, User
from app.models.station import STATUS_ACCEPTED
from app.search import backends, postings, substring
from app.search.analyzer import ThaiAnalyzer, analyze, pair_term, prepare
from app.search.backends import Window
from app.search.index import INDEX_CHANGED_ERRORS, configured_path, live_dir, open_searcher
from app.text.dates import BANGKOK, iso_utc
from app.text.markdown import excerpt, html_to_text
from app.text.tags import normalize_tag

SORTS = ("relevance", "newest")
MAX_PER_PAGE = 100
# Longer queries are cut here: hundreds of words would only make a slow query that finds nothing.
MAX_QUERY_LENGTH = 200
SNIPPET_LENGTH = 200

# The one searched field (app.search.schema); its sections carry the ranking weights.
FIELD = "text"
# A phrase's candidates are all checked (see _Plan) up to this many; past it the total shown is an estimate.
COUNT_LIMIT = 100
# How many of an entry's most telling words find its related entries.
RELATED_KEY_TERMS = 12

# Query syntax kept: "quoted phrases", (groups), AND / OR / NOT. Field names, wildcards, ranges and boosts
# are not offered to readers (filters do the field work) and only turn ordinary text into syntax errors.
_REMOVED_PLUGINS = (
    plugins.SingleQuotePlugin,
    plugins.FieldsPlugin,
    plugins.WildcardPlugin,
    plugins.RangePlugin,
    plugins.BoostPlugin,
    plugins.EveryPlugin,
)
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
_SYNTAX_RE = re.compile(r'["()\[\]{}]')
_WORD_RE = re.compile(r"\S+")
# What may stand between two pieces of a phrase in the stored text (Thai writers' spaces, a name's hyphens).
_PIECE_GAP = r"[\s\-_.'’]*"
_THAI_LEADING_VOWELS = frozenset("เแโใไ")
SNIPPET_LEAD = 60  # characters of context before the first match
MAX_SNIPPET_CANDIDATES = 20

_local = threading.local()
T = TypeVar("T")


class QueryError(ValueError):
    """A search parameter that cannot be used (unknown sort, bad page, bad dates); str() is a Thai message."""


@dataclass
class SearchFilters:
    tag: str | None = None  # normalised tag name (app.text.tags.normalize_tag)
    station: str | None = None  # station slug (any case)
    blog: str | None = None  # blog slug (any case)
    author: str | None = None  # username (any case)
    date_from: date | None = None  # published on/after (Asia/Bangkok calendar day)
    date_to: date | None = None  # published on/before (inclusive)

    def is_empty(self) -> bool:
        return not any((self.tag, self.station, self.blog, self.author, self.date_from, self.date_to))


@dataclass
class SearchHit:
    entry: Entry
    snippet_html: str
    snippet_text: str
    score: float


@dataclass
class SearchPage:
    query: str
    page: int
    per_page: int
    total: int
    sort: str
    hits: list[SearchHit] = field(default_factory=list)
    total_is_estimate: bool = False  # a very common phrase: the total is estimated, not counted
    message: str | None = None

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def _check(sort: str, page: int, per_page: int, filters: SearchFilters) -> None:
    if sort not in SORTS:
        raise QueryError(_("ไม่รู้จักวิธีเรียงผลลัพธ์ “%(sort)s” (ใช้ relevance หรือ newest)", sort=sort))
    if page < 1:
        raise QueryError(_("เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"))
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(_("จำนวนผลลัพธ์ต่อหน้าต้องอยู่ระหว่าง 1 ถึง %(n)s", n=MAX_PER_PAGE))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise QueryError(_("วันที่เริ่มต้นต้องไม่อยู่หลังวันที่สิ้นสุด"))


def _parser(schema):
    parser = QueryParser(FIELD, schema)
    for plugin in _REMOVED_PLUGINS:
        parser.remove_plugin_class(plugin)
    return parser


def _balanced(text: str) -> bool:
    """Quotes paired, brackets closed in order, and every operator between two words."""
    if text.count('"') % 2:
        return False
    depth = 0
    for char in _SYNTAX_RE.findall(text.replace('"', "")):
        depth += 1 if char in "([{" else -1
        if depth < 0:
            return False
    if depth:
        return False
    words = [w for w in _WORD_RE.findall(_SYNTAX_RE.sub(" ", text))]
    for i, word in enumerate(words):
        if word in _OPERATORS:
            after_ok = i + 1 < len(words) and words[i + 1] not in _OPERATORS - {"NOT"}
            before_ok = word == "NOT" or (i > 0 and words[i - 1] not in _OPERATORS)
            if not (after_ok and before_ok):
                return False
    return True


def _plain_terms(text: str) -> str:
    """The words of `text` with every piece of query syntax taken out."""
    words = _WORD_RE.findall(_SYNTAX_RE.sub(" ", text))
    return " ".join(w for w in words if w not in _OPERATORS)


def _has_terms(q: wq.Query) -> bool:
    return q is not wq.NullQuery and bool(list(q.iter_all_terms()))


def parse_query(schema, text: str) -> tuple[wq.Query | None, str | None]:
    """The Whoosh query for a reader's text and a note when it had to be simplified; (None, note) when the
    text holds nothing searchable. Never raises."""
    message = None
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        message = _("คำค้นยาวเกินไป จึงค้นจาก %(n)s ตัวอักษรแรก", n=MAX_QUERY_LENGTH)
    parser = _parser(schema)
    if _balanced(text):
        try:
            parsed = parser.parse(text)
            if _has_terms(parsed):
                return parsed, message
        except Exception:  # noqa: BLE001 - any parser failure falls back to plain words
            pass
    plain = _plain_terms(text)
    note = message or _("คำค้นมีเครื่องหมายที่ใช้ไม่ครบคู่หรือไม่ถูกที่ จึงค้นเป็นคำธรรมดาแทน")
    if plain and plain != text:
        try:
            parsed = parser.parse(plain)
            if _has_terms(parsed):
                return parsed, note
        except Exception:  # noqa: BLE001
            pass
    return None, message or _("ไม่พบคำที่ใช้ค้นได้ ลองพิมพ์คำภาษาไทยหรือภาษาอังกฤษที่ต้องการค้น")


def _day_start_utc(day: date) -> datetime:
    """Midnight in Bangkok at the start of `day`, as the naive UTC time the index stores."""
    return datetime.combine(day, time(0), BANGKOK).astimezone(UTC).replace(tzinfo=None)


@dataclass
class FilterKeys:
    """The filters as the documents store them (both backends compare these exact values); None is no filter,
    while an empty string (a tag of punctuation only) is a filter nothing passes."""

    tag: str | None = None
    station: str | None = None
    blog: str | None = None
    author: str | None = None
    start: datetime | None = None  # naive UTC, inclusive
    end: datetime | None = None  # naive UTC, exclusive

    def is_empty(self) -> bool:
        values = (self.tag, self.station, self.blog, self.author, self.start, self.end)
        return all(value is None for value in values)


def filter_keys(filters: SearchFilters) -> FilterKeys:
    """Normalise the reader's filters: tags as tags are stored, slugs and usernames by their keys, dates as
    the UTC span of the Bangkok calendar days."""
    return FilterKeys(
        tag=normalize_tag(filters.tag) if filters.tag else None,
        station=filters.station.strip().lower() if filters.station else None,
        blog=filters.blog.strip().lower() if filters.blog else None,
        author=filters.author.strip().lstrip("@").lower() if filters.author else None,
        start=_day_start_utc(filters.date_from) if filters.date_from else None,
        end=_day_start_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None,
    )


def filter_query(filters: SearchFilters) -> wq.Query | None:
    keys = filter_keys(filters)
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


def _published_statement(*options: ORMOption) -> Select:
    """Entries among the ids ("ids", a list) that the database still shows as published, author loaded."""
    return (
        select(Entry)
        .join(User, User.id == Entry.author_id)
        .where(
            Entry.id.in_(bindparam("ids", expanding=True)),
            Entry.status == STATUS_PUBLISHED,
            User.is_suspended.is_(False),
        )
        .options(contains_eager(Entry.author), *options)
    )


# Built once: building it cost as much as running it. Results show the blog, the tags and a snippet of the body.
_RESULT_ENTRIES = _published_statement(joinedload(Entry.blog), selectinload(Entry.tags))


def _published_entries(ids: list[int], stmt: Select = _RESULT_ENTRIES) -> dict[int, Entry]:
    """The entries among `ids` that the database still shows as published, with what results show."""
    if not ids:
        return {}
    return {entry.id: entry for entry in db.session.scalars(stmt, {"ids": ids}).unique()}


def _body_phrases(q: wq.Query) -> list[tuple[str, ...]]:
    """The word sequences the query looks for in the body, longest first (none from under a NOT)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
        elif isinstance(node, wq.Phrase):
            if node.fieldname == FIELD and node.words:
                found.add(tuple(node.words))
        elif isinstance(node, wq.Term):
            if node.fieldname == FIELD and isinstance(node.text, str):
                found.add((node.text,))
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return sorted(found, key=len, reverse=True)


def _cluster_start(text: str, index: int) -> int:
    """Move `index` back so a cut there does not split a Thai letter from its vowel or tone marks."""
    while index > 0 and (
        unicodedata.category(text[index]).startswith("M")
        or text[index] == "\u0e33"
        or text[index - 1] in _THAI_LEADING_VOWELS
    ):
        index -= 1
    return index


def _marked_spans(fragment: str, phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Character spans of `fragment` where a whole query phrase (or word) occurs, as the analyzer reads it."""
    tokens = [(t.text, t.startchar, t.endchar) for t in ThaiAnalyzer()(fragment, positions=True, chars=True)]
    words = [text for text, _, _ in tokens]
    spans: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        for phrase in phrases:
            if tuple(words[i : i + len(phrase)]) == phrase:
                start, end = tokens[i][1], tokens[i + len(phrase) - 1][2]
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
                break
    return spans


def _fragment_at(body: str, position: int) -> tuple[int, str]:
    """A stretch of about SNIPPET_LENGTH characters of `body` starting shortly before `position`."""
    start = 0
    if position > SNIPPET_LEAD:
        space = body.rfind(" ", position - SNIPPET_LEAD - 20, position)
        start = space + 1 if space >= 0 else _cluster_start(body, position - SNIPPET_LEAD)
    return start, excerpt(body[start:], SNIPPET_LENGTH).removesuffix("…")


def _render(body: str, start: int, fragment: str, spans: list[tuple[int, int]]) -> tuple[str, str]:
    before = "…" if start else ""
    after = "…" if start + len(fragment) < len(body) else ""
    html, cursor = [], 0
    for span_start, span_end in spans:
        html.append(f"{escape(fragment[cursor:span_start])}<mark>{escape(fragment[span_start:span_end])}</mark>")
        cursor = span_end
    html.append(str(escape(fragment[cursor:])))
    return f"{before}{''.join(html)}{after}", f"{before}{fragment}{after}"


def snippet(body: str, phrases: list[tuple[str, ...]]) -> tuple[str, str]:
    """The excerpt of a stored body around the first place a query phrase occurs, as HTML with <mark>s and as
    text; the start of the body when the words matched elsewhere (title, tags, comments).

    Marks cover whole phrases, so a query for การจัดการความรู้ does not light up every การ on the page, and only
    a short stretch of the body is analysed, so a long entry costs no more than a short one.
    """
    lowered = body.lower()
    if phrases and len(lowered) == len(body):
        pattern = "|".join(_PIECE_GAP.join(map(re.escape, phrase)) for phrase in phrases)
        for count, match in enumerate(re.finditer(pattern, lowered)):
            if count == MAX_SNIPPET_CANDIDATES:
                break
            start, fragment = _fragment_at(body, match.start())
            spans = _marked_spans(fragment, phrases)
            if spans:
                return _render(body, start, fragment, spans)
    fragment = excerpt(body, SNIPPET_LENGTH).removesuffix("…")
    return _render(body, 0, fragment, [])


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

    Read while the searcher is opened (app.search.index.open_searcher): Whoosh looks for a column's file on disk
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


def _whoosh_matches(searcher: Searcher, q: wq.Query) -> postings.Matches:
    """Matches of a query the array evaluator leaves to Whoosh (a phrase under OR or NOT), with Whoosh's scores."""
    hits = sorted((hit.docnum, hit.score) for hit in searcher.search(q, limit=None))
    if not hits:
        return postings.Matches.empty()
    ids, scores = zip(*hits, strict=True)
    return postings.Matches(np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64))


def _run(held: _Held, plan: _Plan, allowed: np.ndarray | None, order: str, page: int, per_page: int):
    """The page's (docnum, score) pairs, the total, and whether the total is an estimate.

    Matching, counting and ranking run on whole posting lists as arrays (app.search.postings), so the total is
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
    unsure = [docnum for docnum in ids if docnum not in fully_sure]
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
    directory = live_dir(path)
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


def read_query(schema, q: str, sort: str, filtered: bool) -> tuple[wq.Query | None, str, str | None]:
    """The parsed query, the order to rank it in, and a note for the reader. Words rank by `sort`; no words
    but a filter lists every entry the filter lets through, newest first; neither finds nothing."""
    if q.strip():
        parsed, message = parse_query(schema, q)
        return parsed, sort, message
    return (wq.Every() if filtered else None), "newest", None


def whoosh_window(q: str, filters: SearchFilters, sort: str, page: int, per_page: int) -> Window:
    """The page of matches from the Whoosh index (the `whoosh` backend)."""

    def work(held: _Held) -> Window:
        searcher = held.searcher
        flt = filter_query(filters)
        parsed, order, message = read_query(searcher.schema, q, sort, flt is not None)
        window = Window(parsed, message)
        if parsed is None:
            return window
        lexicon = substring.segment_lexicons(searcher) if current_app.config["SEARCH_THAI_SUBSTRINGS"] else None
        plan = plan_query(parsed, searcher.schema[FIELD].analyzer.paired, lexicon)
        hits, window.total, window.total_is_estimate = _run(
            held, plan, _allowed_docs(searcher, flt), order, page, per_page
        )
        window.ids = [int(searcher.stored_fields(docnum)["entry_id"]) for docnum, _ in hits]
        window.scores = [float(score or 0.0) for _, score in hits]
        return window

    return _searching(work)


def search(
    q: str, filters: SearchFilters | None = None, *, sort: str = "relevance", page: int = 1, per_page: int = 10
) -> SearchPage:
    """One page of published entries matching `q` and `filters`, from the configured backend.

    An empty `q` with filters lists the matching entries newest first; with no filters it finds nothing.
    Syntax mistakes never raise: the query falls back to its plain words and `message` says so.
    """
    filters = filters or SearchFilters()
    _check(sort, page, per_page, filters)
    q = q or ""
    window = backends.current().window(q, filters, sort, page, per_page)
    result = SearchPage(
        query=q,
        page=page,
        per_page=per_page,
        total=window.total,
        sort=sort,
        total_is_estimate=window.total_is_estimate,
        message=window.message,
    )
    if window.parsed is None or not window.ids:
        return result
    entries = _published_entries(window.ids)
    phrases = _body_phrases(window.parsed)
    for entry_id, score in zip(window.ids, window.scores or [0.0] * len(window.ids), strict=True):
        if entry_id in entries:
            entry = entries[entry_id]
            html, text = snippet(prepare(html_to_text(entry.body_html)), phrases)
            result.hits.append(SearchHit(entry, html, text, score))
    return result


def key_terms(entry: Entry) -> Counter[str]:
    """The words of `entry`'s title and body as the query analyzer reads them, counted: the material of
    "more like this" -- single words, not the pair terms, which mostly occur in one entry only and so would
    find nothing but the entry."""
    return Counter(analyze(f"{entry.title}\n{html_to_text(entry.body_html)}"))


def whoosh_related_ids(entry: Entry, limit: int) -> list[int]:
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


def _stations_by_blog(blog_ids: set[int]) -> dict[int, list[Station]]:
    stations: dict[int, list[Station]] = {}
    if not blog_ids:
        return stations
    rows = db.session.execute(
        select(StationBlog.blog_id, Station)
        .join(Station, Station.id == StationBlog.station_id)
        .where(StationBlog.blog_id.in_(blog_ids), StationBlog.status == STATUS_ACCEPTED)
        .order_by(Station.slug_key)
    )
    for blog_id, station in rows:
        stations.setdefault(blog_id, []).append(station)
    return stations


def page_as_json(page: SearchPage, url_for_entry: Callable[[Entry], str]) -> dict:
    """The API's shape of a results page (also printed by `flask search query --json`)."""
    stations = _stations_by_blog({hit.entry.blog_id for hit in page.hits})
    return {
        "query": page.query,
        "total": page.total,
        "total_is_estimate": page.total_is_estimate,
        "page": page.page,
        "per_page": page.per_page,
        "results": [
            {
                "number": hit.entry.number,
                "title": hit.entry.title,
                "url": url_for_entry(hit.entry),
                "blog": hit.entry.blog.slug,
                "author": hit.entry.author.username,
                "tags": [tag.name for tag in hit.entry.tags],
                "stations": [station.slug for station in stations.get(hit.entry.blog_id, [])],
                "published_at": iso_utc(hit.entry.published_at),
                "snippet": hit.snippet_text,
            }
            for hit in page.hits
        ],
    }
