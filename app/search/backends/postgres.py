"""The shared backend: search documents in PostgreSQL, one `search_documents` row per searchable entry.

PostgreSQL cannot cut Thai into words, so `to_tsvector` is never used: the terms come from the same Thai
analyzer as the Whoosh index (app.search.analyzer) and are written as a tsvector literal -- every term quoted,
with its positions and a weight label per section -- cast with the tsvector type's own input function, which
keeps lexemes exactly as given (the `simple` configuration would split and fold them again). Queries are read by
the same parser (app.search.parse.parse_query) and written as a tsquery literal the same way: quoted lexemes,
phrases as `<->`, AND / OR / NOT as `&`, `|`, `!`. No text of the reader's ever reaches SQL but as a bound
parameter, and every lexeme is quoted, so no input can change the query's shape.

Ranking is `ts_rank_cd` with the section weights of app.search.documents (title 3, tags 2, names and body 1,
comments 0.3) mapped onto PostgreSQL's four labels A-D, divided by 1 + log(length) as BM25 damps long entries.
Differences from Whoosh, by PostgreSQL's design: a lexeme keeps at most 256 positions, and positions stop at
16,383 (an entry longer than about 16,000 words still matches each of its words, but a phrase past that point
is not found); scores are not on Whoosh's scale.

Writers serialise on a transaction-level advisory lock, as Whoosh writers do on the index lock; each outbox
batch is applied, and its tasks deleted, in one transaction, so readers see a change whole or not at all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR, insert
from sqlalchemy.orm import Session
from whoosh import query as wq

from app.extensions import db
from app.models import Entry, SearchTask
from app.search import substring
from app.search.analyzer import SECTION_GAP, Sections, iter_terms, prepare
from app.search.backends import Lookup, ReindexResult, Window
from app.search.documents import (
    SECTION_WEIGHTS,
    entries_by_id,
    entry_document,
    indexable_entries_query,
    key_terms,
    load_context,
)
from app.search.outbox import expand_tasks, read_tasks

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
# ts_rank_cd normalisation: divide by 1 + log(document length).
RANK_NORMALIZATION = 1
# Tasks an outbox batch applies, entries per INSERT, and how long a rebuild waits for the writers' lock.
WRITE_BATCH = 500
REINDEX_LOCK_TIMEOUT = 60.0
# "More like this": the entry's most frequent words weighed by rarity, of which the best are searched.
RELATED_CANDIDATES = 40
RELATED_KEY_TERMS = 12
# pg_advisory_xact_lock key of the search writers ("sala" as a number).
WRITE_LOCK_KEY = 0x73616C61


def _rank_weights() -> str:
    """The float4[] of ts_rank_cd, {D, C, B, A}, from SECTION_WEIGHTS (the heaviest section is 1)."""
    by_label = {SECTION_LABELS[name]: weight for name, weight in SECTION_WEIGHTS.items()}
    top = max(by_label.values())
    return "{" + ",".join(f"{by_label[label] / top:.4f}" for label in "DCBA") + "}"


RANK_WEIGHTS = _rank_weights()


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
        for term, _start, _end in iter_terms(prepare(section)):
            found = positions.setdefault(term, [])
            if len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{min(position, MAX_POSITION)}{label}")
            position += 1
        position += SECTION_GAP
    return positions


def _set_text(terms: frozenset[str]) -> str:
    quoted = [quote_lexeme(term) for term in sorted(terms)]
    return quoted[0] if len(quoted) == 1 else f"({' | '.join(quoted)})"


def _alternatives_text(alternatives: list[substring.Alternative]) -> str:
    """A Thai phrase as any of its alternatives (app.search.substring): sets of lexemes side by side."""
    texts = [" <-> ".join(map(_set_text, alt)) for alt in substring.without_subsumed(alternatives)]
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
                return _alternatives_text(alternatives)
    if isinstance(node, wq.Phrase):
        words = [quote_lexeme(word) for word in node.words if word]
        return f"({' <-> '.join(words)})" if words else None
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


def _filters(keys) -> list:
    """WHERE conditions for the normalised filters (app.search.parse.filter_keys)."""
    docs = search_documents.c
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


def _rank(tsquery):
    return func.ts_rank_cd(
        literal_column(f"'{RANK_WEIGHTS}'::float4[]"), search_documents.c.document, tsquery, RANK_NORMALIZATION
    )


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


def _lock(session: Session, timeout: float) -> bool:
    """Take the writers' lock for this transaction, waiting up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if session.scalar(select(func.pg_try_advisory_xact_lock(WRITE_LOCK_KEY))):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


class PostgresBackend:
    name = "postgres"

    def window(self, lookup: Lookup, page: int, per_page: int) -> Window:
        parsed, order = lookup.query, lookup.order
        window = Window()
        conditions = _filters(lookup.keys)
        tsquery = None
        lexicon = terms_cache.lexicon(db.session) if substring.enabled(current_app.config, self.name) else None
        query_text = tsquery_text(parsed, lexicon)
        if query_text is not None:
            tsquery = cast(bindparam("tsquery", query_text), TSQUERY)
            conditions.append(search_documents.c.document.op("@@")(tsquery))
        elif not isinstance(parsed, wq.Every):
            return window
        where = and_(true(), *conditions)
        session = db.session
        window.total = session.scalar(select(func.count()).select_from(search_documents).where(where)) or 0
        docs = search_documents.c
        if order == "newest" or tsquery is None:
            score = literal_column("0.0")
            ordering = (docs.published_at.desc(), docs.entry_id.desc())
        else:
            # Ranked by the query's own pieces: ts_rank_cd costs as much as the query is long, and the
            # alternatives of a Thai word can be dozens of lexemes (an entry found only by them ranks last).
            own = tsquery_text(parsed)
            score = (
                _rank(cast(bindparam("rank_tsquery", own), TSQUERY)) if own and own != query_text else _rank(tsquery)
            )
            ordering = (score.desc(), docs.entry_id)
        stmt = (
            select(docs.entry_id, score).where(where).order_by(*ordering).limit(per_page).offset((page - 1) * per_page)
        )
        for entry_id, value in session.execute(stmt):
            window.ids.append(entry_id)
            window.scores.append(float(value or 0.0))
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
        frequencies = session.execute(
            text(
                "SELECT t.term, (SELECT count(*) FROM search_documents d WHERE d.document @@ CAST(t.q AS tsquery))"
                " FROM unnest(CAST(:terms AS text[]), CAST(:queries AS text[])) AS t(term, q)"
            ),
            {"terms": candidates, "queries": [quote_lexeme(term) for term in candidates]},
        )
        weights = {
            term: counts[term] * math.log((total + 1) / df) for term, df in frequencies if df > 1 and df < total + 1
        }
        best = sorted(weights, key=lambda term: (-weights[term], term))[:RELATED_KEY_TERMS]
        if not best:
            return []
        tsquery = cast(bindparam("tsquery", " | ".join(quote_lexeme(term) for term in best)), TSQUERY)
        stmt = (
            select(docs.entry_id)
            .where(docs.document.op("@@")(tsquery), docs.entry_id != entry.id)
            .order_by(_rank(tsquery).desc(), docs.entry_id)
            .limit(limit)
        )
        return list(session.scalars(stmt))

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
        """Replace every document in one transaction: readers see the old set until it commits.

        Tasks pending when the rebuild starts are covered by it and deleted with it; later ones stay pending for
        the caller to apply (app.search.index.reindex).
        """
        started = time.monotonic()
        with Session(db.engine) as session:
            if not _lock(session, REINDEX_LOCK_TIMEOUT):
                raise TimeoutError(f"the search documents stayed locked for {REINDEX_LOCK_TIMEOUT:.0f} s")
            covered = list(session.scalars(select(SearchTask.id)))
            entry_ids = list(session.scalars(indexable_entries_query()))
            session.execute(delete(search_documents))
            count = write_documents(session, entry_ids)
            for start in range(0, len(covered), WRITE_BATCH):
                session.execute(delete(SearchTask).where(SearchTask.id.in_(covered[start : start + WRITE_BATCH])))
            session.commit()
            # Fresh statistics, or the planner may still take the table for the empty one it was.
            session.execute(text("ANALYZE search_documents"))
            session.commit()
        return ReindexResult(count, time.monotonic() - started)

    def document_count(self, path: Path | None = None) -> int:
        return db.session.scalar(select(func.count()).select_from(search_documents)) or 0

    def probe(self, path: Path | None = None) -> int:
        """The count, and one match of a term through the GIN index, as a search reads the table."""
        docs = search_documents.c
        tsquery = cast(bindparam("tsquery", quote_lexeme("sala")), TSQUERY)
        db.session.execute(select(docs.entry_id).where(docs.document.op("@@")(tsquery)).limit(1)).all()
        return self.document_count(path)
