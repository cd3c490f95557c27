"""Phrase checks read positions through the per-process block cache: same answers whether a block is kept,
read afresh, or dropped for the byte budget."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from app.search.backends.whoosh import postings

# More documents than one posting block holds (whoosh3 writes 128 postings a block), so phrase checks
# land in several blocks of the same term.
DOCUMENTS = 400


def _text(n: int) -> str:
    # Every document has both words; only those with n % 3 == 0 have them side by side.
    return "alpha beta gamma" if n % 3 == 0 else "alpha gamma beta"


def _phrase_docs(ix, cache: postings._BlockValuesCache, monkeypatch) -> set[int]:
    monkeypatch.setattr(postings, "block_values", cache)
    with ix.searcher() as searcher:
        evaluator = postings.Evaluator(searcher, "text")
        return evaluator.phrase_holds(list(range(DOCUMENTS)), [[("alpha", 0), ("beta", 1)]])


def test_phrase_checks_agree_with_kept_and_dropped_blocks(tmp_path, monkeypatch):
    ix = whoosh_index.create_in(str(tmp_path), Schema(id=ID(stored=True), text=TEXT(phrase=True)))
    with ix.writer() as writer:
        for n in range(DOCUMENTS):
            writer.add_document(id=str(n), text=_text(n))
    expected = {n for n in range(DOCUMENTS) if n % 3 == 0}

    roomy = postings._BlockValuesCache(16 * 1024 * 1024)
    assert _phrase_docs(ix, roomy, monkeypatch) == expected
    assert len(roomy.blocks) >= 4  # several blocks of each of the two words were kept
    assert _phrase_docs(ix, roomy, monkeypatch) == expected  # answered from the kept blocks

    tight = postings._BlockValuesCache(1)
    assert _phrase_docs(ix, tight, monkeypatch) == expected
    assert tight.used <= tight.budget and not tight.blocks


def _numpy_union(parts: list[postings.Matches]) -> postings.Matches:
    ids, inverse = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
    return postings.Matches(ids, np.bincount(inverse, weights=np.concatenate([p.scores for p in parts])))


def _numpy_intersection(parts: list[postings.Matches]) -> postings.Matches:
    result = parts[0]
    for other in parts[1:]:
        common, mine, theirs = np.intersect1d(result.ids, other.ids, assume_unique=True, return_indices=True)
        result = postings.Matches(common, result.scores[mine] + other.scores[theirs])
    return result


@pytest.mark.parametrize("span", [postings.DENSE_SPAN, 0])  # 0: never through an array as long as the span
def test_set_operations_give_numpys_ids_and_scores_exactly(monkeypatch, span):
    monkeypatch.setattr(postings, "DENSE_SPAN", span)
    rng = np.random.default_rng(7)
    for _ in range(300):
        size = int(rng.integers(1, 50_000))
        parts = []
        for _ in range(int(rng.integers(2, 5))):
            count = int(rng.integers(1, min(size, 2_000) + 1))
            parts.append(postings.Matches(np.sort(rng.choice(size, count, replace=False)), rng.random(count)))
        parts.sort(key=len)
        for ours, numpys in (
            (postings.Evaluator._union(parts), _numpy_union(parts)),
            (postings.Evaluator._intersection(parts), _numpy_intersection(parts)),
        ):
            assert np.array_equal(ours.ids, numpys.ids)
            assert np.array_equal(ours.scores, numpys.scores)
