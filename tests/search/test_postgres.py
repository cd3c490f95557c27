"""What only the PostgreSQL backend has: its table and migration, tsvector and tsquery input, the rebuild."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import bindparam, cast, func, inspect, select, text
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from whoosh import query as wq

from app import create_app
from app.extensions import db
from app.models import SearchTask
from app.search import backends
from app.search.analyzer import SECTION_GAP, Sections
from app.search.backends.postgres import (
    phrase_text,
    quote_lexeme,
    search_documents,
    tsquery_text,
    tsvector_text,
)
from app.search.index import document_count, reindex
from app.search.parse import parse_query
from app.search.query import search
from app.search.schema import build_schema
from app.search.substring import Lexicon
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import found, ranked

pytestmark = pytest.mark.search_backends("postgres")


def sections(title="", tags="", names="", body="", comments="") -> Sections:
    return Sections([(title, 3.0), (tags, 2.0), (names, 1.0), (body, 1.0), (comments, 0.3)])


def test_lexemes_are_quoted_with_quotes_and_backslashes_doubled():
    assert quote_lexeme("km") == "'km'"
    assert quote_lexeme("it's") == "'it''s'"
    assert quote_lexeme("a\\b") == "'a\\\\b'"
    assert quote_lexeme("ความ รู้") == "'ความ รู้'"


def lexemes_of(value: str) -> dict[str, str]:
    return {term.replace("''", "'"): found for term, found in re.findall(r"'((?:[^']|'')*)':(\S+)", value)}


def test_the_tsvector_text_labels_sections_and_leaves_gaps_between_them():
    value = tsvector_text(sections(title="ทุเรียน", tags="fruit", names="somchai", body="ทุเรียน ดี", comments="ok"))
    lexemes = lexemes_of(value)
    first_body = 1 + 3 * (SECTION_GAP + 1)  # title, tags and names are one term each here
    assert lexemes["ทุเรียน"] == f"1A,{first_body}C"
    assert lexemes["fruit"] == f"{1 + SECTION_GAP + 1}B"
    assert lexemes["somchai"] == f"{1 + 2 * (SECTION_GAP + 1)}C"
    assert lexemes["ok"].endswith("D")
    # Two neighbouring terms are also one lexeme, at the first one's position; never across sections.
    assert lexemes["ทุเรียน ดี"] == f"{first_body}C"
    assert set(lexemes) == {"ทุเรียน", "fruit", "somchai", "ดี", "ok", "ทุเรียน ดี"}


def test_positions_stop_at_postgresqls_ceiling():
    value = tsvector_text(sections(body="คำ " * 20000 + "finale"))
    lexemes = lexemes_of(value)
    assert lexemes["finale"] == "16383C" and lexemes["คำ finale"] == "16383C"
    assert lexemes["คำ"].count(",") == lexemes["คำ คำ"].count(",") == 255  # the first 256 positions


def parsed(q: str) -> wq.Query:
    query, _ = parse_query(build_schema(), q)
    return query


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ทุเรียน", "'ทุเรียน'"),
        ("ทุเรียน แผง", "('ทุเรียน' & 'แผง')"),
        ("ทุเรียน OR ผลดี", "('ทุเรียน' | 'ผลดี')"),
        ("ทุเรียน OR ความรู้", "('ทุเรียน' | 'ความ รู้')"),
        ("ทุเรียน NOT แผง", "('ทุเรียน' & !'แผง')"),
        ('"KM Action Plan"', "('km action' <-> 'action plan')"),
        ('"KM Action Plan now"', "('km action' <2> 'plan now')"),
        ("ความรู้", "'ความ รู้'"),
    ],
)
def test_queries_become_tsquery_text(q, expected):
    assert tsquery_text(parsed(q)) == expected


def test_a_set_of_every_term_with_a_beginning_is_a_prefix_of_pairs():
    lexicon = Lexicon(["ความ", "บทความ", "รู้", "รู้สึก", "รู้จัก", "เรียน"])
    both = frozenset({"ความ", "บทความ"})
    assert phrase_text([both, frozenset({"รู้", "รู้สึก", "รู้จัก"})], lexicon) == "('ความ รู้':* | 'บทความ รู้':*)"
    # Not every term that starts with รู้: the pairs themselves.
    assert phrase_text([frozenset({"ความ"}), frozenset({"รู้", "รู้สึก"})], lexicon) == "('ความ รู้' | 'ความ รู้สึก')"
    assert phrase_text([frozenset({"ความ"}), frozenset({"รู้"})], lexicon) == "'ความ รู้'"


def test_too_many_pairs_leave_a_phrase_of_single_lexemes(monkeypatch):
    from app.search.backends import postgres

    monkeypatch.setattr(postgres, "PAIR_SET_LIMIT", 3)
    sets = [frozenset({"ก", "ข"}), frozenset({"ค", "ง"})]
    assert phrase_text(sets) == "(('ก' | 'ข') <-> ('ค' | 'ง'))"


def test_every_lexeme_reaches_postgresql_as_written(app):
    odd = ["it's", "a\\b", "ความ รู้", "'", "\\", "a:1", "x & y", "!", "(", "<->"]
    vector = " ".join(f"{quote_lexeme(term)}:{n}A" for n, term in enumerate(odd, start=1))
    lexemes = db.session.scalar(select(func.tsvector_to_array(cast(bindparam("v", vector), TSVECTOR))))
    assert sorted(lexemes) == sorted(odd)
    for term in odd:
        query = cast(bindparam("q", quote_lexeme(term)), TSQUERY)
        assert db.session.scalar(select(cast(bindparam("v", vector), TSVECTOR).op("@@")(query)))


def test_the_migrations_made_the_table_and_its_rum_index(app):
    indexes = {ix["name"]: ix for ix in inspect(db.engine).get_indexes("search_documents")}
    assert indexes["ix_search_documents_document"]["dialect_options"]["postgresql_using"] == "rum"
    assert {"ix_search_documents_tags", "ix_search_documents_stations"} <= set(indexes)


def test_the_migration_does_nothing_on_sqlite(migrated_template):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{migrated_template}"})
    with app.app_context():
        assert "search_documents" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_the_postgres_backend_refuses_an_sqlite_database(migrated_template):
    app = create_app(
        "testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{migrated_template}", "SEARCH_BACKEND": "postgres"}
    )
    with app.app_context(), pytest.raises(RuntimeError, match="PostgreSQL"):
        backends.current()


def test_an_unknown_backend_is_refused(app):
    app.config["SEARCH_BACKEND"] = "elastic"
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND"):
        backends.current()


@pytest.fixture
def entries(app):
    blog = make_blog(make_user("somchai", display_name="สมชาย ใจดี"), "orchard", title="บันทึกชาวสวน")
    return [
        make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ทุเรียนหมอนทองออกผลดี", tags="ผลไม้"),
        make_entry(blog, title="มังคุดคัดเกรด", body="มังคุดผิวมันขายได้ราคา", tags="ผลไม้"),
        make_entry(blog, title="ขายส่ง", body="ส่งทุเรียนและมังคุดเข้าตลาด"),
        make_entry(blog, title="ร่าง", body="ทุเรียนร่าง", publish=False),
    ]


QUERIES = ["ทุเรียน", "มังคุด", "ผลไม้", "สมชาย", "orchard", '"ทุเรียน หมอนทอง"', "ทุเรียน OR มังคุด"]


def test_reindex_rebuilds_every_document_with_the_same_results(entries):
    before = {q: ranked(q) for q in QUERIES}
    db.session.execute(text("UPDATE search_documents SET document = ''::tsvector"))
    db.session.commit()
    assert ranked("ทุเรียน") == []
    result = reindex()
    assert result.documents == 3 and result.directory is None
    assert document_count() == 3
    assert {q: ranked(q) for q in QUERIES} == before


def test_the_parallel_rebuild_finds_the_same_entries(app, entries, monkeypatch):
    """Entries of equal score come in the index's own order, which the rows' order in the new table decides."""
    from app.search.backends import postgres

    before = {q: found(q) for q in QUERIES}
    monkeypatch.setattr(postgres, "WRITE_BATCH", 1)  # one entry a job, so two processes write them
    app.config["SEARCH_REINDEX_PROCS"] = 2
    assert reindex().documents == 3
    assert {q: found(q) for q in QUERIES} == before


def test_reindex_covers_tasks_pending_before_it_started(app, entries):
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    durian = entries[0]
    durian.title = "ทุเรียนก้านยาว"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SearchTask)) == 1
    reindex()
    assert db.session.scalar(select(func.count()).select_from(SearchTask)) == 0
    assert found("ก้านยาว") == {durian.number}


def test_a_deleted_blog_takes_its_documents_with_it(entries):
    from app.blogs.services import delete_blog

    delete_blog(entries[0].blog)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(search_documents)) == 0


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai"), "orchard")


def test_newest_first_reads_the_date_index_or_sorts_the_matches_alike(blog, monkeypatch):
    from datetime import UTC, datetime

    from app.search.backends import postgres

    dates = [datetime(2006 + n % 7, 1 + n, 10, tzinfo=UTC) for n in range(11)]
    numbers = {
        make_entry(blog, title=f"สวน {n}", body="ทุเรียนออกผล", published_at=day).number: day
        for n, day in enumerate(dates)
    }
    for n in range(5):
        make_entry(blog, title=f"ไร่ {n}", body="มังคุดออกผล")
    db.session.execute(text("ANALYZE search_documents"))  # the planner's count of the documents
    expected = sorted(numbers, key=lambda number: numbers[number], reverse=True)
    walks = []
    ranked_walk = postgres._ranked_walk
    monkeypatch.setattr(postgres, "_ranked_walk", lambda session: walks.append(1) or ranked_walk(session))
    pages = {}
    for rows in (0, 10**6):  # every match sorted; the date index read until the page is full
        monkeypatch.setattr(postgres, "NEWEST_WALK_ROWS", rows)
        walks.clear()
        pages[rows] = [ranked("ทุเรียน", sort="newest")] + [
            [hit.entry.number for hit in search("ทุเรียน", sort="newest", per_page=4, page=n).hits] for n in (1, 2, 3)
        ]
        assert bool(walks) == (rows > 0)
    assert pages[0] == pages[10**6] == [expected, expected[:4], expected[4:8], expected[8:]]


def test_a_thai_word_ranks_its_own_pieces_before_the_alternatives(blog):
    own = {make_entry(blog, title=f"บันทึก {n}", body="แบ่งปันความรู้ " * (n + 1)).number for n in range(3)}
    inside = {make_entry(blog, title=f"อื่น {n}", body="ความรู้สึกดีมาก").number for n in range(3)}
    ranks = ranked("ความรู้")
    assert set(ranks[:3]) == own and set(ranks[3:]) == inside  # ความรู้ inside ความรู้สึก: found, ranked after
    paged = [hit.entry.number for n in (1, 2, 3) for hit in search("ความรู้", per_page=2, page=n).hits]
    assert paged == ranks


def test_a_not_excludes_what_the_alternatives_find(blog):
    kept = make_entry(blog, title="หนึ่ง", body="ความรู้ในการประชุมวันนี้")
    make_entry(blog, title="สอง", body="ความรู้จากการประชุมพรรค")  # ชุมพร inside ประชุมพรรค
    assert found("ความรู้ NOT ชุมพร") == {kept.number}
    assert found("ความรู้") == {kept.number, kept.number + 1}


@pytest.fixture
def bounded(monkeypatch):
    """The bounded ranking on for any count (its thresholds down), and a record of the candidates it ranked."""
    from app.search.backends import postgres

    monkeypatch.setattr(postgres, "BOUNDED_RANK", 3)
    monkeypatch.setattr(postgres, "BOUNDED_MIN_MATCHES", 1)
    monkeypatch.setattr(postgres, "BOUNDED_READ_ROWS", 10**6)
    candidates: list[list[int]] = []
    newest = postgres._newest_own_matches

    def spy(*args):
        rows = newest(*args)
        candidates.append([entry_id for entry_id, _ in rows])
        return rows

    monkeypatch.setattr(postgres, "_newest_own_matches", spy)
    return candidates


@pytest.fixture
def knowledge(app):
    """Own matches of ความรู้ on eight days (the newest but one has it in its title), and three newer entries found
    only by the alternatives (ความรู้สึก)."""
    from datetime import UTC, datetime

    def day(n):
        return datetime(2020, 1, 1 + n, tzinfo=UTC)

    blog = make_blog(make_user("somchai"), "orchard", title="บันทึกชาวสวน")

    own = [
        make_entry(blog, title=f"บันทึก {n}", body="แบ่งปันความรู้ " * (n % 3 + 1), published_at=day(n)).number
        for n in range(8)
    ]
    titled = make_entry(blog, title="ความรู้ใหม่", body="แบ่งปันความรู้", published_at=day(8)).number
    own.append(titled)
    own.append(make_entry(blog, title="บันทึก 9", body="แบ่งปันความรู้", published_at=day(9)).number)
    inside = [make_entry(blog, title=f"อื่น {n}", body="ความรู้สึกดีมาก", published_at=day(20 + n)).number for n in range(3)]
    make_entry(blog, title="อื่น", body="มังคุดออกผล", published_at=day(25))
    db.session.execute(text("ANALYZE search_documents"))  # the planner's count of the documents
    return {"own": own, "titled": titled, "inside": inside}


def test_a_common_query_ranks_its_newest_own_matches_first(knowledge, bounded, monkeypatch):
    from app.search.backends import postgres

    ranks = ranked("ความรู้")
    assert bounded, "the bounded ranking was used"
    own, inside = knowledge["own"], knowledge["inside"]
    # The three newest own matches, ranked among themselves (the title first), then the other own matches,
    # then what only the alternatives find (newer than all of them, but not the query's own words).
    assert ranks[0] == knowledge["titled"]
    assert set(ranks[:3]) == set(own[-3:])
    assert set(ranks[3:10]) == set(own[:-3])
    assert set(ranks[10:]) == set(inside)
    monkeypatch.setattr(postgres, "BOUNDED_MIN_MATCHES", 10**9)
    bounded.clear()
    every = ranked("ความรู้")
    assert not bounded and set(every) == set(ranks) and len(every) == len(ranks) == 13


@pytest.mark.parametrize("per_page", [1, 2, 4, 5])
def test_bounded_pages_are_slices_of_one_ordering_and_reach_every_match(knowledge, bounded, per_page):
    whole = ranked("ความรู้")
    paged = [hit.entry.number for n in range(1, 15) for hit in search("ความรู้", per_page=per_page, page=n).hits]
    assert paged == whole and len(set(whole)) == 13


def test_the_bounded_ranking_keeps_the_hits_of_filters_and_nots(knowledge, bounded, monkeypatch):
    from app.search.backends import postgres

    other = make_blog(make_user("somsri"), "field", title="บันทึกชาวไร่")
    elsewhere = make_entry(other, title="ไร่", body="ความรู้ในการประชุมวันนี้").number
    make_entry(other, title="พรรค", body="ความรู้จากการประชุมพรรค")  # ชุมพร inside ประชุมพรรค
    db.session.execute(text("ANALYZE search_documents"))
    queries = [("ความรู้", {"blog": "orchard"}), ("ความรู้", {"blog": "field"}), ("ความรู้ NOT ชุมพร", {})]
    results = {q + str(filters): ranked(q, **filters) for q, filters in queries}
    assert bounded
    assert elsewhere in results["ความรู้ NOT ชุมพร{}"] and elsewhere + 1 not in results["ความรู้ NOT ชุมพร{}"]
    monkeypatch.setattr(postgres, "BOUNDED_MIN_MATCHES", 10**9)
    for q, filters in queries:
        every = ranked(q, **filters)
        assert set(every) == set(results[q + str(filters)]) and len(every) == len(results[q + str(filters)])


def test_few_matches_are_ranked_in_full(knowledge, monkeypatch):
    from app.search.backends import postgres

    calls = []
    monkeypatch.setattr(postgres, "_newest_own_matches", lambda *args: calls.append(1) or [])
    assert len(ranked("ความรู้")) == 13 and not calls  # 13 matches: under BOUNDED_MIN_MATCHES
