"""Searching the index: parse the reader's words, filter, rank, page, and load the hits from the database.

The database is the truth: hits are loaded from it in the engine's rank order and any entry it no longer
shows as published (deleted, back to draft, author suspended since) is dropped from the page.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.qparser import MultifieldParser, plugins
from whoosh.searching import Searcher

from app.extensions import db
from app.models import STATUS_PUBLISHED, Entry, Station, StationBlog, User
from app.models.station import STATUS_ACCEPTED
from app.search.analyzer import ThaiAnalyzer
from app.search.index import current_dir
from app.text.dates import BANGKOK, iso_utc
from app.text.markdown import excerpt
from app.text.tags import normalize_tag

SORTS = ("relevance", "newest")
MAX_PER_PAGE = 100
# Longer queries are cut here: hundreds of words would only make a slow query that finds nothing.
MAX_QUERY_LENGTH = 200
SNIPPET_LENGTH = 200

# Ranking weight of each field (BM25F); the title counts most, comments least.
FIELD_BOOSTS: dict[str, float] = {
    "title": 3.0,
    "body": 1.0,
    "tags_text": 2.0,
    "blog_title": 1.0,
    "author_name": 1.0,
    "stations_text": 1.0,
    "comments": 0.3,
}

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
    parser = MultifieldParser(list(FIELD_BOOSTS), schema, fieldboosts=FIELD_BOOSTS)
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


def filter_query(filters: SearchFilters) -> wq.Query | None:
    terms: list[wq.Query] = []
    if filters.tag:
        terms.append(wq.Term("tags", normalize_tag(filters.tag)))
    if filters.station:
        terms.append(wq.Term("stations", filters.station.strip().lower()))
    if filters.blog:
        terms.append(wq.Term("blog", filters.blog.strip().lower()))
    if filters.author:
        terms.append(wq.Term("author", filters.author.strip().lstrip("@").lower()))
    if filters.date_from or filters.date_to:
        start = _day_start_utc(filters.date_from) if filters.date_from else None
        end = _day_start_utc(filters.date_to + timedelta(days=1)) if filters.date_to else None
        terms.append(wq.DateRange("published", start, end, endexcl=True))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.And(terms)


def _published_entries(ids: list[int]) -> dict[int, Entry]:
    """The entries among `ids` that the database still shows as published, with what results show."""
    if not ids:
        return {}
    stmt = (
        select(Entry)
        .join(User, User.id == Entry.author_id)
        .where(Entry.id.in_(ids), Entry.status == STATUS_PUBLISHED, User.is_suspended.is_(False))
        .options(joinedload(Entry.author), joinedload(Entry.blog), selectinload(Entry.tags))
    )
    return {entry.id: entry for entry in db.session.scalars(stmt).unique()}


def _body_phrases(q: wq.Query) -> list[tuple[str, ...]]:
    """The word sequences the query looks for in the body, longest first (none from under a NOT)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
        elif isinstance(node, wq.Phrase):
            if node.fieldname == "body" and node.words:
                found.add(tuple(node.words))
        elif isinstance(node, wq.Term):
            if node.fieldname == "body" and isinstance(node.text, str):
                found.add((node.text,))
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return sorted(found, key=len, reverse=True)


def _cluster_start(text: str, index: int) -> int:
    """Move `index` back so a cut there does not split a Thai letter from its vowel or tone marks."""
    while index > 0 and (unicodedata.category(text[index]).startswith("M") or text[index] == "\u0e33"
                         or text[index - 1] in _THAI_LEADING_VOWELS):
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


def _run(searcher: Searcher, q: wq.Query, flt: wq.Query | None, sort: str):
    """Every match, scored or sorted in one pass: asking for the top N and then for the total would run the
    query twice (Whoosh counts by matching again), which costs more than ranking all matches once."""
    if sort == "newest":
        return searcher.search(q, limit=None, filter=flt, sortedby="published", reverse=True)
    return searcher.search(q, limit=None, filter=flt)


@contextmanager
def _searcher() -> Iterator[Searcher]:
    """A searcher on the live index, kept per thread while the index is unchanged.

    A changed index gets a new searcher rather than Searcher.refresh(), which reuses the readers of old
    segments together with their old lists of deleted documents, so an edited entry would still match its
    old text.
    """
    directory = current_dir()
    cached = getattr(_local, "searcher", None)
    if cached is not None and cached[0] == directory and cached[1].up_to_date():
        searcher = cached[1]
    else:
        if cached is not None:
            cached[1].close()
        searcher = whoosh_index.open_dir(str(directory)).searcher()
        _local.searcher = (directory, searcher)
    yield searcher


def search(
    q: str, filters: SearchFilters | None = None, *, sort: str = "relevance", page: int = 1, per_page: int = 10
) -> SearchPage:
    """One page of published entries matching `q` and `filters`.

    An empty `q` with filters lists the matching entries newest first; with no filters it finds nothing.
    Syntax mistakes never raise: the query falls back to its plain words and `message` says so.
    """
    filters = filters or SearchFilters()
    _check(sort, page, per_page, filters)
    q = q or ""
    result = SearchPage(query=q, page=page, per_page=per_page, total=0, sort=sort)
    with _searcher() as searcher:
        flt = filter_query(filters)
        if q.strip():
            parsed, result.message = parse_query(searcher.schema, q)
            order = sort
        else:
            parsed, order = (wq.Every() if flt is not None else None), "newest"
        if parsed is None:
            return result
        results = _run(searcher, parsed, flt, order)
        result.total = len(results)
        window = [(int(hit["entry_id"]), hit.get("body", ""), hit.score) for hit in
                  results[(page - 1) * per_page : page * per_page]]
    entries = _published_entries([entry_id for entry_id, _, _ in window])
    phrases = _body_phrases(parsed)
    for entry_id, body, score in window:
        if entry_id in entries:
            html, text = snippet(body, phrases)
            result.hits.append(SearchHit(entries[entry_id], html, text, float(score or 0.0)))
    return result


def related_entries(entry: Entry, limit: int = 5) -> list[Entry]:
    """Published entries most like `entry` ("more like this" over the body), never the entry itself."""
    with _searcher() as searcher:
        docnum = searcher.document_number(entry_id=str(entry.id))
        if docnum is None:
            return []
        results = searcher.more_like(docnum, "body", top=limit + 5, numterms=12)
        ids = [int(hit["entry_id"]) for hit in results if hit["entry_id"] != str(entry.id)]
    found = _published_entries(ids)
    return [found[i] for i in ids if i in found][:limit]


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
