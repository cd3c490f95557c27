"""Snippets: the stretch of an entry's body around the reader's words, with the words marked."""

from __future__ import annotations

import functools
import re
import unicodedata

from markupsafe import escape
from whoosh import query as wq

from app.search.analyzer import iter_terms, prepare
from app.search.schema import TEXT_FIELD
from app.text.markdown import excerpt, looks_like_html

SNIPPET_LENGTH = 200
# What may stand between two pieces of a phrase in the stored text (Thai writers' spaces, a name's hyphens).
_PIECE_GAP = r"[\s\-_.'’]*"
_THAI_LEADING_VOWELS = frozenset("เแโใไ")
SNIPPET_LEAD = 60  # characters of context before the first match
MAX_SNIPPET_CANDIDATES = 20


def body_phrases(q: wq.Query) -> list[tuple[str, ...]]:
    """The word sequences the query looks for in the body, longest first (none from under a NOT)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
        elif isinstance(node, wq.Phrase):
            if node.fieldname == TEXT_FIELD and node.words:
                found.add(tuple(node.words))
        elif isinstance(node, wq.Term):
            if node.fieldname == TEXT_FIELD and isinstance(node.text, str):
                found.add((node.text,))
        else:
            for child in node.children():
                walk(child)

    walk(q)
    return sorted(found, key=len, reverse=True)


def _cluster_start(text: str, index: int) -> int:
    """Move `index` back so a cut there does not split a Thai letter from its vowel or tone marks."""
    while index > 0 and (
        unicodedata.category(text[index]).startswith("M")
        or text[index] == "\u0e33"
        or text[index - 1] in _THAI_LEADING_VOWELS
    ):
        index -= 1
    return index


def _marked_spans(fragment: str, phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Character spans of `fragment` where a whole query phrase (or word) occurs, as the analyzer reads it."""
    tokens = list(iter_terms(prepare(fragment)))  # what ThaiAnalyzer() yields, without its Token objects
    words = [text for text, _, _ in tokens]
    spans: list[tuple[int, int]] = []
    for i in range(len(tokens)):
        for phrase in phrases:
            if words[i] == phrase[0] and tuple(words[i : i + len(phrase)]) == phrase:
                start, end = tokens[i][1], tokens[i + len(phrase) - 1][2]
                if spans and start <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
                else:
                    spans.append((start, end))
                break
    return spans


def _excerpt_from(body: str, start: int) -> str:
    """`excerpt(body[start:], SNIPPET_LENGTH)` without its "…", read from only the stretch of the body it needs.

    The stretch ends before a space: normalising it and collapsing its spaces then give the start of what the
    whole rest of the body would give, and once that is longer than an excerpt (the excerpt was cut: it ends
    with a "…" the stretch does not hold), the excerpt is the same.
    """
    end = body.find(" ", start + 2 * SNIPPET_LENGTH)
    if end > 0 and not looks_like_html(body, start):
        stretch = body[start:end]
        text = excerpt(stretch, SNIPPET_LENGTH)
        if text.endswith("…") and "…" not in stretch:
            return text.removesuffix("…")
    return excerpt(body[start:], SNIPPET_LENGTH).removesuffix("…")


def _fragment_at(body: str, position: int) -> tuple[int, str]:
    """A stretch of about SNIPPET_LENGTH characters of `body` starting shortly before `position`."""
    start = 0
    if position > SNIPPET_LEAD:
        space = body.rfind(" ", position - SNIPPET_LEAD - 20, position)
        start = space + 1 if space >= 0 else _cluster_start(body, position - SNIPPET_LEAD)
    return start, _excerpt_from(body, start)


def _render(body: str, start: int, fragment: str, spans: list[tuple[int, int]]) -> tuple[str, str]:
    before = "…" if start else ""
    after = "…" if start + len(fragment) < len(body) else ""
    html, cursor = [], 0
    for span_start, span_end in spans:
        html.append(f"{escape(fragment[cursor:span_start])}<mark>{escape(fragment[span_start:span_end])}</mark>")
        cursor = span_end
    html.append(str(escape(fragment[cursor:])))
    return f"{before}{''.join(html)}{after}", f"{before}{fragment}{after}"


@functools.lru_cache(maxsize=256)
def _phrases_pattern(phrases: tuple[tuple[str, ...], ...]) -> re.Pattern:
    """Where the phrases may stand in a stored body (built once per query, not per hit)."""
    return re.compile("|".join(_PIECE_GAP.join(map(re.escape, phrase)) for phrase in phrases))


def snippet(body: str, phrases: list[tuple[str, ...]]) -> tuple[str, str]:
    """The excerpt of a stored body around the first place a query phrase occurs, as HTML with <mark>s and as
    text; the start of the body when the words matched elsewhere (title, tags, comments).

    Marks cover whole phrases, so a query for การจัดการความรู้ does not light up every การ on the page, and only
    a short stretch of the body is analysed, so a long entry costs no more than a short one.
    """
    lowered = body.lower()
    if phrases and len(lowered) == len(body):
        for count, match in enumerate(_phrases_pattern(tuple(phrases)).finditer(lowered)):
            if count == MAX_SNIPPET_CANDIDATES:
                break
            start, fragment = _fragment_at(body, match.start())
            spans = _marked_spans(fragment, phrases)
            if spans:
                return _render(body, start, fragment, spans)
    return _render(body, 0, _excerpt_from(body, 0), [])
