"""CPU cost of building a search index in one process, in three variants: as built, posting blocks
uncompressed, and without pair terms.

    .venv/bin/python bench/search/build_cpu.py DIR N    # DIR: a corpus left by run.py --keep; N entries

CPU time (not wall time), so other work on the machine does not inflate it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)]

import corpus  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.codec.whoosh3 import W3Codec  # noqa: E402

from app.extensions import db  # noqa: E402
from app.search.backends.whoosh.writing import common_terms, write_entries  # noqa: E402
from app.search.documents import indexable_entries_query  # noqa: E402
from app.search.schema import build_schema  # noqa: E402


def build(session: Session, ids: list[int], paired: frozenset[str], **writer_options) -> tuple[float, int]:
    """(CPU seconds, bytes on disk) of indexing `ids` into a fresh index."""
    target = Path(tempfile.mkdtemp(prefix="sala-build-cpu-"))
    try:
        ix = whoosh_index.create_in(str(target), build_schema(paired))
        started = time.process_time()
        writer = ix.writer(limitmb=256, compound=False, **writer_options)
        write_entries(writer, session, ids, new_index=True)
        writer.commit()
        return time.process_time() - started, sum(f.stat().st_size for f in target.iterdir())
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("entries", type=int)
    args = parser.parse_args()
    app = corpus.open_app(args.workdir)
    with app.app_context(), Session(db.engine) as session:
        every = list(session.scalars(indexable_entries_query()))
        session.rollback()
        ids = every[: args.entries]
        paired = common_terms(session, every)
        variants = [
            ("as built", paired, {}),
            ("posting blocks uncompressed", paired, {"codec": W3Codec(compression=0)}),
            ("no pair terms", frozenset(), {}),
        ]
        for label, terms, options in variants:
            cpu, size = build(session, ids, terms, **options)
            print(f"{label}: {len(ids) / cpu:.1f} entries per CPU-second, {size / len(ids) / 1024:.1f} KiB per entry")


if __name__ == "__main__":
    main()
