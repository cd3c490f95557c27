"""Thai words found wherever the text contains them, however ICU cut the text around them.

ICU cuts a Thai run by its dictionary and by the letters around each word, so the pieces of a word in a
document need not be the pieces of the same word typed alone: เรียน sits inside the one piece โรงเรียน,
ความรู้ is ความ · รู้สึก inside ความรู้สึก, พื้นที่ is ลงพื้น · ที่ after ลง, and ธรรมราช is one piece of
นครศรีธรรมราช but ธรรม · ราช alone. A phrase of the query's own pieces misses all of these.

Here a Thai run of the query is matched against the *lexicon* (every Thai piece the index holds) instead: the
run occurs in a text exactly when consecutive pieces of the text spell it out, the first piece possibly
starting before it and the last possibly ending after it. So a run Q is found as

  * one piece that contains Q, or
  * a piece ending with Q's first part, then pieces equal to Q's middle parts, then a piece starting with Q's
    last part, at consecutive positions,

for every way of cutting Q into parts that the lexicon allows. Each such way is an *alternative*: a list of
sets of terms, one set per position (a set is "any of these terms here"). The query's own pieces are one of
them. An edge of a run that the query closes with a Latin word or a number (ทีมKM) is matched exactly there:
the text's Thai run ends there too.

Sets are bounded (MAX_SET_TERMS): a part of one or two letters ends or starts thousands of pieces, and such a
cut is almost never a real word's; those alternatives are left out, and recall is measured with them out
(bench/search/recall.py).
"""

from __future__ import annotations

import bisect
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# A Thai piece as the analyzer cuts it (its _THAI_RUN): letters, vowels and tone marks, no ๆ ฯ or digits.
THAI_TERM_RE = re.compile(r"[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+")
# An edge set with more terms than this is left out (see above); so is a run cut more ways than MAX_ALTERNATIVES.
MAX_SET_TERMS = 64
# At most this many alternatives of a run, and distinct terms over them (each term is a posting list to read),
# from at most MAX_SEARCHED ways of cutting it.
MAX_ALTERNATIVES = 16
MAX_TERMS = 96
MAX_SEARCHED = 256
# A text may cut a run into at most this many more pieces than the query's own: ICU's cuts of the same letters
# differ by a piece or so in real words; longer chains come from stray letters and multiply the alternatives.
EXTRA_PIECES = 1

Alternative = tuple[frozenset[str], ...]

# SEARCH_THAI_SUBSTRINGS "auto": the backends it is on for (both, since PostgreSQL matches the alternatives as
# pair lexemes in a RUM index: bench/README.md, "The PostgreSQL backend").
ON_BY_DEFAULT = frozenset({"whoosh", "postgres"})
_SWITCH = {"1": True, "true": True, "on": True, "yes": True, "0": False, "false": False, "off": False, "no": False}


def enabled(config, backend: str) -> bool:
    """Whether `backend` ("whoosh" or "postgres") looks Thai words up in its lexicon: SEARCH_THAI_SUBSTRINGS is
    "auto" (the default: ON_BY_DEFAULT), or 1 / 0 (True / False) to force it either way."""
    setting = config.get("SEARCH_THAI_SUBSTRINGS", "auto")
    if isinstance(setting, bool):
        return setting
    text = str(setting).strip().lower()
    if text in ("", "auto"):
        return backend in ON_BY_DEFAULT
    if text not in _SWITCH:
        raise ValueError(f"SEARCH_THAI_SUBSTRINGS must be auto, 1 or 0, not {setting!r}")
    return _SWITCH[text]


def is_thai(term: str) -> bool:
    return THAI_TERM_RE.fullmatch(term) is not None


class Lexicon:
    """The Thai pieces of an index, sorted forwards and by their reversed text, for prefix, suffix and
    infix lookups."""

    def __init__(self, terms: Iterable[str], *, checked: bool = False) -> None:
        self.terms = list(terms) if checked else sorted({term for term in terms if is_thai(term)})
        self.known = frozenset(self.terms)
        self.reversed = sorted(term[::-1] for term in self.terms)
        self.blob = "\n" + "\n".join(self.terms) + "\n"

    @classmethod
    def from_sorted(cls, text: str) -> Lexicon:
        """A lexicon from what `text()` gave."""
        return cls(text.split("\n") if text else (), checked=True)

    def text(self) -> str:
        """The terms, sorted, one per line (to be kept in a file)."""
        return "\n".join(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __contains__(self, term: str) -> bool:
        return term in self.known

    def starting_with(self, part: str, limit: int) -> list[str]:
        """Terms that start with `part` (at most limit + 1 of them: more means "too many")."""
        i = bisect.bisect_left(self.terms, part)
        found = []
        while i < len(self.terms) and self.terms[i].startswith(part) and len(found) <= limit:
            found.append(self.terms[i])
            i += 1
        return found

    def ending_with(self, part: str, limit: int) -> list[str]:
        """Terms that end with `part` (at most limit + 1 of them)."""
        key = part[::-1]
        i = bisect.bisect_left(self.reversed, key)
        found = []
        while i < len(self.reversed) and self.reversed[i].startswith(key) and len(found) <= limit:
            found.append(self.reversed[i][::-1])
            i += 1
        return found

    def containing(self, part: str, limit: int) -> list[str]:
        """Terms that contain `part` anywhere (at most limit + 1 of them)."""
        found = []
        start = self.blob.find(part)
        while start >= 0 and len(found) <= limit:
            line_start = self.blob.rfind("\n", 0, start) + 1
            line_end = self.blob.find("\n", start)
            found.append(self.blob[line_start:line_end])
            start = self.blob.find(part, line_end)
        return found


class Lexicons:
    """Several lexicons searched as one (the segments of a Whoosh index each have theirs)."""

    def __init__(self, parts: Sequence[Lexicon]) -> None:
        self.parts = [part for part in parts if len(part)]

    def __contains__(self, term: str) -> bool:
        return any(term in part for part in self.parts)

    def _union(self, method: str, part: str, limit: int) -> list[str]:
        found: set[str] = set()
        for lexicon in self.parts:
            found.update(getattr(lexicon, method)(part, limit))
            if len(found) > limit:
                break
        return sorted(found)

    def starting_with(self, part: str, limit: int) -> list[str]:
        return self._union("starting_with", part, limit)

    def ending_with(self, part: str, limit: int) -> list[str]:
        return self._union("ending_with", part, limit)

    def containing(self, part: str, limit: int) -> list[str]:
        return self._union("containing", part, limit)


def _edge(lexicon, part: str, method: str, is_open: bool) -> frozenset[str] | None:
    """The set for an edge part: every term that ends/starts with it when the edge is open, else the part
    itself; None when no term fits or too many do."""
    if not is_open:
        return frozenset((part,)) if part in lexicon else None
    found = getattr(lexicon, method)(part, MAX_SET_TERMS)
    if not found or len(found) > MAX_SET_TERMS:
        return frozenset((part,)) if part in lexicon else None
    return frozenset(found)


def run_alternatives(
    run: str, lexicon, open_left: bool, open_right: bool, max_pieces: int | None = None
) -> list[Alternative]:
    """The ways `run` (Thai text) can stand in an indexed text, as sets of terms at consecutive positions, in
    at most `max_pieces` pieces."""
    max_pieces = max_pieces or len(run)
    alternatives: list[Alternative] = []
    if open_left and open_right:
        inside = lexicon.containing(run, MAX_SET_TERMS)
        whole = frozenset(inside) if inside and len(inside) <= MAX_SET_TERMS else _edge(lexicon, run, "", False)
    elif open_left or open_right:
        whole = _edge(lexicon, run, "ending_with" if open_left else "starting_with", True)
    else:
        whole = _edge(lexicon, run, "", False)
    if whole is not None:
        alternatives.append((whole,))
    cuts = [i for i in range(1, len(run)) if _cuttable(run, i)]
    found = 0
    for first_end in cuts:
        head = _edge(lexicon, run[:first_end], "ending_with", open_left)
        if head is None:
            continue
        stack: list[tuple[int, tuple[frozenset[str], ...]]] = [(first_end, (head,))]
        while stack and found < MAX_SEARCHED:
            start, sets = stack.pop()
            tail = _edge(lexicon, run[start:], "starting_with", open_right)
            if tail is not None:
                alternatives.append((*sets, tail))
                found += 1
            if len(sets) + 2 > max_pieces:
                continue
            for end in cuts:
                if end > start and run[start:end] in lexicon:
                    stack.append((end, (*sets, frozenset((run[start:end],)))))
    # The fewest pieces first: the cuts ICU makes in real words; long chains of letters come from garbage.
    alternatives = sorted(dict.fromkeys(alternatives), key=len)
    return _within_budget(alternatives)


def _within_budget(alternatives: list[Alternative]) -> list[Alternative]:
    """The first alternatives, as many as MAX_ALTERNATIVES and MAX_TERMS distinct terms allow."""
    kept: list[Alternative] = []
    terms: set[str] = set()
    for alt in alternatives:
        new_terms = terms.union(*alt)
        if len(kept) == MAX_ALTERNATIVES or (kept and len(new_terms) > MAX_TERMS):
            continue
        kept.append(alt)
        terms = new_terms
    return kept


# Thai signs that never begin a word (vowels written above, below or after a letter; tone marks), and the
# vowels written before their letter (เ แ โ ใ ไ), as code points: character sets, not text to translate.
_NO_WORD_STARTS = frozenset(map(chr, (*range(0x0E30, 0x0E3B), 0x0E45, *range(0x0E47, 0x0E4F))))
_LEADING_VOWELS = frozenset(map(chr, range(0x0E40, 0x0E45)))


def _cuttable(run: str, i: int) -> bool:
    """Whether a word may begin at `i`: not on a sign that follows its letter, not after a leading vowel. ICU
    never cuts before a combining mark; the other cuts occur only in garbage, and they multiply alternatives."""
    return run[i] not in _NO_WORD_STARTS and run[i - 1] not in _LEADING_VOWELS


@dataclass
class _Run:
    start: int  # index of the run's first word in the phrase
    end: int  # one past its last word


_cache: OrderedDict[tuple, tuple[tuple, list[Alternative]]] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 512


def phrase_alternatives(words: Sequence[str], lexicon) -> list[Alternative]:
    """The alternatives of a phrase of analysed words: each Thai run expanded (run_alternatives), the other
    words kept as they are; the phrase's own words come first. Runs combine as a product, capped.

    Kept per phrase and lexicon (the same lexicon objects: a changed index brings new ones), since searches
    repeat."""
    parts = lexicon.parts if isinstance(lexicon, Lexicons) else [lexicon]
    key = (tuple(words), tuple(map(id, parts)))
    with _cache_lock:
        found = _cache.get(key)
        if found is not None and all(ref() is part for ref, part in zip(found[0], parts, strict=True)):
            _cache.move_to_end(key)
            return found[1]
    alternatives = _phrase_alternatives(words, lexicon)
    with _cache_lock:
        _cache[key] = (tuple(map(weakref.ref, parts)), alternatives)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return alternatives


def _phrase_alternatives(words: Sequence[str], lexicon) -> list[Alternative]:
    runs: list[_Run] = []
    for i, word in enumerate(words):
        if is_thai(word):
            if runs and runs[-1].end == i:
                runs[-1].end = i + 1
            else:
                runs.append(_Run(i, i + 1))
    own: Alternative = tuple(frozenset((word,)) for word in words)
    if not runs:
        return [own]
    combined: list[Alternative] = [()]
    cursor = 0
    for run in runs:
        fixed = own[cursor : run.start]
        expanded = run_alternatives(
            "".join(words[run.start : run.end]),
            lexicon,
            open_left=run.start == 0,
            open_right=run.end == len(words),
            max_pieces=run.end - run.start + EXTRA_PIECES,
        )
        expanded = expanded or [own[run.start : run.end]]
        combined = [done + fixed + alt for done in combined for alt in expanded][:MAX_ALTERNATIVES]
        cursor = run.end
    combined = [alt + own[cursor:] for alt in combined]
    rest = [alt for alt in combined if alt != own]
    return [own, *rest]


def without_subsumed(alternatives: list[Alternative]) -> list[Alternative]:
    """The alternatives less those another one covers (as long, and a superset at every position)."""

    def covers(big: Alternative, small: Alternative) -> bool:
        return big != small and len(big) == len(small) and all(b >= s for b, s in zip(big, small, strict=True))

    return [alt for alt in alternatives if not any(covers(other, alt) for other in alternatives)]
