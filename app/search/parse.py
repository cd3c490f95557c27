"""Reading a search request: the reader's words as a query tree, the filters as the documents store them.

The words are parsed by Whoosh's query parser, with the syntax readers are offered and nothing else; the same
tree goes to either backend (app.search.backends.Lookup). A request that cannot be used raises QueryError, a
Thai message; words that cannot be parsed never raise, they fall back to plain words with a note.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import QueryParser, plugins

from app.search.backends import FilterKeys, Lookup
from app.search.schema import TEXT_FIELD, build_schema
from app.text.dates import BANGKOK
from app.text.tags import normalize_tag

SORTS = ("relevance", "newest")
MAX_PER_PAGE = 100
# Longer queries are cut here: hundreds of words would only make a slow query that finds nothing.
MAX_QUERY_LENGTH = 200

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


def check_request(sort: str, page: int, per_page: int, filters: SearchFilters) -> None:
    if sort not in SORTS:
        raise QueryError(_("ไม่รู้จักวิธีเรียงผลลัพธ์ “%(sort)s” (ใช้ relevance หรือ newest)", sort=sort))
    if page < 1:
        raise QueryError(_("เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"))
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(_("จำนวนผลลัพธ์ต่อหน้าต้องอยู่ระหว่าง 1 ถึง %(n)s", n=MAX_PER_PAGE))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise QueryError(_("วันที่เริ่มต้นต้องไม่อยู่หลังวันที่สิ้นสุด"))


def _parser(schema: Schema) -> QueryParser:
    parser = QueryParser(TEXT_FIELD, schema)
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


def parse_query(schema: Schema, text: str) -> tuple[wq.Query | None, str | None]:
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


@functools.cache
def query_schema() -> Schema:
    """The schema queries are parsed with: this release's fields; the analyzer reads a query the same whatever
    common terms an index pairs (app.search.analyzer)."""
    return build_schema()


def read_lookup(q: str, filters: SearchFilters, sort: str) -> tuple[Lookup | None, str | None]:
    """What to ask the backend for, and a note for the reader. Words rank by `sort`; no words but a filter
    lists every entry the filter lets through, newest first; neither (or words with nothing searchable in
    them) finds nothing: (None, note)."""
    keys = filter_keys(filters)
    if not q.strip():
        return (Lookup(wq.Every(), "newest", keys) if not keys.is_empty() else None), None
    parsed, message = parse_query(query_schema(), q)
    return (Lookup(parsed, sort, keys) if parsed is not None else None), message
