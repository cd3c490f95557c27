"""Compare Thai word segmenters for search: PyThaiNLP newmm, nlpO3 (newmm in Rust) and ICU's word breaker.

Each segmenter is measured *inside the app's analyzer* (app/search/analyzer.py): the analyzer cuts text into
Thai runs, Latin words and numbers, and only the segmenter that splits a Thai run into pieces is swapped. So
the figures say what search would do with that segmenter, not what the segmenter does on raw text.

Accuracy: for each query, the truth is the set of seed pages that contain it as a substring (NFC, zero-width
characters removed, Thai digits folded, whitespace between Thai letters removed). A segmenter "finds" a page
when the query's own terms (query mode) occur in the page's terms as a phrase at consecutive positions, which
is how Whoosh matches a multi-piece Thai query word. Speed: characters per second over the seed text repeated
to about 2 MB, median of 3 interleaved rounds, for the segmenter alone and for the whole analyzer.

Run: .venv/bin/python bench/segmenters/compare.py [--seeds ../shared/seeds] [--megabytes 2]
The seed pages are read at run time; nothing of their text is stored here.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import inspect
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.search import analyzer  # noqa: E402

QUERIES = [
    "ชุมพร",
    "เกาะมัตรา",
    "คุณอำนวย",
    "ความรู้",
    "การจัดการความรู้",
    "แลกเปลี่ยนเรียนรู้",
    "ลปรร",
    "กาฬสินธุ์",
    "๒๕๔๙",
    "2549",
]
SEGMENTERS = ("icu", "newmm", "nlpo3")
THAI = "\u0e01-\u0e4e"
_THAI_GAP_RE = re.compile(rf"(?<=[{THAI}])\s+(?=[{THAI}])")

Pieces = Callable[[str, int], Iterator[tuple[str, int, int]]]
Segment = Callable[[str], list[str]]

_ICU_PIECES: Pieces = analyzer._thai_pieces


def words_th_path() -> Path:
    """PyThaiNLP's main word list, the dictionary nlpO3 needs (nlpO3 ships none of its own)."""
    import pythainlp

    return Path(pythainlp.__file__).parent / "corpus" / "words_th.txt"


def make_segment(name: str) -> Segment:
    """A function from a Thai run to its pieces, for one segmenter."""
    if name == "icu":
        return lambda run: [piece for piece, _, _ in _ICU_PIECES(run, 0)]
    if name == "newmm":
        from pythainlp.tokenize import word_tokenize

        return lambda run: word_tokenize(run, engine="newmm", keep_whitespace=False)
    if name == "nlpo3":
        import nlpo3

        nlpo3.load_dict(str(words_th_path()), "words_th")
        return lambda run: nlpo3.segment(run, "words_th")
    raise ValueError(name)


def pieces_from(segment: Segment) -> Pieces:
    """Adapt a segmenter to the analyzer's hook: (piece, start, end) with offsets into the text."""

    def pieces(run: str, offset: int) -> Iterator[tuple[str, int, int]]:
        cursor = 0
        for piece in segment(run):
            start = run.find(piece, cursor)
            if not piece.strip() or start < 0:
                continue
            cursor = start + len(piece)
            yield piece, offset + start, offset + cursor

    return pieces


def use_segmenter(name: str, segment: Segment) -> None:
    """Swap the analyzer's Thai-run segmenter (ICU is its own)."""
    analyzer._thai_pieces = _ICU_PIECES if name == "icu" else pieces_from(segment)


def positions(text: str, query_mode: bool = False) -> list[set[str]]:
    """The terms at each position, as the index would store them (a whole hyphenated name shares a slot)."""
    slots: list[set[str]] = [set()]
    # Works with either shape of the analyzer's iter_terms: (term, start, end) with one position per term,
    # or (term, start, end, advances) where a whole hyphenated name shares its first part's position.
    takes_mode = "query_mode" in inspect.signature(analyzer.iter_terms).parameters
    args = (analyzer.prepare(text), query_mode) if takes_mode else (analyzer.prepare(text),)
    for item in analyzer.iter_terms(*args):
        slots[-1].add(item[0])
        if len(item) < 4 or item[3]:
            slots.append(set())
    return [slot for slot in slots if slot]


def phrase_found(page: list[set[str]], query: list[str]) -> bool:
    if not query:
        return False
    first = query[0]
    for i, slot in enumerate(page):
        if first in slot and i + len(query) <= len(page) and all(query[k] in page[i + k] for k in range(1, len(query))):
            return True
    return False


def truth_text(text: str) -> str:
    return _THAI_GAP_RE.sub("", analyzer.prepare(text)).lower()


def accuracy(pages: dict[str, str]) -> dict[str, dict[str, tuple[int, int, int, list[str]]]]:
    """Per segmenter and query: (pages found of the truth, truth size, false hits, query terms)."""
    truths = {name: truth_text(text) for name, text in pages.items()}
    results: dict[str, dict[str, tuple[int, int, int, list[str]]]] = {}
    for seg_name in SEGMENTERS:
        use_segmenter(seg_name, make_segment(seg_name))
        page_slots = {name: positions(text) for name, text in pages.items()}
        per_query = {}
        for query in QUERIES:
            terms = [term for slot in positions(query, query_mode=True) for term in slot]
            truth = {name for name, text in truths.items() if truth_text(query) in text}
            found = {name for name, slots in page_slots.items() if phrase_found(slots, terms)}
            per_query[query] = (len(found & truth), len(truth), len(found - truth), terms)
        results[seg_name] = per_query
    use_segmenter("icu", make_segment("icu"))
    return results


def explain_misses(pages: dict[str, str], acc) -> list[str]:
    """For each page a segmenter missed, how it cut the first occurrence (one piece of context each side)."""
    lines = []
    for seg_name in SEGMENTERS:
        segment = make_segment(seg_name)
        use_segmenter(seg_name, segment)
        for query in QUERIES:
            terms = acc[seg_name][query][3]
            pattern = re.compile(r"\s*".join(map(re.escape, truth_text(query))), re.IGNORECASE)
            for name, text in pages.items():
                prepared = analyzer.prepare(text)
                match = pattern.search(prepared)
                if not match or phrase_found(positions(text), terms):
                    continue
                cut = [
                    (piece, start, end)
                    for m in analyzer._TOKEN_RE.finditer(prepared)
                    if m.lastgroup == "thai" and m.end() > match.start() - 20 and m.start() < match.end() + 20
                    for piece, start, end in analyzer._thai_pieces(m.group(), m.start())
                ]
                inside = [i for i, (_, start, end) in enumerate(cut) if end > match.start() and start < match.end()]
                window = cut[max(0, inside[0] - 1) : inside[-1] + 2] if inside else cut
                shown = " · ".join(piece for piece, _, _ in window)
                lines.append(f"- {seg_name} misses {query} in {name}: the text is cut `{shown}`")
    use_segmenter("icu", make_segment("icu"))
    return lines


def thai_runs(text: str) -> list[str]:
    return [m.group() for m in analyzer._TOKEN_RE.finditer(analyzer.prepare(text)) if m.lastgroup == "thai"]


def speed(text: str, rounds: int = 3) -> dict[str, dict[str, float]]:
    """Median chars/s of the segmenter alone (over the Thai runs) and of the whole analyzer, interleaved."""
    segments = {name: make_segment(name) for name in SEGMENTERS}
    runs = thai_runs(text)
    run_chars = sum(len(r) for r in runs)
    timings: dict[str, dict[str, list[float]]] = {n: {"segmenter": [], "analyzer": []} for n in SEGMENTERS}
    for _ in range(rounds):
        for name in SEGMENTERS:
            segment = segments[name]
            started = time.perf_counter()
            for run in runs:
                segment(run)
            timings[name]["segmenter"].append(run_chars / (time.perf_counter() - started))
            use_segmenter(name, segment)
            started = time.perf_counter()
            for _term in analyzer.iter_terms(analyzer.prepare(text)):
                pass
            timings[name]["analyzer"].append(len(text) / (time.perf_counter() - started))
    use_segmenter("icu", segments["icu"])
    return {n: {k: statistics.median(v) for k, v in t.items()} for n, t in timings.items()}


# Each snippet imports only what that segmenter needs, so the figure is its own start-up cost.
_FIRST_CALL = {
    "icu": """
import icu
breaker = icu.BreakIterator.createWordInstance(icu.Locale("th"))
breaker.setText(TEXT)
list(breaker)
""",
    "newmm": """
from pythainlp.tokenize import word_tokenize
word_tokenize(TEXT, engine="newmm", keep_whitespace=False)
""",
    "nlpo3": """
import importlib.util, os, nlpo3
corpus = os.path.join(importlib.util.find_spec("pythainlp").submodule_search_locations[0], "corpus")
nlpo3.load_dict(os.path.join(corpus, "words_th.txt"), "words_th")
nlpo3.segment(TEXT, "words_th")
""",
}
_TIMED = (
    "import time\nstarted = time.perf_counter()\nTEXT = 'การจัดการความรู้ของจังหวัดชุมพร'\n"
    "{body}\nprint(time.perf_counter() - started)\n"
)


def first_call(name: str) -> float:
    """Seconds from a fresh interpreter to the first segmented sentence (imports and dictionary load)."""
    code = _TIMED.format(body=_FIRST_CALL[name])
    samples = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _dist_size(dist: str) -> int:
    files = importlib.metadata.distribution(dist).files or []
    return sum(os.path.getsize(f.locate()) for f in files if os.path.isfile(f.locate()))


def install_size(name: str) -> str:
    mib = 1024 * 1024
    if name == "icu":
        return f"{_dist_size('pyicu-wheels') / mib:.1f} MiB (pyicu-wheels, ICU data bundled)"
    if name == "newmm":
        return f"{_dist_size('pythainlp') / mib:.1f} MiB (pythainlp)"
    words = words_th_path().stat().st_size
    return f"{_dist_size('nlpo3') / mib:.1f} MiB (nlpo3) + {words / mib:.1f} MiB words_th.txt"


def version(name: str) -> str:
    dist = {"icu": "pyicu-wheels", "newmm": "pythainlp", "nlpo3": "nlpo3"}[name]
    label = f"{dist} {importlib.metadata.version(dist)}"
    if name == "icu":
        import icu

        label += f", ICU {icu.ICU_VERSION}"
    return label


def render(pages: dict[str, str], acc, speeds, firsts, megabytes: float, chars: int) -> str:
    out = [f"Seed pages: {len(pages)}; accuracy = pages found / pages containing the query (false hits).", ""]
    out.append("| query | " + " | ".join(SEGMENTERS) + " |")
    out.append("|---|" + "---|" * len(SEGMENTERS))
    for query in QUERIES:
        cells = []
        for seg in SEGMENTERS:
            found, truth, false, terms = acc[seg][query]
            cells.append(f"{found}/{truth}" + (f" ({false} false)" if false else "") + f" `{' · '.join(terms)}`")
        out.append(f"| {query} | " + " | ".join(cells) + " |")
    totals = []
    for seg in SEGMENTERS:
        found = sum(v[0] for v in acc[seg].values())
        truth = sum(v[1] for v in acc[seg].values())
        false = sum(v[2] for v in acc[seg].values())
        totals.append(f"**{found}/{truth}** recall {found / truth:.0%}, {false} false")
    out.append("| **total** | " + " | ".join(totals) + " |")
    out += ["", f"Speed over {megabytes:g} MB of UTF-8 ({chars:,} characters), median of 3 interleaved rounds:", ""]
    out.append(
        "| segmenter | version | segmenter alone (Thai chars/s) | whole analyzer (chars/s) "
        "| vs ICU (analyzer) | first call (import + dictionary + 1 sentence) | install size |"
    )
    out.append("|---|---|---|---|---|---|---|")
    icu_rate = speeds["icu"]["analyzer"]
    for seg in SEGMENTERS:
        s = speeds[seg]
        out.append(
            f"| {seg} | {version(seg)} | {s['segmenter']:,.0f} | {s['analyzer']:,.0f} | "
            f"{s['analyzer'] / icu_rate:.2f}× | {firsts[seg] * 1000:.0f} ms | {install_size(seg)} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--megabytes", type=float, default=2.0)
    args = parser.parse_args()
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))}
    if not pages:
        sys.exit(f"no seed pages in {args.seeds}")
    acc = accuracy(pages)
    seed_text = "\n".join(pages.values())
    repeat = max(1, round(args.megabytes * 1_000_000 / len(seed_text.encode("utf-8"))))
    text = "\n".join([seed_text] * repeat)
    speeds = speed(text)
    firsts = {name: first_call(name) for name in SEGMENTERS}
    print(render(pages, acc, speeds, firsts, args.megabytes, len(text)))
    misses = explain_misses(pages, acc)
    if misses:
        print("\nWhy pages were missed:\n")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
