"""Do both search backends find the same entries? The benchmark's 30 queries on one corpus, Whoosh vs PostgreSQL.

Loads a synthetic corpus (bench/search/corpus.py) into a new PostgreSQL database, builds both the Whoosh index
and the search_documents table from it, and prints each query's total and first page on each backend, with
the entries only one of them finds. Drops the database afterwards.

    .venv/bin/python bench/search/compare_backends.py --entries 1000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
from run import (  # noqa: E402
    DEFAULT_DATABASE_PREFIX,
    DEFAULT_SERVER,
    QUERIES,
    drop_postgres_database,
    postgres_database,
)


def all_ids(q: str) -> set[int]:
    from app.search.query import search

    ids: set[int] = set()
    page_number = 1
    while True:
        page = search(q, page=page_number, per_page=100)
        ids.update(hit.entry.id for hit in page.hits)
        if page_number >= page.pages:
            return ids
        page_number += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2549)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--database-prefix", default=DEFAULT_DATABASE_PREFIX, help="of the PostgreSQL database's name")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="sala-compare-"))
    url = postgres_database(args.server, workdir, create=True, prefix=args.database_prefix)
    corpus.APP_SETTINGS.update(SQLALCHEMY_DATABASE_URI=url)
    try:
        app, _layout, _timings = corpus.build(workdir, args.entries, args.seed)
        found: dict[str, dict[str, set[int]]] = {}
        first: dict[str, dict[str, list[int]]] = {}
        with app.app_context():
            from app.search.backends import postgres
            from app.search.backends.whoosh import searching
            from app.search.index import reindex
            from app.search.query import search

            searching.COUNT_LIMIT = 10**9  # Whoosh checks every phrase candidate: exact totals to compare
            postgres.COUNT_LIMIT = 10**9  # PostgreSQL counts every match, not its sample (all pages reachable)

            for backend in ("whoosh", "postgres"):
                app.config["SEARCH_BACKEND"] = backend
                reindex()
                for q in QUERIES:
                    found.setdefault(q, {})[backend] = all_ids(q)
                    first.setdefault(q, {})[backend] = [hit.entry.id for hit in search(q).hits]
        print(f"\n{args.entries:,} entries; hits on each backend, and how many of the first 10 are shared\n")
        print("| query | whoosh | postgres | only whoosh | only postgres | first 10 shared |")
        print("|---|---|---|---|---|---|")
        for q in QUERIES:
            w, p = found[q]["whoosh"], found[q]["postgres"]
            shared = len(set(first[q]["whoosh"]) & set(first[q]["postgres"]))
            print(f"| {q} | {len(w)} | {len(p)} | {len(w - p)} | {len(p - w)} | {shared}/{len(first[q]['whoosh'])} |")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        drop_postgres_database(args.server, url)


if __name__ == "__main__":
    main()
