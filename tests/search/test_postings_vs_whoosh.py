"""postings.py matches, counts and scores what Whoosh's own searcher (BM25F) does, on an index of Thai text.

postings.py reads whoosh3's posting lists through private names (PRIVATE_NAMES below; bulk.py writes them
through more), so these tests pin the pinned release's behaviour: an upgrade of whoosh3 that renames, drops or
changes one fails here first -- in `test_the_private_names_are_still_there` by name, or in the comparisons by
a wrong answer -- rather than in a search.

The corpus is made here (not the seed pages): short Thai notes of a community-of-practice site, in weighted
sections as the real documents are (title, tags, body, comments), over three segments with some documents
deleted, large enough that common words fill several posting blocks and the posting-list cache.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25F
from whoosh.writing import SegmentWriter

from app.search.analyzer import Sections, analyze
from app.search.backends.whoosh import bulk, postings
from app.search.documents import SECTION_WEIGHTS
from app.search.schema import TEXT_FIELD, build_schema

# Private names of whoosh3 3.54 that app/search/backends/whoosh/postings.py and bulk.py use, by owner.
PRIVATE_NAMES = {
    "W3LeafMatcher (postings.py: reading a posting list a block at a time)": (
        "_baseoffset",
        "_nextoffset",
        "_read_ids",
        "_read_weights",
        "_read_values",
        "_next_block",
        "_goto",
        "_ids",
        "_weights",
        "_values",
        "format",
    ),
    "SegmentReader (postings.py: deleted documents)": ("deleted_docs_set",),
    "SegmentWriter (bulk.py: writing segments in bulk)": (
        "_check_state",
        "_check_fields",
        "_added",
        "_flush_segment",
        "_close_segment",
        "_finalize_segment",
        "_commit_toc",
        "_finish",
        "docbase",
        "docnum",
        "perdocwriter",
        "fieldwriter",
    ),
    "W3FieldWriter (bulk.py)": ("_postwriter",),
    "W3PostingsWriter (bulk.py: handing over whole blocks)": (
        "_blocklimit",
        "_write_block",
        "_ids",
        "_weights",
        "_values",
        "_maxweight",
        "_minlength",
        "_maxlength",
    ),
}

TOPICS = [
    "การจัดการความรู้",
    "ชุมชนนักปฏิบัติ",
    "การถอดบทเรียน",
    "เกษตรอินทรีย์",
    "สวนทุเรียน",
    "โรงเรียนชาวนา",
    "กองทุนหมู่บ้าน",
    "การแพทย์แผนไทย",
]
PHRASES = [
    "วันนี้ทีมงานได้ลงพื้นที่",
    "แลกเปลี่ยนเรียนรู้กับเพื่อนครู",
    "ความรู้ฝังลึกของปราชญ์ชาวบ้าน",
    "ปลูกผักปลอดสารพิษไว้กินเอง",
    "เก็บเกี่ยวผลผลิตได้มากกว่าปีก่อน",
    "บันทึกไว้เพื่อไม่ให้ลืม",
    "คุณอำนวยช่วยชวนคุยจนได้ข้อสรุป",
    "Knowledge Management ของอำเภอ",
    "นำ KM มาใช้ในโรงพยาบาลส่งเสริมสุขภาพตำบล",
    "ผู้ใหญ่บ้านเล่าเรื่องน้ำท่วมเมื่อปีที่แล้ว",
]
COMMENTS = ["ขอบคุณสำหรับความรู้ครับ", "ขอนำไปใช้ที่โรงเรียนนะคะ", "เยี่ยมมากครับ", ""]
DOCUMENTS = 720
SEGMENTS = 3
DELETED = range(5, DOCUMENTS, 37)

WORDS = ["ความรู้", "การจัดการความรู้", "ทุเรียน", "ชุมชน", "km", "ครู", "ปราชญ์", "น้ำท่วม", "ผลผลิต", "ไม่มีคำนี้"]


def _document(rng: random.Random, n: int) -> dict:
    topic = rng.choice(TOPICS)
    body = " ".join(rng.choice(PHRASES) for _ in range(rng.randint(1, 8)))
    sections = [
        (f"{topic} ครั้งที่ {n}", SECTION_WEIGHTS["title"]),
        (rng.choice(["km", "ความรู้", "เกษตร", ""]), SECTION_WEIGHTS["tags"]),
        (body, SECTION_WEIGHTS["body"]),
        (rng.choice(COMMENTS), SECTION_WEIGHTS["comments"]),
    ]
    published = datetime(2007, 1, 1) + timedelta(days=n)
    return {"entry_id": str(n), "text": Sections(sections), "published": published}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    """A searcher on the corpus's index: three segments, every common word also indexed in pairs."""
    rng = random.Random(19)
    documents = [_document(rng, n) for n in range(DOCUMENTS)]
    paired = frozenset({"ความ", "รู้", "การ", "จัด", "km"})
    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("corpus")), build_schema(paired))
    size = DOCUMENTS // SEGMENTS
    for start in range(0, DOCUMENTS, size):
        writer = ix.writer(compound=False)
        for document in documents[start : start + size]:
            writer.add_document(**document)
        writer.commit(merge=False)
    with ix.writer() as writer:
        for n in DELETED:
            writer.delete_by_term("entry_id", str(n))
        writer.mergetype = lambda writer, segments: segments  # keep the three segments and their deletions
    with ix.searcher(weighting=BM25F(B=postings.BM25_B, K1=postings.BM25_K1)) as opened:
        assert len(opened.leaf_searchers()) == SEGMENTS and opened.doc_count() == DOCUMENTS - len(DELETED)
        yield opened


def _whoosh(searcher, q: wq.Query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}


def _ours(searcher, q: wq.Query) -> dict[int, float]:
    matches = postings.Evaluator(searcher, TEXT_FIELD).evaluate(q, lambda q: pytest.fail(f"not evaluated: {q}"))
    assert np.all(np.diff(matches.ids) > 0)  # ascending and unique, as Matches promises
    return dict(zip(matches.ids.tolist(), matches.scores.tolist(), strict=True))


def _same(searcher, q: wq.Query, *, scores: bool = True) -> int:
    whoosh, ours = _whoosh(searcher, q), _ours(searcher, q)
    assert ours.keys() == whoosh.keys(), q
    if scores:
        for docnum, score in whoosh.items():
            assert math.isclose(ours[docnum], score, rel_tol=1e-5), (q, docnum, ours[docnum], score)
    return len(whoosh)


def _terms(word: str) -> list[wq.Query]:
    """The query terms a reader's word becomes (a word of several pieces is a phrase of them)."""
    return [wq.Term(TEXT_FIELD, term) for term in analyze(word)]


def test_the_private_names_are_still_there(searcher, tmp_path):
    reader = searcher.leaf_searchers()[0][0].reader()
    matcher = reader.postings(TEXT_FIELD, "ความ")
    assert isinstance(matcher, W3LeafMatcher) or isinstance(getattr(matcher, "child", None), W3LeafMatcher)
    matcher = getattr(matcher, "child", matcher)
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = bulk.BulkSegmentWriter(ix, _lk=False, compound=False)
    fieldwriter = writer.fieldwriter
    fieldwriter.start_field(TEXT_FIELD, ix.schema[TEXT_FIELD])
    fieldwriter.start_term("ความ".encode())  # a postings writer has its block buffers once in a term
    owners = [matcher, reader, writer, fieldwriter, fieldwriter._postwriter]
    missing = [
        f"{label}: {name}"
        for owner, (label, names) in zip(owners, PRIVATE_NAMES.items(), strict=True)
        for name in names
        if not hasattr(owner, name)
    ]
    assert not missing, "whoosh3 changed the internals postings.py / bulk.py use"
    assert isinstance(writer, SegmentWriter)


@pytest.mark.parametrize("word", WORDS)
def test_each_term_matches_counts_and_scores_as_whoosh(searcher, word):
    counted = [_same(searcher, term) for term in _terms(word)]
    if word != "ไม่มีคำนี้":
        assert max(counted) > 0


def test_a_common_term_spans_several_blocks_and_answers_the_same_from_the_list_cache(searcher, monkeypatch):
    monkeypatch.setattr(postings, "CACHE_MIN_POSTINGS", 1)
    monkeypatch.setattr(postings, "term_lists", postings._TermListCache(64 * 1024 * 1024))
    common = wq.Term(TEXT_FIELD, "ความ")
    # Scored terms are also kept with the searcher (postings.SHARED_TERMS); without them the lists are read.
    monkeypatch.setitem(searcher.__dict__, postings.SHARED_ATTRIBUTE, {})
    first = _same(searcher, common)
    kept = [term_list for key, term_list in postings.term_lists.lists.items() if key[2] == "ความ"]
    assert len(kept) == SEGMENTS and max(len(term_list.block_offsets) for term_list in kept) > 1
    searcher.__dict__[postings.SHARED_ATTRIBUTE].clear()
    assert _same(searcher, common) == first  # answered from the kept lists


def test_a_pair_term_scores_as_whoosh(searcher):
    assert _same(searcher, wq.Term(TEXT_FIELD, "ความ รู้")) > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda a, b: wq.And([a, b]),
        lambda a, b: wq.Or([a, b]),
        lambda a, b: wq.AndMaybe(a, b),
        lambda a, b: wq.And([a, wq.Or([b, wq.Term(TEXT_FIELD, "ครู")])]),
        lambda a, b: wq.Term(TEXT_FIELD, a.text, boost=2.5),
    ],
    ids=["and", "or", "and-maybe", "nested", "boost"],
)
def test_compound_queries_match_and_score_as_whoosh(searcher, make):
    a, b = wq.Term(TEXT_FIELD, "ทุเรียน"), wq.Term(TEXT_FIELD, "km")
    assert _same(searcher, make(a, b)) > 0


def test_and_not_keeps_whoosh_s_matches_of_the_first_without_those_of_the_second(searcher):
    """Compared with Whoosh's own answers for each side: Whoosh 3.54's AndNot matcher itself keeps a document
    of this corpus that holds the excluded word (entry 244, with both ทุเรียน and KM), which postings.py does not."""
    a, b = wq.Term(TEXT_FIELD, "ทุเรียน"), wq.Term(TEXT_FIELD, "km")
    wanted, unwanted = _whoosh(searcher, a), _whoosh(searcher, b)
    ours = _ours(searcher, wq.AndNot(a, b))
    assert ours.keys() == wanted.keys() - unwanted.keys() and ours
    assert all(math.isclose(score, wanted[docnum], rel_tol=1e-5) for docnum, score in ours.items())


def test_not_and_every_match_as_whoosh(searcher):
    """Whoosh gives these constant scores; postings.py scores them 0 (they only filter or list)."""
    assert _same(searcher, wq.Not(wq.Term(TEXT_FIELD, "ทุเรียน")), scores=False) > 0
    assert _same(searcher, wq.Every(), scores=False) == DOCUMENTS - len(DELETED)


@pytest.mark.parametrize("word", ["การจัดการความรู้", "ปราชญ์ชาวบ้าน", "โรงพยาบาลส่งเสริมสุขภาพตำบล"])
def test_phrase_checks_keep_the_documents_whoosh_finds(searcher, word):
    words = analyze(word)
    candidates = _ours(searcher, wq.And([wq.Term(TEXT_FIELD, term) for term in words]))
    evaluator = postings.Evaluator(searcher, TEXT_FIELD)
    held = evaluator.phrase_holds(list(candidates), [[(term, offset) for offset, term in enumerate(words)]])
    assert held == set(_whoosh(searcher, wq.Phrase(TEXT_FIELD, words)))
    assert held


def test_the_top_of_the_ranking_is_whoosh_s(searcher):
    q = wq.Or([wq.Term(TEXT_FIELD, "ความ"), wq.Term(TEXT_FIELD, "ทุเรียน"), wq.Term(TEXT_FIELD, "ครู")])
    ours = postings.top(postings.Evaluator(searcher, TEXT_FIELD).evaluate(q, pytest.fail), 20)
    whoosh = [(hit.docnum, hit.score) for hit in searcher.search(q, limit=20)]
    assert [docnum for docnum, _ in ours] == [docnum for docnum, _ in whoosh]
    assert all(math.isclose(a, b, rel_tol=1e-5) for (_, a), (_, b) in zip(ours, whoosh, strict=True))
