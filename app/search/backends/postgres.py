"""The shared backend: search documents in PostgreSQL, one `search_documents` row per searchable entry.

PostgreSQL cannot cut Thai into words, so `to_tsvector` is never used: the terms come from the same Thai
analyzer as the Whoosh index (app.search.analyzer) and are written as a tsvector literal -- every term quoted,
with its positions and a weight label per section -- cast with the tsvector type's own input function, which
keeps lexemes exactly as given (the `simple` configuration would split and fold them again). Each two
neighbouring terms of a section are also written as one lexeme (`'ความ รู้'`, at the first one's position), so
a Thai word of two pieces is one lexeme to look up, and a longer phrase is its pairs two by two. Queries are
read by the same parser (app.search.parse.parse_query) and written as a tsquery literal the same way: quoted
lexemes, phrases as pairs with `<->` / `<N>`, AND / OR / NOT as `&`, `|`, `!`. No text of the reader's ever
reaches SQL but as a bound parameter, and every lexeme is quoted, so no input can change the query's shape.

The documents are indexed with RUM (the `rum` extension, DEPLOY.md), which keeps each lexeme's positions and
labels in the index: phrases are matched there, without reading documents back, and a page is ranked by
walking the index in distance order (`<=>`, RUM's cover-density score with its own label weights: title A 1,
tags B 0.4, names and body C 0.2, comments D 0.1). Differences from Whoosh, by PostgreSQL's design: a lexeme
keeps at most 256 positions, and positions stop at 16,383 (an entry longer than about 16,000 words still
matches each of its words, but a phrase past that point is not found); scores are not on Whoosh's scale.

RUM sorts every match by distance before returning the first, so a query with very many matches is ranked
in two parts (BOUNDED_RANK): its newest matches of the query's own words, found through the date index, ranked
among themselves first, then every other match ranked as usual; the pages together hold the same matches.

A query matching a large share of the documents is not counted match by match: its matches in a sample of
the documents (a small partial index of its own) are counted and scaled up, and the total is shown as an
estimate ("about", as Whoosh shows for very common phrases); below COUNT_LIMIT the count is exact.

Writers serialise on an advisory lock, as Whoosh writers do on the index lock; each outbox batch is applied,
and its tasks deleted, in one transaction, so readers see a change whole or not at all.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from whoosh import query as wq

from app.extensions import db
from app.models import Entry, SearchTask
from app.search import substring
from app.search.analyzer import SECTION_GAP, Sections, iter_terms, pair_term, prepare
from app.search.backends import FilterKeys, Lookup, ReindexResult, Window
from app.search.documents import (
    SECTION_WEIGHTS,
    entries_by_id,
    entry_document,
    indexable_entries_query,
    key_terms,
    load_context,
    map_in_processes,
)
from app.search.outbox import expand_tasks, read_tasks

logger = logging.getLogger(__name__)

# Not in the models' metadata: the table exists only on PostgreSQL (migration b7d2e41c9a10).
metadata = MetaData()
search_documents = Table(
    "search_documents",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
    Column("document", TSVECTOR, nullable=False),
    Column("tags", ARRAY(Text), nullable=False),
    Column("stations", ARRAY(Text), nullable=False),
    Column("blog", Text, nullable=False),
    Column("blog_id", Integer, nullable=False),
    Column("author", Text, nullable=False),
    Column("author_id", Integer, nullable=False),
    Column("published_at", DateTime, nullable=False),
)

# The Thai pieces of the documents (migration t19r_search_terms), for app.search.substring.
search_terms = Table(
    "search_terms",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("term", Text, nullable=False, unique=True),
)

# Sections onto PostgreSQL's weight labels; names and body share C, as they share a weight.
SECTION_LABELS = {"title": "A", "tags": "B", "names": "C", "body": "C", "comments": "D"}
# PostgreSQL's tsvector limits: positions 1..16383, 256 positions per lexeme, 2,047 bytes per lexeme.
MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 256
MAX_LEXEME_CHARS = 500  # at most 4 bytes a character: always under the byte limit
# Neighbouring sets of a phrase make at most this many pair lexemes (phrase_text).
PAIR_SET_LIMIT = 256
# Newest first: the date index is read, each document checked, until the page is full, when that should take
# at most this many documents (about 11 µs each at 100,000 entries); otherwise every match is found through
# the index and sorted by date.
NEWEST_WALK_ROWS = 500
# Relevance order of a query with many matches: RUM computes the distance of every match (before the filters)
# and sorts them all before returning the first. From BOUNDED_MIN_MATCHES matches on, the newest BOUNDED_RANK
# matches of the query's own words that pass the filters (found through the date index, each document of the
# filter's rows checked) are ranked among themselves and come first; every other match follows, ranked as
# before. Used when that should check at most BOUNDED_READ_ROWS documents (from the density of the matches)
# and read at most BOUNDED_SCAN_ROWS rows (from the density of those passing the filters), which is also as
# far as it reads, from the newest of the filter's dates (fewer candidates then).
BOUNDED_RANK = 100
BOUNDED_MIN_MATCHES = 20000
BOUNDED_READ_ROWS = 1000
BOUNDED_SCAN_ROWS = 5000
# Counting: one document in COUNT_SAMPLE (by a hash of its entry id) is also in a small RUM index of its own
# (migration t19q_count_sample), where a query's matches are counted first. When they make COUNT_LIMIT or more
# matches in all, the total is that count times COUNT_SAMPLE, shown as an estimate; below it every match is
# counted. COUNT_SAMPLE must be a power of two and the index's predicate (_in_sample) must use it.
COUNT_SAMPLE = 16
COUNT_LIMIT = 1000
# Tasks an outbox batch applies, entries per INSERT, and how long a rebuild waits for the writers' lock.
WRITE_BATCH = 500
REINDEX_LOCK_TIMEOUT = 60.0
# "More like this": the entry's most frequent words weighed by rarity, of which the best are searched.
RELATED_CANDIDATES = 40
RELATED_KEY_TERMS = 12
RELATED_POSTINGS_SHARE = 0.5
# pg_advisory_xact_lock key of the search writers ("sala" as a number).
WRITE_LOCK_KEY = 0x73616C61


def quote_lexeme(term: str) -> str:
    """`term` as one quoted lexeme of tsvector or tsquery input: quotes and backslashes doubled."""
    term = term[:MAX_LEXEME_CHARS]
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(sections: Sections) -> str:
    """A document's terms with their positions and section labels, as tsvector input.

    Positions run on across sections with SECTION_GAP empty ones between, as in the Whoosh index, so no
    phrase spans two sections; past MAX_POSITION they stay there (PostgreSQL's ceiling).
    """
    return _tsvector_text(_positions(sections))


def _tsvector_text(positions: dict[str, list[str]]) -> str:
    return " ".join(f"{quote_lexeme(term)}:{','.join(found)}" for term, found in positions.items())


def _positions(sections: Sections) -> dict[str, list[str]]:
    """Each term's labelled positions (tsvector_text)."""
    positions: dict[str, list[str]] = {}
    position = 1
    for name, (section, _weight) in zip(SECTION_WEIGHTS, sections.sections, strict=True):
        label = SECTION_LABELS[name]
        previous = None
        for term, _start, _end in iter_terms(prepare(section)):
            _add_position(positions, term, position, label)
            if previous is not None:
                _add_position(positions, pair_term(previous, term), position - 1, label)
            previous = term
            position += 1
        position += SECTION_GAP
    return positions


def _add_position(positions: dict[str, list[str]], term: str, position: int, label: str) -> None:
    found = positions.setdefault(term, [])
    if len(found) < MAX_POSITIONS_PER_LEXEME:
        found.append(f"{min(position, MAX_POSITION)}{label}")


def _set_text(terms: frozenset[str]) -> str:
    quoted = [quote_lexeme(term) for term in sorted(terms)]
    return quoted[0] if len(quoted) == 1 else f"({' | '.join(quoted)})"


def phrase_text(sets: Sequence[frozenset[str]], lexicon: substring.Lexicon | substring.Lexicons | None = None) -> str:
    """Terms side by side (a set: any of its terms there), as pair lexemes: `'a b' <-> 'b c'` for a b c.

    Pairs cover the phrase two by two (`'a b' <2> 'c d'`), so a phrase of two words is one lexeme and a
    longer one needs positions only of its pairs. A set that is every term of the `lexicon` starting with some
    letters (an open edge of app.search.substring) becomes prefix lexemes, `'a รู้':*`, one per term before it:
    a query's cost grows with its number of lexemes for every candidate document. Where two neighbouring sets
    would still make more than PAIR_SET_LIMIT pairs, the phrase is written as its single lexemes instead.
    """
    if len(sets) == 1:
        return _set_text(sets[0])
    pair_texts = [_pairs_text(first, second, lexicon) for first, second in pairwise(sets)]
    if any(text is None for text in pair_texts):
        return "(" + " <-> ".join(map(_set_text, sets)) + ")"
    starts = list(range(0, len(sets) - 1, 2))
    if starts[-1] != len(sets) - 2:
        starts.append(len(sets) - 2)
    parts = [pair_texts[starts[0]]]
    for before, start in pairwise(starts):
        parts.append("<->" if start - before == 1 else f"<{start - before}>")
        parts.append(pair_texts[start])
    return parts[0] if len(parts) == 1 else "(" + " ".join(parts) + ")"


def _pairs_text(first: frozenset[str], second: frozenset[str], lexicon) -> str | None:
    """Any term of `first` followed by any of `second`, as pair lexemes (None: too many)."""
    prefix = _prefix_of(second, lexicon)
    if prefix is not None:
        quoted = [quote_lexeme(pair_term(term, prefix)) + ":*" for term in sorted(first)]
    elif len(first) * len(second) <= PAIR_SET_LIMIT:
        quoted = [quote_lexeme(pair_term(a, b)) for a in sorted(first) for b in sorted(second)]
    else:
        return None
    if len(quoted) > PAIR_SET_LIMIT:
        return None
    return quoted[0] if len(quoted) == 1 else f"({' | '.join(quoted)})"


def _prefix_of(terms: frozenset[str], lexicon) -> str | None:
    """The letters every one of `terms` starts with, when they are all the lexicon's terms that do."""
    if lexicon is None or len(terms) < 2:
        return None
    prefix = os.path.commonprefix(sorted(terms))
    if not prefix or not substring.is_thai(prefix):
        return None
    found = lexicon.starting_with(prefix, substring.MAX_SET_TERMS)
    return prefix if len(found) == len(terms) and set(found) == terms else None


def _alternatives_text(alternatives: list[substring.Alternative], lexicon) -> str:
    """A Thai phrase as any of its alternatives (app.search.substring): sets of lexemes side by side."""
    texts = [phrase_text(alt, lexicon) for alt in substring.without_subsumed(alternatives)]
    return f"({' | '.join(texts)})"


def tsquery_text(node: wq.Query, lexicon: substring.Lexicon | substring.Lexicons | None = None) -> str | None:
    """The parsed query as tsquery input, or None when it holds no term (Every: no condition on the words).

    AndMaybe keeps only its required side: tsquery has no "ranks higher if also present". With the documents'
    `lexicon`, Thai words are also found where the text was cut differently (app.search.substring).
    """
    if lexicon is not None and isinstance(node, (wq.Phrase, wq.Term)):
        words = list(node.words) if isinstance(node, wq.Phrase) else [node.text]
        if words and all(isinstance(word, str) and word for word in words):
            alternatives = substring.phrase_alternatives(words, lexicon)
            if len(alternatives) > 1:
                return _alternatives_text(alternatives, lexicon)
    if isinstance(node, wq.Phrase):
        words = [frozenset((word,)) for word in node.words if word]
        return phrase_text(words) if words else None
    if isinstance(node, wq.Term):
        return quote_lexeme(node.text) if isinstance(node.text, str) and node.text else None
    if isinstance(node, wq.Not):
        inner = tsquery_text(node.query, lexicon)
        return f"!{inner}" if inner else None
    if isinstance(node, wq.AndNot):
        positive, negative = tsquery_text(node.a, lexicon), tsquery_text(node.b, lexicon)
        if positive is None or negative is None:
            return positive
        return f"({positive} & !{negative})"
    if isinstance(node, wq.BinaryQuery):  # AndMaybe, Require
        return tsquery_text(node.a, lexicon)
    if isinstance(node, wq.CompoundQuery):
        parts = [part for part in (tsquery_text(child, lexicon) for child in node.subqueries) if part]
        if not parts:
            return None
        joiner = " | " if isinstance(node, (wq.Or, wq.DisjunctionMax)) else " & "
        return f"({joiner.join(parts)})"
    return None


def _filters(keys, docs=search_documents.c) -> list:
    """WHERE conditions for the normalised filters (app.search.parse.filter_keys), on the columns `docs`."""
    conditions = []
    if keys.tag is not None:
        conditions.append(docs.tags.contains([keys.tag]))
    if keys.station is not None:
        conditions.append(docs.stations.contains([keys.station]))
    if keys.blog is not None:
        conditions.append(docs.blog == keys.blog)
    if keys.author is not None:
        conditions.append(docs.author == keys.author)
    if keys.start is not None:
        conditions.append(docs.published_at >= keys.start)
    if keys.end is not None:
        conditions.append(docs.published_at < keys.end)
    return conditions


def _distance(tsquery):
    """RUM's distance of a document from the query (1 / its ts_rank_cd-like score), which its index orders by."""
    return search_documents.c.document.op("<=>", return_type=Float)(tsquery)


@contextmanager
def _planner(session: Session, **settings: str) -> Iterator[None]:
    """Planner settings (enable_seqscan="off"...) for the statements of the body, the old ones back after it.

    The planner prices any plan that reads documents too low: each row it checks or ranks means detoasting a
    whole document (tens of KiB with its pair lexemes), so a plan that reads thousands of them looks cheap and
    takes hundreds of ms. Searches therefore count through the index only (a bitmap scan: RUM matches phrases
    itself, so no document is rechecked) and rank by walking the RUM index in distance order.
    """
    names = [f"enable_{name}" for name in settings]
    params = {f"v{i}": value for i, value in enumerate(settings.values())}
    old = session.execute(
        text(
            "SELECT "
            + ", ".join(f"current_setting('{name}')" for name in names)
            + ", "
            + ", ".join(f"set_config('{name}', :v{i}, true)" for i, name in enumerate(names))
        ),
        params,
    ).one()[: len(names)]
    try:
        yield
    finally:
        session.execute(
            text("SELECT " + ", ".join(f"set_config('{name}', :v{i}, true)" for i, name in enumerate(names))),
            {f"v{i}": value for i, value in enumerate(old)},
        )


def _count_only(session: Session):
    return _planner(session, seqscan="off", indexscan="off")


def _ranked_walk(session: Session):
    return _planner(session, seqscan="off", bitmapscan="off", sort="off")


def _in_sample(entry_id):
    """The condition of the sample index's rows, as its predicate spells it (literals: the planner proves the
    partial index usable only from the same expression)."""
    mask = literal_column(str(COUNT_SAMPLE - 1))
    return func.hashint4(entry_id).op("&")(mask) == literal_column("0")


def _matched(matches, *conditions):
    """The rows the filters read of the documents `matches` finds, as the index alone finds them: OFFSET 0 keeps
    the planner from pushing the filters in, where it would rather check each document of a filter's rows."""
    docs = search_documents.c
    return (
        select(docs.entry_id, docs.tags, docs.stations, docs.blog, docs.author, docs.published_at)
        .where(matches, *conditions)
        .offset(0)
        .subquery("matched")
    )


def _count(session: Session, matches, keys) -> tuple[int, bool, int]:
    """How many documents match (`matches`, a condition on search_documents) and pass the filters `keys`,
    whether that is an estimate, and about how many match with or without the filters (the index's work when
    it ranks them). The sample's matches are counted first (a sixteenth of the index's work, which grows with
    every match); only when they stand for fewer than COUNT_LIMIT matches is every match counted.
    The estimate's relative error is about 1 / sqrt(the sample's count): 13 % at the limit, 4 % at 10,000.

    The matches come from the index alone and are filtered afterwards on their rows (OFFSET 0 keeps the
    planner from pushing the filters in, where it would rather check each document of a filter's rows).
    """
    docs = search_documents.c

    def counted(*conditions) -> tuple[int, int]:
        matched = _matched(matches, *conditions)
        passed = func.count().filter(and_(true(), *_filters(keys, matched.c)))
        return session.execute(select(passed, func.count()).select_from(matched)).one()

    with _count_only(session):
        passed, every = counted(_in_sample(docs.entry_id))
        if passed * COUNT_SAMPLE >= COUNT_LIMIT:
            return passed * COUNT_SAMPLE, True, every * COUNT_SAMPLE
        passed, every = counted()
        return passed, False, every


def _ranked_ids(session: Session, where, rank_tsquery, offset: int, limit: int) -> list[tuple[int, float]]:
    """(entry id, score) of the matches of `where` ranked offset..offset + limit by their distance from
    `rank_tsquery`, best first.

    The RUM index yields the matches in distance order without reading their documents; the order is the
    index's own (it sorts every match, so a page is the same slice whatever the limit, equal distances in
    the same order). The score shown is rum_ts_distance computed again for the rows read: for phrases it is
    not the value the index sorted by, so the rows are not sorted by it again.
    """
    docs = search_documents.c
    distance = _distance(rank_tsquery)
    stmt = select(docs.entry_id, distance).where(where).order_by(distance).limit(offset + limit)
    with _ranked_walk(session):
        rows = session.execute(stmt).all()
    return [(entry_id, _score(value)) for entry_id, value in rows[offset:]]


def _has_not(node: wq.Query) -> bool:
    """Whether the query excludes anything (a NOT, or an AND NOT)."""
    if isinstance(node, (wq.Not, wq.AndNot)):
        return True
    return any(_has_not(child) for child in node.children())


def _ranked_by_own_words(
    session: Session, lookup: Lookup, tsquery, own: str, offset: int, limit: int
) -> list[tuple[int, float]]:
    """A page of the matches of `tsquery` (the query with the alternatives of its Thai words), ranked by their
    distance from the query's own words `own`.

    The matches of the alternatives alone are at an infinite distance from the own words, so they rank after
    every match of those: the index is walked first through the own words' matches only (far fewer lexemes to
    evaluate per document than the alternatives' dozens; with a NOT in the query, which the alternatives make
    stricter, each is also checked against the whole query on its row). Only a page past them walks every
    match as before. The order is that of walking every match but for documents at an equal distance from the
    own words.
    """
    docs = search_documents.c
    filters = _filters(lookup.keys)
    own_tsquery = cast(bindparam("own_tsquery", own), TSQUERY)
    first = and_(*filters, docs.document.op("@@")(own_tsquery))
    if _has_not(lookup.query):
        first = and_(first, func.ts_match_vq(docs.document, tsquery))
    rows = _ranked_ids(session, first, own_tsquery, 0, offset + limit)
    if len(rows) < offset + limit:
        # The own words' matches end before this page does: the others follow in the order of walking every
        # match (a RUM index does not exclude a NOT of phrases exactly, so they are not asked for alone).
        seen = {entry_id for entry_id, _ in rows}
        every = and_(*filters, docs.document.op("@@")(tsquery))
        rows += [row for row in _ranked_ids(session, every, own_tsquery, 0, offset + limit) if row[0] not in seen]
    return rows[offset : offset + limit]


def _newest_own_matches(session: Session, lookup: Lookup, tsquery, own_tsquery) -> list[tuple[int, float]]:
    """The bounded candidates of a relevance page (BOUNDED_RANK): (entry id, score) of the newest BOUNDED_RANK
    matches of the query's own words `own_tsquery` that pass the filters among the newest BOUNDED_SCAN_ROWS
    documents of the filter's dates, best first.

    They are found by reading the date index, each document checked, as newest first does; their distance is
    computed on their rows (rum_ts_distance), and equal distances keep date order, so the set and its order
    are the same at every call while no document changes.
    """
    docs = search_documents.c
    dates = _filters(FilterKeys(start=lookup.keys.start, end=lookup.keys.end))
    newest = (
        select(docs.entry_id, docs.document, docs.tags, docs.stations, docs.blog, docs.author, docs.published_at)
        .where(true(), *dates)
        .order_by(docs.published_at.desc(), docs.entry_id.desc())
        .limit(BOUNDED_SCAN_ROWS)
        .subquery("newest")
    )
    found = newest.c
    filters = _filters(lookup.keys, found)
    matches = found.document.op("@@")(own_tsquery)
    # The filters first (CASE keeps the order): the planner would check each document first, which reads it.
    conditions = [case((and_(*filters), matches), else_=false()) if filters else matches]
    if own_tsquery is not tsquery and _has_not(lookup.query):
        conditions.append(func.ts_match_vq(found.document, tsquery))
    stmt = (
        select(found.entry_id, func.rum_ts_distance(found.document, own_tsquery))
        .where(*conditions)
        .order_by(found.published_at.desc(), found.entry_id.desc())
        .limit(BOUNDED_RANK)
    )
    with _ranked_walk(session):
        rows = session.execute(stmt).all()
    order = sorted(range(len(rows)), key=lambda i: (rows[i][1], i))
    return [(rows[i][0], _score(rows[i][1])) for i in order]


def _ranked_page(session: Session, lookup: Lookup, tsquery, query_text: str, offset: int, limit: int):
    """(entry id, score) of matches offset..offset + limit of `tsquery` in relevance order, every match walked.

    Ranked by the query's own words: the distance costs as much as the query is long, and the alternatives
    of a Thai word can be dozens of lexemes (an entry found only by them ranks last).
    """
    own = tsquery_text(lookup.query)
    if own and own != query_text:
        return _ranked_by_own_words(session, lookup, tsquery, own, offset, limit)
    where = and_(*_filters(lookup.keys), search_documents.c.document.op("@@")(tsquery))
    return _ranked_ids(session, where, tsquery, offset, limit)


def _bounded_page(session: Session, lookup: Lookup, tsquery, query_text: str, offset: int, limit: int):
    """A relevance page of a very common query (BOUNDED_RANK): the newest own-word matches ranked among
    themselves first, then every other match in the order of walking them all, so the pages together hold
    every match once."""
    own = tsquery_text(lookup.query)
    own_tsquery = cast(bindparam("own_tsquery", own), TSQUERY) if own and own != query_text else tsquery
    first = _newest_own_matches(session, lookup, tsquery, own_tsquery)
    rows = first[offset : offset + limit]
    if offset + limit > len(first):
        # Past the candidates (rare): the others, ranked as every match is, the candidates left out.
        seen = {entry_id for entry_id, _ in first}
        rest = [
            row for row in _ranked_page(session, lookup, tsquery, query_text, 0, offset + limit) if row[0] not in seen
        ]
        rows += rest[max(0, offset - len(first)) : offset + limit - len(first)]
    return rows


def _documents(session: Session) -> float:
    """The planner's count of the documents (-1 before the table was first analysed)."""
    return session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'search_documents'::regclass"))


def _bounded(session: Session, total: int, unfiltered: int) -> bool:
    """Whether a relevance page ranks the bounded candidates (BOUNDED_RANK): the index would rank at least
    BOUNDED_MIN_MATCHES matches (`unfiltered`, before the filters; `total` pass them), and finding the
    candidates among the documents should check at most BOUNDED_READ_ROWS and read at most BOUNDED_SCAN_ROWS.
    The planner's count of the documents is asked only past the first condition: most queries stop there."""
    if unfiltered < BOUNDED_MIN_MATCHES:
        return False
    documents = _documents(session)
    return (
        bool(documents)
        and documents > 0
        and documents * BOUNDED_RANK <= unfiltered * BOUNDED_READ_ROWS
        and documents * BOUNDED_RANK <= total * BOUNDED_SCAN_ROWS
    )


def _page(
    session: Session, lookup: Lookup, tsquery, query_text: str, total: int, unfiltered: int, offset: int, per_page: int
):
    """The (ids, scores) of a page of the matches of `tsquery` (written `query_text`), ranked or newest first;
    `total` is how many there are, or about, and `unfiltered` how many without the filters."""
    docs = search_documents.c
    matches = docs.document.op("@@")(tsquery)
    where = and_(*_filters(lookup.keys), matches)  # the filters first: checking a match reads the document
    if lookup.order != "newest":
        if _bounded(session, total, unfiltered):
            ranked = _bounded_page(session, lookup, tsquery, query_text, offset, per_page)
        else:
            ranked = _ranked_page(session, lookup, tsquery, query_text, offset, per_page)
        return [entry_id for entry_id, _ in ranked], [score for _, score in ranked]
    documents = _documents(session)
    if not documents or documents < 0 or documents * (offset + per_page) > total * NEWEST_WALK_ROWS:
        # Matches too sparse among the documents to read the date index until the page is full: find them all
        # through the index and sort them (_matched).
        matched = _matched(matches)
        stmt = (
            select(matched.c.entry_id)
            .where(and_(true(), *_filters(lookup.keys, matched.c)))
            .order_by(matched.c.published_at.desc(), matched.c.entry_id.desc())
        )
        planner = _count_only(session)
    else:
        stmt = select(docs.entry_id).where(where).order_by(docs.published_at.desc(), docs.entry_id.desc())
        planner = _ranked_walk(session)
    with planner:
        ids = list(session.scalars(stmt.limit(per_page).offset(offset)))
    return ids, [0.0] * len(ids)


def _document_frequencies(session: Session, terms: list[str], total: int) -> dict[str, float]:
    """How many documents hold each term: from the planner's statistics of the documents' most common lexemes
    (ANALYZE keeps them), and counted through the index for the rarer terms (cheap: their lists are short)."""
    stats = session.execute(
        text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE schemaname = current_schema() AND tablename = 'search_documents' AND attname = 'document'"
        )
    ).first()
    common = dict(zip(stats[0], stats[1], strict=False)) if stats and stats[0] else {}
    found = {term: common[term] * total for term in terms if term in common}
    rare = [term for term in terms if term not in common]
    if rare:
        with _count_only(session):
            counted = session.execute(
                text(
                    "SELECT t.term, (SELECT count(*) FROM search_documents d WHERE d.document @@ CAST(t.q AS tsquery))"
                    " FROM unnest(CAST(:terms AS text[]), CAST(:queries AS text[])) AS t(term, q)"
                ),
                {"terms": rare, "queries": [quote_lexeme(term) for term in rare]},
            ).all()
        found.update(counted)
    return {term: df for term, df in found.items() if 0 < df <= total}


def _score(distance: float | None) -> float:
    return 1.0 / distance if distance and 0 < distance < math.inf else 0.0


def _document_row(entry: Entry, context, thai_terms: set[str]) -> dict | None:
    """The entry's row (None when it must not be searchable); adds its Thai pieces to `thai_terms`."""
    document = entry_document(entry, context)
    if document is None:
        return None
    positions = _positions(document["text"])
    thai_terms.update(term for term in positions if substring.is_thai(term))
    return {
        "entry_id": entry.id,
        "document": _tsvector_text(positions),
        "tags": [tag for tag in document["tags"].split(",") if tag],
        "stations": [slug for slug in document["stations"].split(",") if slug],
        "blog": document["blog"],
        "blog_id": int(document["blog_id"]),
        "author": document["author"],
        "author_id": int(document["author_id"]),
        "published_at": document["published"],
    }


def _upsert(session: Session, rows: list[dict]) -> None:
    if not rows:
        return
    stmt = insert(search_documents).values([{**row, "document": cast(row["document"], TSVECTOR)} for row in rows])
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[search_documents.c.entry_id],
        set_={name: excluded[name] for name in rows[0] if name != "entry_id"},
    )
    session.execute(stmt)


def write_documents(session: Session, entry_ids: Iterable[int]) -> int:
    """Write (or drop) the document of each entry in the session's transaction; returns how many were written."""
    entry_ids = list(entry_ids)
    written = 0
    for start in range(0, len(entry_ids), WRITE_BATCH):
        batch = entry_ids[start : start + WRITE_BATCH]
        entries = entries_by_id(session, batch)
        context = load_context(session, entries)
        thai_terms: set[str] = set()
        rows = [row for row in (_document_row(entry, context, thai_terms) for entry in entries) if row is not None]
        _add_terms(session, thai_terms)
        keep = {row["entry_id"] for row in rows}
        gone = [entry_id for entry_id in batch if entry_id not in keep]
        if gone:
            session.execute(delete(search_documents).where(search_documents.c.entry_id.in_(gone)))
        _upsert(session, rows)
        written += len(rows)
        session.expunge_all()
    return written


def _add_terms(session: Session, terms: set[str]) -> None:
    """Record Thai pieces the lexicon does not have yet (in sorted order, so concurrent writers cannot
    deadlock; they hold the writers' lock anyway)."""
    if terms:
        stmt = insert(search_terms).from_select(
            ["term"], select(func.unnest(cast(bindparam("terms", sorted(terms)), ARRAY(Text))))
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=[search_terms.c.term]))


class _TermsCache:
    """The lexicon of search_terms per database, read once and then only the rows added since (their ids
    grow in commit order). A table emptied or rebuilt (a new file node) is read afresh."""

    MAX_PARTS = 8

    def __init__(self) -> None:
        self.by_database: dict[str, tuple[int, int, list[substring.Lexicon]]] = {}
        self.lock = threading.Lock()

    def lexicon(self, session: Session) -> substring.Lexicons:
        key = session.get_bind().url.render_as_string()
        node, top = session.execute(
            select(func.pg_relation_filenode("search_terms"), func.coalesce(func.max(search_terms.c.id), 0))
        ).one()
        known_node, known_top, parts = self.by_database.get(key, (None, 0, []))
        if node != known_node or top < known_top:
            known_top, parts = 0, []
        if top > known_top:
            added = session.scalars(
                select(search_terms.c.term).where(search_terms.c.id > known_top, search_terms.c.id <= top)
            )
            parts = [*parts, substring.Lexicon(added)]
            if len(parts) > self.MAX_PARTS:
                parts = [substring.Lexicon(term for part in parts for term in part.terms)]
        with self.lock:
            self.by_database[key] = (node, top, parts)
        return substring.Lexicons(parts)


terms_cache = _TermsCache()


def _lock(connection: Session | Connection, timeout: float, until_unlocked: bool = False) -> bool:
    """Take the writers' lock for this transaction (or, `until_unlocked`, for the connection's session, each try
    committed so no transaction stays open), waiting up to `timeout` seconds."""
    take = func.pg_try_advisory_lock if until_unlocked else func.pg_try_advisory_xact_lock
    deadline = time.monotonic() + timeout
    while True:
        taken = connection.scalar(select(take(WRITE_LOCK_KEY)))
        if until_unlocked:
            connection.commit()
        if taken:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


class PostgresBackend:
    name = "postgres"

    def window(self, lookup: Lookup, page: int, per_page: int) -> Window:
        parsed = lookup.query
        window = Window()
        session = db.session
        docs = search_documents.c
        offset = (page - 1) * per_page
        lexicon = terms_cache.lexicon(session) if substring.enabled(current_app.config, self.name) else None
        query_text = tsquery_text(parsed, lexicon)
        if query_text is None:
            if not isinstance(parsed, wq.Every):
                return window
            where = and_(true(), *_filters(lookup.keys))
            window.total = session.scalar(select(func.count()).select_from(search_documents).where(where)) or 0
            stmt = select(docs.entry_id).where(where).order_by(docs.published_at.desc(), docs.entry_id.desc())
            window.ids = list(session.scalars(stmt.limit(per_page).offset(offset)))
            window.scores = [0.0] * len(window.ids)
            return window
        tsquery = cast(bindparam("tsquery", query_text), TSQUERY)
        window.total, window.total_is_estimate, unfiltered = _count(
            session, docs.document.op("@@")(tsquery), lookup.keys
        )
        if window.total <= offset and not window.total_is_estimate:
            return window
        window.ids, window.scores = _page(
            session, lookup, tsquery, query_text, window.total, unfiltered, offset, per_page
        )
        if window.total_is_estimate:
            seen = offset + len(window.ids)
            if 0 < len(window.ids) < per_page:  # the last page: the matches end here
                window.total, window.total_is_estimate = seen, False
            else:
                window.total = max(window.total, seen)
        return window

    def related_ids(self, entry: Entry, limit: int) -> list[int]:
        """The entry's frequent words weighed by rarity (tf * idf over the documents), the best of them
        OR-ed and ranked as a search is."""
        session = db.session
        docs = search_documents.c
        if session.scalar(select(docs.entry_id).where(docs.entry_id == entry.id)) is None:
            return []
        counts = key_terms(entry)
        candidates = [term for term, _ in counts.most_common(RELATED_CANDIDATES)]
        if not candidates:
            return []
        total = session.scalar(select(func.count()).select_from(search_documents)) or 0
        frequencies = _document_frequencies(session, candidates, total)
        weights = {term: counts[term] * math.log((total + 1) / df) for term, df in frequencies.items() if df > 1}
        best: list[str] = []
        postings = 0.0
        for term in sorted(weights, key=lambda term: (-weights[term], term)):
            # The ranking reads every posting of the terms: common words the entry uses a lot are left out
            # once the terms already chosen hold RELATED_POSTINGS_SHARE of the documents' count.
            if len(best) == RELATED_KEY_TERMS:
                break
            if not best or postings + frequencies[term] <= RELATED_POSTINGS_SHARE * total:
                best.append(term)
                postings += frequencies[term]
        if not best:
            return []
        tsquery = cast(bindparam("tsquery", " | ".join(quote_lexeme(term) for term in best)), TSQUERY)
        where = and_(docs.document.op("@@")(tsquery), docs.entry_id != entry.id)
        return [entry_id for entry_id, _ in _ranked_ids(session, where, tsquery, 0, limit)]

    def apply_batch(self, engine: Engine, timeout: float, path: Path | None = None) -> int | None:
        session = Session(engine)
        try:
            if not _lock(session, timeout):
                session.rollback()
                return None
            tasks = read_tasks(session)
            if tasks:
                entry_ids, blog_ids, user_ids = expand_tasks(session, tasks)
                docs = search_documents.c
                if blog_ids:
                    session.execute(delete(search_documents).where(docs.blog_id.in_(blog_ids)))
                if user_ids:
                    session.execute(delete(search_documents).where(docs.author_id.in_(user_ids)))
                write_documents(session, entry_ids)
                session.execute(delete(SearchTask).where(SearchTask.id.in_([task_id for task_id, _, _ in tasks])))
            session.commit()
            return len(tasks)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def reindex(self, path: Path | None = None) -> ReindexResult:
        """Write every document into a new table and swap it in: readers see the old set until the swap.

        The writers' lock is held throughout, so no outbox batch is applied to the old table meanwhile. Tasks
        pending when the rebuild starts are covered by it and deleted at the swap; later ones stay pending for
        the caller to apply (app.search.index.reindex). The documents are written by SEARCH_REINDEX_PROCS
        processes with COPY into a table without indexes, which are built afterwards in one pass each: far
        cheaper than updating a RUM index row by row.
        """
        started = time.monotonic()
        engine = db.engine
        with engine.connect() as locker:
            if not _lock(locker, REINDEX_LOCK_TIMEOUT, until_unlocked=True):
                raise TimeoutError(f"the search documents stayed locked for {REINDEX_LOCK_TIMEOUT:.0f} s")
            try:
                with Session(engine) as session:
                    covered = list(session.scalars(select(SearchTask.id)))
                    entry_ids = list(session.scalars(indexable_entries_query()))
                    session.execute(text(f"DROP TABLE IF EXISTS {NEXT_TABLE}"))
                    session.execute(text(f"CREATE TABLE {NEXT_TABLE} (LIKE search_documents INCLUDING DEFAULTS)"))
                    session.commit()
                count = _fill_next(entry_ids, int(current_app.config["SEARCH_REINDEX_PROCS"]))
                filled = time.monotonic()
                with Session(engine) as session:
                    _index_next(session)
                    session.commit()
                logger.info(
                    "search reindex: %d documents written in %.1f s, indexed in %.1f s",
                    count,
                    filled - started,
                    time.monotonic() - filled,
                )
                # The swap waits for every transaction that read the documents, this thread's own too.
                db.session.commit()
                with Session(engine) as session:
                    _swap_next(session, REINDEX_LOCK_TIMEOUT)
                    for start in range(0, len(covered), WRITE_BATCH):
                        session.execute(
                            delete(SearchTask).where(SearchTask.id.in_(covered[start : start + WRITE_BATCH]))
                        )
                    session.commit()
                # Statistics for the planner, and a visibility map, so counting reads no table pages.
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE search_documents"))
            finally:
                locker.execute(select(func.pg_advisory_unlock(WRITE_LOCK_KEY)))
                locker.commit()
        return ReindexResult(count, time.monotonic() - started)

    def document_count(self, path: Path | None = None) -> int:
        return db.session.scalar(select(func.count()).select_from(search_documents)) or 0

    def warm(self) -> None:
        """Nothing to load: the index is the database's."""

    def probe(self, path: Path | None = None) -> int:
        """The count, and one match of a term through the GIN index, as a search reads the table."""
        docs = search_documents.c
        tsquery = cast(bindparam("tsquery", quote_lexeme("sala")), TSQUERY)
        db.session.execute(select(docs.entry_id).where(docs.document.op("@@")(tsquery)).limit(1)).all()
        return self.document_count(path)


# The rebuild's table, swapped in for search_documents when it is complete (PostgresBackend.reindex).
NEXT_TABLE = "search_documents_next"
NEXT_SUFFIX = "_next"
SWAP_LOCK_WAIT_MS = 500
COPY_COLUMNS = ("entry_id", "document", "tags", "stations", "blog", "blog_id", "author", "author_id", "published_at")


def _copy_documents(session: Session, entry_ids: list[int]) -> tuple[int, set[str]]:
    """COPY the documents of these entries into the rebuild's table; how many, and their Thai pieces."""
    written = 0
    thai_terms: set[str] = set()
    for start in range(0, len(entry_ids), WRITE_BATCH):
        entries = entries_by_id(session, entry_ids[start : start + WRITE_BATCH])
        context = load_context(session, entries)
        rows = [row for row in (_document_row(entry, context, thai_terms) for entry in entries) if row is not None]
        columns = ", ".join(COPY_COLUMNS)
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {NEXT_TABLE} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in COPY_COLUMNS])
        session.commit()
        written += len(rows)
        session.expunge_all()
    return written, thai_terms


def _copy_job(entry_ids: list[int]) -> tuple[int, set[str]]:
    """In a worker process: _copy_documents on a connection of its own."""
    with Session(db.engine) as session:
        return _copy_documents(session, entry_ids)


def _fill_next(entry_ids: list[int], procs: int) -> int:
    """Write the documents of `entry_ids` into the rebuild's table with `procs` processes, and their Thai pieces
    into the lexicon (at the end, in one transaction: its ids must grow in commit order); how many were written."""
    if procs <= 1 or len(entry_ids) <= WRITE_BATCH:
        with Session(db.engine) as session:
            results = [_copy_documents(session, entry_ids)]
    else:
        size = max(WRITE_BATCH, -(-len(entry_ids) // (procs * 4)))
        jobs = [entry_ids[start : start + size] for start in range(0, len(entry_ids), size)]
        results = map_in_processes(_copy_job, jobs, procs)
    with Session(db.engine) as session:
        _add_terms(session, set().union(*(terms for _, terms in results)))
        session.commit()
    return sum(count for count, _ in results)


def _index_next(session: Session) -> None:
    """The constraints and indexes of search_documents, made on the rebuild's table under names ending _next."""
    constraints = session.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'search_documents'::regclass AND contype IN ('p', 'f', 'u') ORDER BY contype DESC"
        )
    ).all()
    indexes = session.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = 'search_documents'::regclass"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid AND c.conrelid = x.indrelid)"
        )
    ).all()
    for name, definition in constraints:
        session.execute(text(f'ALTER TABLE {NEXT_TABLE} ADD CONSTRAINT "{name}{NEXT_SUFFIX}" {definition}'))
    for name, definition in indexes:
        head, _, tail = definition.partition(" ON ")
        if not head.endswith(f" {name}") or not tail.startswith(("public.search_documents ", "search_documents ")):
            raise RuntimeError(f"unexpected definition of index {name}: {definition}")
        tail = tail.split(" ", 1)[1]
        session.execute(text(f'{head.removesuffix(name)}"{name}{NEXT_SUFFIX}" ON {NEXT_TABLE} {tail}'))


def _swap_next(session: Session, timeout: float) -> None:
    """Replace search_documents by the rebuild's table, its indexes and constraints taking the old names.

    The table's lock is asked for SWAP_LOCK_WAIT at a time: searches queue behind a waiting lock request, so a
    long transaction that read the documents must not stall them for longer than that.
    """
    deadline = time.monotonic() + timeout
    while True:
        session.execute(text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT_MS}ms'"))
        try:
            session.execute(text("LOCK TABLE search_documents IN ACCESS EXCLUSIVE MODE"))
            break
        except OperationalError:
            session.rollback()
            if time.monotonic() >= deadline:
                raise TimeoutError(f"search_documents stayed in use for {timeout:.0f} s") from None
            time.sleep(0.2)
    session.execute(text("DROP TABLE search_documents"))
    session.execute(text(f"ALTER TABLE {NEXT_TABLE} RENAME TO search_documents"))
    for (name,) in session.execute(
        text("SELECT conname FROM pg_constraint WHERE conrelid = 'search_documents'::regclass")
    ).all():
        if name.endswith(NEXT_SUFFIX):
            session.execute(
                text(f'ALTER TABLE search_documents RENAME CONSTRAINT "{name}" TO "{name.removesuffix(NEXT_SUFFIX)}"')
            )
    for (name,) in session.execute(
        text("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'search_documents'::regclass")
    ).all():
        name = name.strip('"')
        if name.endswith(NEXT_SUFFIX):
            session.execute(text(f'ALTER INDEX "{name}" RENAME TO "{name.removesuffix(NEXT_SUFFIX)}"'))
