"""Commit → found through the task worker: a guest comment posted to gunicorn, polled for on the search page.

Since the task worker applies committed changes to the search index (app/search/sync.py), the time a change
takes to reach search is the worker's: it picks the queued update up (Huey polls SQLite every 0.05–0.25 s)
and drains the outbox. Serves the corpus of bench/http/run.py (`--workdir`) with gunicorn and the worker as
run.py starts them, and reports each comment's time from the POST's answer until a search finds it:

    .venv/bin/python bench/http/found.py --workdir /tmp/http10k --comments 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import guest  # noqa: E402
import run  # noqa: E402

WARM_UP_S = 10.0  # the worker's first poll waits for its app to load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a corpus built by bench/http/run.py")
    parser.add_argument("--comments", type=int, default=10)
    parser.add_argument("--port", type=int, default=8093)
    parser.add_argument("--limit", type=float, default=30.0, help="seconds to wait for each comment")
    args = parser.parse_args()
    meta = run.Meta(**json.loads((args.workdir / "http-meta.json").read_text()))
    env = run.server_env(args.workdir, dict(run.WRITER_ENV))
    waits = []
    with run.serving("wsgi:app", args.port, env, 2):

        def fetch(method, path, body, headers):
            return run.request(args.port, method, path, body, headers)

        for k in range(args.comments + 1):
            marker = f"found{time.time_ns()}"
            guest.post_comment(fetch, meta.entry_number, f"ความเห็นทดสอบการค้นหา {marker}")
            posted = time.perf_counter()
            path = "/search?q=" + urllib.parse.quote(marker)
            while f"/posts/{meta.entry_number}".encode() not in run.request(args.port, "GET", path)[2]:
                if time.perf_counter() - posted > (WARM_UP_S if k == 0 else 0) + args.limit:
                    raise SystemExit(f"comment {k} not found {args.limit:.0f} s after it was posted")
                time.sleep(0.01)
            if k:  # the first one waited for the worker to start
                waits.append(time.perf_counter() - posted)
    print(
        f"commit → found through the worker, {len(waits)} comments: median {statistics.median(waits) * 1e3:.0f} ms,"
        f" max {max(waits) * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
