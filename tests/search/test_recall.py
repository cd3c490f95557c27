"""No misses on unseen Thai text: every query of the recall corpus (tests/search/recall_corpus.py) finds the
entries whose text contains it and no others, on both backends; and the parts that make it so
(app/search/substring.py)."""

from __future__ import annotations

import pytest

from app.search.substring import (
    MAX_SET_TERMS,
    Lexicon,
    Lexicons,
    enabled,
    phrase_alternatives,
    run_alternatives,
    without_subsumed,
)
from tests.factories import make_blog, make_entry, make_user
from tests.search import recall_corpus
from tests.search.helpers import found

TARGET = 0.995
TEST_ENTRIES = 100
TEST_QUERIES_PER_KIND = 30


def test_recall_and_precision_reach_the_target_for_every_kind_of_query(app):
    """A part of the corpus and of the queries, to stay fast (bench/search/recall.py measures all of them)."""
    corpus = recall_corpus.entries(count=TEST_ENTRIES)
    documents = recall_corpus.load(corpus)
    query_set = recall_corpus.queries(corpus, per_kind=TEST_QUERIES_PER_KIND)
    tallies = recall_corpus.score(query_set, documents, recall_corpus.search_ids)
    assert all(tally.queries for tally in tallies.values())
    targets = (*recall_corpus.KINDS, "all")
    below = [kind for kind in targets if min(tallies[kind].recall, tallies[kind].precision) < TARGET]
    assert not below, recall_corpus.table(tallies)


def test_the_truth_reads_text_as_the_analyzer_indexes_it():
    documents = {1: [recall_corpus.normalised("ทีม KM ของ รพ.สต. ปี ๒๕๖๗ KMUTT")], 2: [recall_corpus.normalised("ทีมKM")]}
    assert recall_corpus.relevant('"ทีม KM"', documents) == {1, 2}
    assert recall_corpus.relevant("km", documents) == {1, 2}  # not by KMUTT alone
    assert recall_corpus.relevant("KMU", documents) == set()
    assert recall_corpus.relevant("2567", documents) == {1}
    assert recall_corpus.relevant("รพ.สต.", documents) == {1}


def lexicon(*words: str) -> Lexicon:
    from app.search.analyzer import analyze

    return Lexicon(term for word in words for term in analyze(word))


def test_the_lexicon_finds_pieces_by_prefix_suffix_and_infix_and_keeps_only_thai():
    lex = lexicon("โรงเรียน นักเรียน เรียนรู้ KM 2567")
    assert "km" not in lex and "โรงเรียน" in lex
    ends = lex.ending_with("เรียน", 10)
    assert "โรงเรียน" in ends and all(term.endswith("เรียน") for term in ends)
    assert "โรงเรียน" in lex.containing("งเรี", 10)
    assert all(term.startswith("เรียน") for term in lex.starting_with("เรียน", 10))
    assert len(Lexicon(f"ก{chr(0x0E01 + i)}" for i in range(20)).starting_with("ก", 5)) == 6  # limit + 1: too many


def test_a_word_inside_a_longer_piece_or_cut_differently_has_alternatives():
    lex = lexicon("โรงเรียน", "ความรู้สึก", "องค์ความรู้", "ลงพื้นที่")
    assert (frozenset({"โรงเรียน"}),) in run_alternatives("เรียน", lex, True, True)
    alternatives = phrase_alternatives(["ความ", "รู้"], lex)
    assert alternatives[0] == (frozenset({"ความ"}), frozenset({"รู้"}))  # its own pieces first
    assert (frozenset({"ความ"}), frozenset({"รู้", "รู้สึก"})) in alternatives
    assert without_subsumed(alternatives) == [(frozenset({"ความ"}), frozenset({"รู้", "รู้สึก"}))]
    assert (frozenset({"ลงพื้น"}), frozenset({"ที่"})) in phrase_alternatives(["พื้นที่"], lex)


def test_an_edge_the_query_closes_with_a_latin_word_is_matched_exactly():
    lex = Lexicons([lexicon("ทีมงาน ทีม")])
    alternatives = phrase_alternatives(["ทีม", "km"], lex)
    assert all(alt[0] <= {"ทีม"} and alt[-1] == frozenset({"km"}) for alt in alternatives)


def test_an_edge_that_ends_too_many_pieces_is_left_out():
    consonants = [chr(c) for c in range(0x0E01, 0x0E2F)]
    lex = Lexicon([f"{a}{b}ง" for a in consonants[:10] for b in consonants[:10]] + ["ขา"])
    assert len(lex.ending_with("ง", MAX_SET_TERMS)) > MAX_SET_TERMS
    assert run_alternatives("งขา", lex, True, True) == []


@pytest.fixture
def blog(app):
    return make_blog(make_user("malee", display_name="มาลี"), "school-notes", title="สมุดครู")


def test_a_word_is_found_inside_compounds_and_phrases_under_or_and_not(blog):
    school = make_entry(blog, title="กิจกรรม", body="โรงเรียนบ้านนาจัดค่ายวิทยาศาสตร์")
    feeling = make_entry(blog, title="บันทึก", body="ความรู้สึกของผู้ปกครองต่อค่าย")
    assert found("เรียน") == {school.number}
    assert found("ความรู้") == {feeling.number}  # substring truth: ความรู้สึก contains ความรู้
    assert found("เรียน OR ไม่มีคำนี้เลย") == {school.number}
    assert found("ค่าย NOT เรียน") == {feeling.number}
    assert found('"บ้านนาจัด"') == {school.number}


def test_a_new_entrys_pieces_join_the_lexicon_when_it_is_committed(blog):
    make_entry(blog, title="เริ่ม", body="บันทึกแรก")
    assert found("ธรรมราช") == set()
    entry = make_entry(blog, title="ลงพื้นที่", body="ไปนครศรีธรรมราชมา")
    assert found("ธรรมราช") == {entry.number}


def test_with_thai_substrings_off_a_query_is_a_phrase_of_its_own_pieces(app, blog, monkeypatch):
    school = make_entry(blog, title="กิจกรรม", body="โรงเรียนบ้านนาจัดค่ายวิทยาศาสตร์")
    monkeypatch.setitem(app.config, "SEARCH_THAI_SUBSTRINGS", False)
    assert found("เรียน") == set()
    assert found("โรงเรียน") == {school.number}


def test_by_default_the_alternatives_are_on_for_both_backends(app, blog):
    school = make_entry(blog, title="กิจกรรม", body="โรงเรียนบ้านนาจัดค่ายวิทยาศาสตร์")
    assert app.config["SEARCH_THAI_SUBSTRINGS"] == "auto"
    assert found("เรียน") == {school.number}
    assert found("โรงเรียน") == {school.number}


def test_the_setting_forces_the_alternatives_on_or_off_for_either_backend():
    for backend in ("whoosh", "postgres"):
        assert enabled({"SEARCH_THAI_SUBSTRINGS": "1"}, backend) and enabled({"SEARCH_THAI_SUBSTRINGS": True}, backend)
        assert not enabled({"SEARCH_THAI_SUBSTRINGS": "0"}, backend)
        assert not enabled({"SEARCH_THAI_SUBSTRINGS": False}, backend)
    assert enabled({}, "whoosh") and enabled({}, "postgres")
    with pytest.raises(ValueError):
        enabled({"SEARCH_THAI_SUBSTRINGS": "sometimes"}, "whoosh")
