"""Search recall and precision against substring truth, per query kind, on each backend.

Loads the corpus of tests/search/recall_corpus.py (Thai KM notes written from word lists and templates) into a
fresh database, rebuilds the search index, runs every query of the query set through the backend (all pages)
and compares the entries found with the entries whose text contains the query.

    .venv/bin/python bench/search/recall.py                      # both backends
    .venv/bin/python bench/search/recall.py --backend whoosh --misses 10
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as bench_corpus  # noqa: E402
from run import DEFAULT_SERVER, drop_postgres_database, postgres_database  # noqa: E402

from tests.search import recall_corpus  # noqa: E402


def measure(backend: str, server: str, entries: int, misses: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="sala-recall-"))
    database_url = None
    if backend == "postgres":
        database_url = postgres_database(server, workdir, create=True)
        bench_corpus.APP_SETTINGS.update(SEARCH_BACKEND="postgres", SQLALCHEMY_DATABASE_URI=database_url)
    else:
        bench_corpus.APP_SETTINGS.clear()
        bench_corpus.APP_SETTINGS.update(SEARCH_BACKEND="whoosh")
    try:
        app = bench_corpus.make_app(workdir)
        with app.app_context():
            corpus = recall_corpus.entries(count=entries)
            documents = recall_corpus.load(corpus)
            query_set = recall_corpus.queries(corpus)
            started = time.perf_counter()
            tallies = recall_corpus.score(query_set, documents, recall_corpus.search_ids)
            seconds = time.perf_counter() - started
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        print(f"\n{backend}: {len(documents)} entries, {len(query_set)} queries in {seconds:.1f} s\n")
        print(recall_corpus.table(tallies))
        if misses:
            for kind, tally in tallies.items():
                for query_recall, text, missed, extra in sorted(tally.worst)[:misses]:
                    print(f"  {kind}: {text!r} recall {query_recall:.3f}, {missed} missed, {extra} extra")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if database_url:
            drop_postgres_database(server, database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("whoosh", "postgres", "both"), default="both")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server for the postgres backend")
    parser.add_argument("--entries", type=int, default=recall_corpus.ENTRIES)
    parser.add_argument("--misses", type=int, default=0, help="list up to this many imperfect queries per kind")
    args = parser.parse_args()
    for backend in ("whoosh", "postgres") if args.backend == "both" else (args.backend,):
        measure(backend, args.server, args.entries, args.misses)


if __name__ == "__main__":
    main()
