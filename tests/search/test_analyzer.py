"""Properties of the Thai analyzer: total, idempotent normalisation, and queries match their own documents."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Phrase, Term

from app.search.analyzer import ThaiAnalyzer, analyze, prepare

THAI_AND_LATIN = st.text(
    alphabet=st.sampled_from(
        list("กขคงจชซญดตถทนบปผพฟมยรลวศษสหอฮะาิีึืุูเแโใไ็่้๊๋์ำั ๆฯ๐๑๒๓๔๕๖๗๘๙") + list("abcKMCoP-_.019 \u200b\u00ad\u0301")
    ),
    max_size=80,
)


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_never_raises_on_any_unicode(text):
    terms = analyze(text)
    assert all(isinstance(term, str) and term for term in terms)
    tokens = list(ThaiAnalyzer()(text, positions=True, chars=True))
    assert all(0 <= t.startchar <= t.endchar for t in tokens)


@given(st.one_of(st.text(), THAI_AND_LATIN))
@settings(max_examples=300, deadline=None)
def test_normalisation_is_idempotent(text):
    once = prepare(text)
    assert prepare(once) == once
    assert analyze(once) == analyze(text)


def _matches(document: str, query: str) -> bool:
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=ThaiAnalyzer()))
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        writer.add_document(id="1", body=document)
    terms = analyze(query)
    q = Term("body", terms[0]) if len(terms) == 1 else Phrase("body", terms)
    with index.searcher() as searcher:
        return len(searcher.search(q)) == 1


@given(THAI_AND_LATIN, THAI_AND_LATIN, THAI_AND_LATIN)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_query_analysed_like_a_document_matches_that_document(before, middle, after):
    if not analyze(middle):
        return
    # Separated by spaces, as a query word stands in text; ICU may cut differently inside one unspaced run.
    assert _matches(f"{before} {middle} {after}", middle)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("การจัดการความรู้", ["การ", "จัดการ", "ความ", "รู้"]),
        ("องค์ความรู้", ["องค์", "ความ", "รู้"]),
        ("๒๕๔๙", ["2549"]),
        ("Chumphon-KM-Station", ["chumphon", "km", "station"]),
        ("KM CoP R2R", ["km", "cop", "r2r"]),
        ("ชุม\u200bพร", ["ชุมพร"]),
        ("ต่างๆ ชุมชนฯ", ["ต่าง", "ชุมชน"]),
    ],
)
def test_examples(text, terms):
    assert analyze(text) == terms


def test_token_offsets_point_into_the_prepared_text():
    text = prepare("ศาลากลางจังหวัดชุมพร KM-Station")
    for token in ThaiAnalyzer()(text, positions=True, chars=True):
        assert text[token.startchar : token.endchar].lower() == token.text
