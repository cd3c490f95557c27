"""The one Thai analyzer, used to index documents and to read queries.

Text is NFC-normalised with zero-width characters removed, Thai digits are folded to Arabic ones (๒๕๔๙ finds
2549), Thai runs are cut into words by ICU's dictionary word breaker, and Latin words, numbers and acronyms are
kept and lower-cased; a hyphenated or dotted name (Chumphon-KM-Station) is indexed as its parts and queried as
a phrase of them. Queries and documents go through the same steps.

ICU was chosen over PyThaiNLP's newmm and nlpO3 for recall: its finer pieces let a query for ความรู้
(ความ · รู้) match inside องค์ความรู้, which newmm keeps as one token (figures: bench/README.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import icu
from whoosh.analysis import Token, Tokenizer

from app.text.normalize import fold_thai_digits, normalize_text

# Thai letters, vowels and tone marks; the repetition and abbreviation marks ๆ ฯ end a run (they carry no
# meaning of their own for search, and left inside a run they change where ICU cuts the words before them).
_THAI_RUN = r"[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+"
_LATIN_WORD = r"[0-9a-zA-Z\u00c0-\u024f]+(?:[-_.'’][0-9a-zA-Z\u00c0-\u024f]+)*"
_OTHER_WORD = r"(?:[^\W_\u0e2f\u0e46]|[\u0300-\u036f])+"
_TOKEN_RE = re.compile(rf"(?P<thai>{_THAI_RUN})|(?P<word>{_LATIN_WORD})|(?P<other>{_OTHER_WORD})")
_PART_SPLIT_RE = re.compile(r"[-_.'’]")

_local = threading.local()


def _word_breaker() -> icu.BreakIterator:
    """ICU break iterators are not thread-safe: one per thread."""
    breaker = getattr(_local, "breaker", None)
    if breaker is None:
        breaker = _local.breaker = icu.BreakIterator.createWordInstance(icu.Locale("th"))
    return breaker


def prepare(text: str) -> str:
    """Normalise text before it is stored for highlighting; folding digits keeps every offset."""
    return fold_thai_digits(normalize_text(text or ""))


def _thai_pieces(run: str, offset: int) -> Iterator[tuple[str, int, int]]:
    breaker = _word_breaker()
    breaker.setText(run)
    start = 0
    for end in breaker:
        if end > start:
            yield run[start:end], offset + start, offset + end
        start = end


def iter_terms(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (term, start, end) over prepared text.

    A name joined by hyphens, dots or underscores (Chumphon-KM-Station, 16.45, KKU_KM) becomes its parts; a query
    for the whole name is then a phrase of the same parts, so the name is found whole and by each part.
    """
    for match in _TOKEN_RE.finditer(text):
        start = match.start()
        if match.lastgroup == "thai":
            yield from _thai_pieces(match.group(), start)
            continue
        word = match.group()
        cursor = 0
        for part in _PART_SPLIT_RE.split(word):
            if part:
                cursor = word.index(part, cursor)
                yield part.lower(), start + cursor, start + cursor + len(part)
                cursor += len(part)


def analyze(text: str) -> list[str]:
    """The terms of `text` as the index sees them; queries are analysed the same way."""
    return [term for term, *_ in iter_terms(prepare(text))]


class ThaiTokenizer(Tokenizer):
    """A Whoosh tokenizer (and so an analyzer) over `iter_terms`; picklable, since Whoosh stores the schema."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ThaiTokenizer)

    def __hash__(self) -> int:
        return hash(ThaiTokenizer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = prepare(value)
        if not tokenize:
            token.original = token.text = text
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(text)
            yield token
            return
        for position, (term, start, end) in enumerate(iter_terms(text), start_pos):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text[start:end]
            if positions:
                token.pos = position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def ThaiAnalyzer() -> ThaiTokenizer:  # noqa: N802 - named like Whoosh's analyzer factories
    """The analyzer every text field of the search schema uses."""
    return ThaiTokenizer()
