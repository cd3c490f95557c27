"""Search benchmark: rebuild rate, index size, query latency and commit-to-findable time over a synthetic corpus.

Builds N synthetic Thai entries (bench/search/corpus.py) into a fresh database made by the migrations, then
uses the application's own search code:
  * full rebuild with app.search.index.reindex() — documents per second and the index's size on disk;
  * 30 mixed Thai/English queries through app.search.query.search(), each without and with one filter
    (tag, station, blog or date range, in turn), after one warm-up pass; median and p95 over every call;
  * one new entry through app.entries.services.create_entry() + db.session.commit() (so the real outbox sync
    runs), timed from just before the commit until search() finds it; median of 5.
`--profile K` also profiles a single-process build of K entries with cProfile and says where the time goes.
`--backend postgres` measures the PostgreSQL backend instead: the corpus goes into a new database on the
server of `--server` (dropped afterwards unless --keep) and the "index" is the search_documents table.

    .venv/bin/python bench/search/run.py --entries 2000            # quick check of the harness
    .venv/bin/python bench/search/run.py                            # 100,000 entries (the issue's size)
    .venv/bin/python bench/search/run.py --entries 20000 --profile 3000 --keep /tmp/sala-bench-20k
    .venv/bin/python bench/search/run.py --entries 20000 --backend postgres

The machine is shared: latencies are medians over repeated calls, and the table says how busy it was.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

QUERIES = [
    # single Thai words
    "ชุมพร",
    "ความรู้",
    "โรงเรียน",
    "พยาบาล",
    "กาฬสินธุ์",
    "ห้องสมุด",
    "เบาหวาน",
    # compounds
    "การจัดการความรู้",
    "แลกเปลี่ยนเรียนรู้",
    "ชุมชนนักปฏิบัติ",
    "ภูมิปัญญาท้องถิ่น",
    "คุณอำนวย",
    "ถอดบทเรียน",
    "ตลาดนัดความรู้",
    # quoted phrases
    '"ทีม KM"',
    '"เล่าเรื่องเร้าพลัง"',
    '"KM Action Plan"',
    # several words
    "KM ชุมพร",
    "R2R โรงพยาบาล",
    "ความรู้ เกษตรอินทรีย์",
    # acronyms and names
    "KM",
    "CoP",
    "R2R",
    "PMQA",
    "KV",
    "Chumphon-KM-Station",
    # Thai digits and Buddhist-Era years
    "๒๕๔๙",
    "2549",
    "๒๕๖๐ คุณกิจ",
    # a rare dictionary word
    "ช่องเขา",
]
assert len(QUERIES) == 30


@dataclass
class Figures:
    entries: int
    documents: int = 0
    load_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    index_bytes: int = 0
    database_bytes: int = 0
    cold: list[float] | None = None
    plain: list[float] | None = None
    filtered: list[float] | None = None
    newest: list[float] | None = None
    commit: list[float] | None = None
    findable: list[float] | None = None
    totals: dict[str, int] | None = None
    estimated: set[str] = field(default_factory=set)  # queries whose total the backend estimated ("about")
    cpu: list[float] | None = None
    per_query: dict[str, list[float]] = field(default_factory=dict)
    per_filter: dict[str, list[float]] = field(default_factory=dict)
    rebuild_cpu: float = 0.0
    load_average: tuple[float, float, float] = (0.0, 0.0, 0.0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Whoosh's writer processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


DEFAULT_DATABASE_PREFIX = "sala_bench_"


def postgres_database(server: str, workdir: Path, *, create: bool, prefix: str = DEFAULT_DATABASE_PREFIX) -> str:
    """The URL of the benchmark's PostgreSQL database (`prefix` + the name of `workdir`), created empty if asked."""
    from sqlalchemy import create_engine, make_url

    name = prefix + "".join(c if c.isalnum() else "_" for c in workdir.name.lower())
    if create:
        admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url

    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def storage_bytes(workdir: Path) -> tuple[int, int]:
    """(database, index) sizes: the SQLite file or PostgreSQL database, and the index directory or table."""
    from app.extensions import db
    from app.search.backends import backend_name
    from app.search.backends.whoosh.index import current_dir

    if db.engine.dialect.name == "postgresql":
        database = int(db.session.scalar(db.text("SELECT pg_database_size(current_database())")))
    else:
        database = (workdir / "sala.db").stat().st_size
    if backend_name() == "postgres":
        return database, int(db.session.scalar(db.text("SELECT pg_total_relation_size('search_documents')")))
    return database, directory_bytes(current_dir())


FILTER_KINDS = [
    ("tag", "KM"),
    ("station", "Chumphon-KM-Station"),
    ("blog", "the busiest blog"),
    ("date", "2010-01-01 to 2012-12-31"),
]


def filters_for(layout: corpus.Layout):
    """One filter of each kind; the blog is the most prolific one, the station the first."""
    from app.search.query import SearchFilters
    from app.text.tags import normalize_tag

    return [
        ("tag", SearchFilters(tag=normalize_tag(FILTER_KINDS[0][1]))),
        ("station", SearchFilters(station=FILTER_KINDS[1][1])),
        ("blog", SearchFilters(blog=layout.blogs[0][1])),
        ("date", SearchFilters(date_from=date(2010, 1, 1), date_to=date(2012, 12, 31))),
    ]


CPU_TIMES: list[float] = []  # CPU seconds of each warm search, beside its wall time


def timed_search(q: str, filters=None, sort: str = "relevance") -> tuple[float, int, bool]:
    from app.search.query import search

    cpu = time.process_time()
    started = time.perf_counter()
    page = search(q, filters, sort=sort)
    elapsed = time.perf_counter() - started
    CPU_TIMES.append(time.process_time() - cpu)
    return elapsed, page.total, page.total_is_estimate


def measure_queries(figures: Figures, layout: corpus.Layout, repeats: int) -> None:
    from app.extensions import db

    kinds = filters_for(layout)
    figures.cold, figures.plain, figures.filtered, figures.newest = [], [], [], []
    figures.totals = {}
    for q in QUERIES:  # the first pass, cold: index files and database pages not yet in memory
        elapsed, total, estimated = timed_search(q)
        figures.cold.append(elapsed)
        figures.totals[q] = total
        if estimated:
            figures.estimated.add(q)
        db.session.remove()
    CPU_TIMES.clear()
    for _ in range(repeats):
        for i, q in enumerate(QUERIES):
            figures.plain.append(timed_search(q)[0])
            figures.per_query.setdefault(q, []).append(figures.plain[-1])
            figures.filtered.append(timed_search(q, kinds[i % len(kinds)][1])[0])
            figures.per_filter.setdefault(q, []).append(figures.filtered[-1])
            figures.newest.append(timed_search(q, sort="newest")[0])
            db.session.remove()
    figures.cpu = list(CPU_TIMES)


def measure_new_entry(figures: Figures, layout: corpus.Layout, tries: int = 5, limit: float = 30.0) -> None:
    """Commit a new entry through the service and poll search() until it is found."""
    from app.entries.services import create_entry
    from app.extensions import db
    from app.models import Blog, User
    from app.search.query import search

    owners_ok = set(db.session.scalars(db.select(User.id).where(User.is_suspended.is_(False))))
    blog_id = next(b for b, _slug, owner in layout.blogs if owner in owners_ok)
    figures.commit, figures.findable = [], []
    text = corpus.ThaiText(99)
    for k in range(tries):
        blog = db.session.get(Blog, blog_id)
        marker = f"benchmarker{k}x{time.time_ns() % 1_000_000}"
        text.reseed(k)
        markdown, _html = corpus.body(text, 800)
        entry = create_entry(
            blog,
            blog.owner,
            title=f"บันทึกใหม่ {marker} การจัดการความรู้",
            body_markdown=f"{markdown}\n\n{marker} ชุมพร",
            tags="KM, การจัดการความรู้",
        )
        number = entry.number
        started = time.perf_counter()
        db.session.commit()
        committed = time.perf_counter()
        while True:
            page = search(marker)
            if any(hit.entry.number == number for hit in page.hits):
                break
            if time.perf_counter() - started > limit:
                raise SystemExit(f"entry {number} was not findable {limit:.0f} s after its commit")
            time.sleep(0.01)
        found = time.perf_counter()
        figures.commit.append(committed - started)
        figures.findable.append(found - started)
        db.session.remove()


def profile_build(app, sample: int) -> str:
    """Profile a single-process build of `sample` entries into a throw-away index; where the time goes."""
    from sqlalchemy.orm import Session
    from whoosh import index as whoosh_index

    from app.extensions import db
    from app.search.backends.whoosh.writing import write_entries
    from app.search.documents import indexable_entries_query
    from app.search.schema import build_schema

    target = Path(tempfile.mkdtemp(prefix="sala-bench-profile-"))
    try:
        with app.app_context(), Session(db.engine) as session:
            ids = list(session.scalars(indexable_entries_query().limit(sample)))
            session.rollback()
            ix = whoosh_index.create_in(str(target), build_schema())
            started = time.perf_counter()
            writer = ix.writer(limitmb=256)
            write_entries(writer, session, ids, new_index=True)
            writer.commit()
            plain = time.perf_counter() - started
            shutil.rmtree(target)
            target.mkdir()
            ix = whoosh_index.create_in(str(target), build_schema())
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            writer = ix.writer(limitmb=256)
            write_entries(writer, session, ids, new_index=True)
            writer.commit()
            profiler.disable()
            wall = time.perf_counter() - started
    finally:
        shutil.rmtree(target, ignore_errors=True)
    head = f"Single-process build of {len(ids):,} entries without the profiler: {len(ids) / plain:,.0f} entries/s."
    return head + "\n" + summarise_profile(profiler, len(ids), wall)


_CATEGORIES = [
    # (label, file suffix, function name) — cumulative time of these functions
    ("loading rows (entries_by_id + load_context)", "app/search/documents.py", ("entries_by_id", "load_context")),
    ("building documents (entry_document: html_to_text, prepare)", "app/search/documents.py", ("entry_document",)),
    ("Whoosh add_document (analysis + posting lists)", "whoosh/writing.py", ("add_document",)),
    ("  of which the Thai analyzer (ThaiTokenizer.__call__)", "app/search/analyzer.py", ("__call__",)),
    ("  of which ICU word breaking (_thai_pieces)", "app/search/analyzer.py", ("_thai_pieces",)),
    ("  of which prepare() (NFC, digits)", "app/search/analyzer.py", ("prepare",)),
    ("Whoosh commit (writing the segment)", "whoosh/writing.py", ("commit",)),
]


_QUERY_CATEGORIES = [
    ("open_index() (resolve the link, read the TOC)", "app/search/backends/whoosh/index.py", ("open_index",)),
    ("parse_query()", "app/search/parse.py", ("parse_query",)),
    ("searcher.search() (matching + scoring the top page)", "app/search/backends/whoosh/searching.py", ("_run",)),
    ("len(results) (counting every match)", "whoosh/searching.py", ("__len__",)),
    ("_published_entries() (database)", "app/search/query.py", ("_published_entries",)),
    ("snippet() (highlighting 10 hits)", "app/search/snippets.py", ("snippet",)),
]


def profile_queries(layout: corpus.Layout) -> str:
    """Profile one warm pass of the 30 queries, plain and filtered; where a search spends its time."""
    from app.extensions import db

    kinds = filters_for(layout)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i, q in enumerate(QUERIES):
        timed_search(q)
        timed_search(q, kinds[i % len(kinds)][1])
        db.session.remove()
    profiler.disable()
    wall = time.perf_counter() - started
    calls = 2 * len(QUERIES)
    head = f"Query profile: {calls} searches under cProfile, {wall / calls * 1000:.0f} ms each on average."
    return head + "\n" + summarise_profile(profiler, 0, wall, _QUERY_CATEGORIES)


def summarise_profile(profiler: cProfile.Profile, count: int, wall: float, categories=None) -> str:
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    lines = [
        f"Under cProfile: {wall:.1f} s wall" + (f", {count / wall:,.0f} entries/s." if count else "."),
        "",
        "| part | cumulative s | share of wall |",
        "|---|---|---|",
    ]
    for label, suffix, names in categories or _CATEGORIES:
        total = sum(
            ct
            for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items()
            if filename.replace(os.sep, "/").endswith(suffix) and name in names
        )
        # A recursive or re-entrant function is counted once per outermost call by cProfile; good enough here.
        lines.append(f"| {label} | {total:.2f} | {total / wall:.0%} |")
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(15)
    top = [line for line in buffer.getvalue().splitlines() if line.strip()][-16:]
    lines += ["", "Top functions by own time:", "```", *top, "```"]
    return "\n".join(lines)


def ms(values: list[float], p: float | None = None) -> str:
    value = statistics.median(values) if p is None else percentile(values, p)
    return f"{value * 1000:.1f} ms"


def report(f: Figures) -> str:
    mib = 1024 * 1024
    rate = f.documents / f.rebuild_seconds if f.rebuild_seconds else 0
    rebuilt = f.rebuild_seconds > 0
    p95_all = max(percentile(f.plain, 95), percentile(f.filtered, 95))
    rows = [
        ("entries in the database (N)", f"{f.entries:,} ({f.documents:,} indexable: published, author active)", ""),
        ("corpus load (bulk insert)", f"{f.load_seconds:.0f} s; database {f.database_bytes / mib:,.0f} MiB", ""),
        (
            "full rebuild (reindex)",
            f"{f.rebuild_seconds:.1f} s = **{rate:,.0f} entries/s**",
            "≥ 300/s " + ("✅" if rate >= 300 else "❌"),
        ),
        (
            "rebuild CPU time (all processes)",
            f"{f.rebuild_cpu:.1f} s = {f.documents / max(f.rebuild_cpu, 1e-9):,.0f} entries per CPU-second",
            "",
        ),
        (
            "index size on disk",
            f"{f.index_bytes / mib:,.0f} MiB ({f.index_bytes / max(f.documents, 1) / 1024:.1f} KiB per entry)",
            "",
        ),
        ("query, first pass (cold)", f"median {ms(f.cold)}, p95 {ms(f.cold, 95)}", ""),
        ("query, no filter (warm)", f"median {ms(f.plain)}, **p95 {ms(f.plain, 95)}**", ""),
        (
            "query, one filter (warm)",
            f"median {ms(f.filtered)}, **p95 {ms(f.filtered, 95)}**",
            "p95 ≤ 50 ms " + ("✅" if p95_all <= 0.050 else "❌"),
        ),
        ("query, newest first (warm)", f"median {ms(f.newest)}, p95 {ms(f.newest, 95)}", ""),
        ("query CPU time (warm, all kinds)", f"median {ms(f.cpu)}, p95 {ms(f.cpu, 95)}", ""),
        ("commit (with the after-commit sync)", f"median {ms(f.commit)}", ""),
        (
            "commit → found by search()",
            f"**median {ms(f.findable)}** (max {max(f.findable) * 1000:.0f} ms, n=5)",
            "≤ 1 s " + ("✅" if statistics.median(f.findable) <= 1.0 else "❌"),
        ),
    ]
    if not rebuilt:  # --reuse: the corpus and index came from an earlier run
        rows = [row for row in rows if not row[0].startswith(("corpus load", "full rebuild", "rebuild CPU"))]
    out = ["| measure | result | target |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    la = ", ".join(f"{x:.2f}" for x in f.load_average)
    out += ["", f"Load average at the end: {la} (2 cores, shared with other work)."]
    out += ["", "| query | hits (no filter) | median, no filter | filter | median, with filter |"]
    out.append("|---|---|---|---|---|")
    names = [name for name, _ in FILTER_KINDS]
    for i, q in enumerate(QUERIES):
        kind = names[i % len(names)]
        total = f"≈ {f.totals[q]:,}" if q in f.estimated else f"{f.totals[q]:,}"
        out.append(f"| {q} | {total} | {ms(f.per_query[q])} | {kind} | {ms(f.per_filter[q])} |")
    return "\n".join(out)


def rebuild(figures: Figures, workdir: Path) -> None:
    """A full rebuild of the index (of the configured backend), timed; the backend logs its phases."""
    import logging

    from app.search.index import reindex

    phases = logging.getLogger("app.search.backends.postgres")
    phases.setLevel(logging.INFO)
    if not phases.handlers:
        phases.addHandler(logging.StreamHandler(sys.stderr))

    print("rebuilding the index ...", file=sys.stderr, flush=True)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    result = reindex()
    figures.rebuild_seconds = time.perf_counter() - started
    figures.rebuild_cpu = _cpu_seconds() - cpu
    figures.documents = result.documents
    figures.database_bytes, figures.index_bytes = storage_bytes(workdir)


def build_corpus(figures: Figures, workdir: Path, entries: int, seed: int):
    """A fresh corpus in `workdir`."""
    print(f"building {entries:,} entries in {workdir} ...", file=sys.stderr, flush=True)
    app, layout, timings = corpus.build(workdir, entries, seed, progress=True)
    figures.load_seconds = timings["load"]
    return app, layout


def reopen(figures: Figures, workdir: Path):
    """The corpus a previous `--keep` run left in `workdir` (no load figures)."""
    from app.models import Entry

    app = corpus.open_app(workdir)
    with app.app_context():
        layout = corpus.layout_from_db()
        figures.entries = corpus.db.session.scalar(corpus.db.select(corpus.db.func.count(Entry.id)))
    return app, layout


def measure(app, layout, figures: Figures, workdir: Path, backend: str, *, build: bool, repeats: int) -> str:
    """Rebuild (if asked) and measure one backend on the corpus; the query profile if asked."""
    from app.search.index import document_count

    app.config["SEARCH_BACKEND"] = backend
    with app.app_context():
        if build:
            rebuild(figures, workdir)
        else:
            figures.documents = document_count()
            figures.database_bytes, figures.index_bytes = storage_bytes(workdir)
        print(f"querying ({backend}) ...", file=sys.stderr, flush=True)
        measure_queries(figures, layout, repeats)
        print(f"committing new entries ({backend}) ...", file=sys.stderr, flush=True)
        measure_new_entry(figures, layout)
        figures.load_average = os.getloadavg()
        return profile_queries(layout) if PROFILE_QUERIES else ""


PROFILE_QUERIES = False


def main() -> None:
    global PROFILE_QUERIES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2549)
    parser.add_argument("--repeats", type=int, default=3, help="warm passes over the 30 queries")
    parser.add_argument("--profile", type=int, default=0, metavar="K", help="also profile a build of K entries")
    parser.add_argument("--profile-queries", action="store_true", help="also profile one pass of the queries")
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it (default: a temp dir)")
    parser.add_argument(
        "--reuse", type=Path, help="skip building: measure queries and commits on a directory left by --keep"
    )
    parser.add_argument("--rebuild", action="store_true", help="with --reuse: rebuild the index all the same")
    parser.add_argument(
        "--backend",
        choices=("whoosh", "postgres", "both"),
        default="whoosh",
        help="search backend; both: one corpus in PostgreSQL, each backend rebuilt and measured in turn",
    )
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server for --backend postgres/both")
    parser.add_argument("--database-prefix", default=DEFAULT_DATABASE_PREFIX, help="of the PostgreSQL database's name")
    args = parser.parse_args()
    PROFILE_QUERIES = args.profile_queries

    workdir = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="sala-bench-"))
    if workdir.exists() and not args.reuse:
        shutil.rmtree(workdir)
    database_url = None
    backends = ["whoosh", "postgres"] if args.backend == "both" else [args.backend]
    if args.backend != "whoosh":
        database_url = postgres_database(args.server, workdir, create=not args.reuse, prefix=args.database_prefix)
        corpus.APP_SETTINGS.update(SEARCH_BACKEND=backends[0], SQLALCHEMY_DATABASE_URI=database_url)
    try:
        base = Figures(entries=args.entries)
        if args.reuse:
            app, layout = reopen(base, workdir)
        else:
            app, layout = build_corpus(base, workdir, args.entries, args.seed)
        results = []
        for backend in backends:
            figures = Figures(entries=base.entries, load_seconds=base.load_seconds)
            profile = measure(
                app, layout, figures, workdir, backend, build=args.rebuild or not args.reuse, repeats=args.repeats
            )
            results.append((backend, figures, profile))
        for backend, figures, profile in results:
            print(
                f"\nSearch benchmark, N = {figures.entries:,} entries, {backend} backend"
                f" ({time.strftime('%Y-%m-%d')})\n"
            )
            print(report(figures))
            if profile:
                print("\n" + profile)
        if len(results) > 1:
            print("\n" + side_by_side(results))
        if args.profile:
            print("\n" + profile_build(app, args.profile))
    finally:
        if args.keep is None and args.reuse is None:
            shutil.rmtree(workdir, ignore_errors=True)
            if database_url:
                drop_postgres_database(args.server, database_url)


def side_by_side(results: list[tuple[str, Figures, str]]) -> str:
    """The main figures of each backend in one table."""
    names = [backend for backend, _, _ in results]
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, value) -> None:
        rows.append((label, [value(f) for _, f, _ in results]))

    if any(f.rebuild_seconds for _, f, _ in results):
        row("full rebuild", lambda f: f"{f.documents / f.rebuild_seconds:,.0f} entries/s ({f.rebuild_seconds:.0f} s)")
        row("rebuild, entries per CPU-second", lambda f: f"{f.documents / max(f.rebuild_cpu, 1e-9):,.0f}")
    row("index size", lambda f: f"{f.index_bytes / 1024 / 1024:,.0f} MiB")
    row("query, cold, median / p95", lambda f: f"{ms(f.cold)} / {ms(f.cold, 95)}")
    row("query, no filter, median / p95", lambda f: f"{ms(f.plain)} / {ms(f.plain, 95)}")
    row("query, one filter, median / p95", lambda f: f"{ms(f.filtered)} / {ms(f.filtered, 95)}")
    row("query, newest first, median / p95", lambda f: f"{ms(f.newest)} / {ms(f.newest, 95)}")
    row("query CPU in the app, median / p95", lambda f: f"{ms(f.cpu)} / {ms(f.cpu, 95)}")
    row("commit → found, median (max)", lambda f: f"{ms(f.findable)} ({max(f.findable) * 1000:.0f} ms)")
    row("load average at the end", lambda f: ", ".join(f"{x:.2f}" for x in f.load_average))
    out = ["| measure | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    out += [f"| {label} | " + " | ".join(values) + " |" for label, values in rows]
    out += ["", "| query | " + " | ".join(f"hits, {n}" for n in names) + " |", "|---|" + "---|" * len(names)]
    for q in QUERIES:
        out.append(
            f"| {q} | "
            + " | ".join(("≈ " if q in f.estimated else "") + f"{f.totals[q]:,}" for _, f, _ in results)
            + " |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    main()
