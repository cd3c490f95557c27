"""Phrase checks read positions through the per-process block cache: same answers whether a block is kept,
read afresh, or dropped for the byte budget."""

from __future__ import annotations

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
