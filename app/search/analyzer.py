"""The one Thai analyzer, used to index documents and to read queries.

Text is NFC-normalised with zero-width characters removed, Thai digits are folded to Arabic ones (๒๕๔๙ finds
2549), Thai runs are cut into words by ICU's dictionary word breaker, and Latin words, numbers and acronyms are
kept and lower-cased; a hyphenated or dotted name (Chumphon-KM-Station) is indexed as its parts and queried as
a phrase of them. Queries and documents go through the same steps.

ICU was chosen over PyThaiNLP's newmm and nlpO3 for recall: its finer pieces let a query for ความรู้
(ความ · รู้) match inside องค์ความรู้, which newmm keeps as one token (figures: bench/README.md).

Indexing also writes each pair of neighbouring *common* terms as one term ("ความ รู้", at the first one's
position). Most Thai words are phrases of pieces, and a phrase of very common pieces (ความ · รู้) would
otherwise be checked position by position in nearly every document; as a pair it is one lookup. Which terms
are common is measured from the entries when the index is rebuilt and travels with the index's schema, so
queries always split a phrase the way its index was written (app.search.backends.whoosh).
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

# Pair terms join their two terms with a space, which no single term contains.
PAIR_JOINER = " "
# Positions left empty between the sections of a document, so no phrase or pair spans two sections.
SECTION_GAP = 100

_local = threading.local()


def pair_term(first: str, second: str) -> str:
    """The index term for `first` directly followed by `second`."""
    return f"{first}{PAIR_JOINER}{second}"


class Sections(str):
    """Text for the index in weighted sections (title, tags, body, comments...), as one Whoosh field value.

    It is a str (Whoosh accepts nothing else for a text field) whose `sections` carry each part's weight;
    the tokenizer gives every term of a section that weight, which BM25 then counts as its frequency.
    """

    sections: tuple[tuple[str, float], ...]

    def __new__(cls, sections) -> Sections:
        parts = tuple((text or "", float(weight)) for text, weight in sections)
        obj = super().__new__(cls, "\n".join(text for text, _ in parts))
        obj.sections = parts
        return obj

    def __reduce__(self):
        return (Sections, (self.sections,))


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


def term_texts(text: str) -> list[str]:
    """The terms of prepared text, as `iter_terms` yields them, without their offsets (for indexing)."""
    terms: list[str] = []
    add = terms.append
    breaker = _word_breaker()
    for match in _TOKEN_RE.finditer(text):
        if match.lastgroup == "thai":
            run = match.group()
            breaker.setText(run)
            start = 0
            for end in breaker:
                if end > start:
                    add(run[start:end])
                start = end
            continue
        for part in _PART_SPLIT_RE.split(match.group()):
            if part:
                add(part.lower())
    return terms


def analyze(text: str) -> list[str]:
    """The terms of `text` as the index sees them; queries are analysed the same way."""
    return [term for term, *_ in iter_terms(prepare(text))]


class ThaiTokenizer(Tokenizer):
    """A Whoosh tokenizer (and so an analyzer) over `iter_terms`; picklable, since Whoosh stores the schema.

    `paired` holds the common terms: when indexing, two of them side by side are also written as a pair term.
    """

    def __init__(self, paired: frozenset[str] = frozenset()) -> None:
        self.paired = frozenset(paired)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("paired", frozenset())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ThaiTokenizer) and self.paired == other.paired

    def __hash__(self) -> int:
        return hash((ThaiTokenizer, len(self.paired)))

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
        if tokenize and mode == "index" and positions and not chars and not keeporiginal:
            yield from self._index_tokens(token, value, start_pos)
            return
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

    def _index_tokens(self, token: Token, value: str, position: int) -> Iterator[Token]:
        for term, pos, weight in self.index_terms(value, position):
            token.text = term
            token.pos = pos
            token.boost = weight
            yield token

    def index_terms(self, value: str, position: int = 0) -> Iterator[tuple[str, int, float]]:
        """(term, position, weight) of what indexing writes: the terms and pair terms of each section, with
        the section's weight; sections SECTION_GAP positions apart. Tokens and the bulk segment writer
        (app.search.backends.whoosh.bulk) both come from here."""
        paired = self.paired
        sections = getattr(value, "sections", None) or ((value, 1.0),)
        for text, weight in sections:
            previous = None
            for term in term_texts(prepare(text)):
                if previous is not None and term in paired and previous in paired:
                    yield pair_term(previous, term), position - 1, weight
                yield term, position, weight
                previous = term
                position += 1
            position += SECTION_GAP


def ThaiAnalyzer(paired: frozenset[str] = frozenset()) -> ThaiTokenizer:  # noqa: N802 - like Whoosh's factories
    """The analyzer every text field of the search schema uses."""
    return ThaiTokenizer(paired)
