"""In-process CPU cost of bench/http's pages rendered cold, against the ceiling view rendered the same way.

On a busy machine wrk's figures swing with the load; CPU time per request through Flask's test client much
less. The ratios here are lower than wrk's, since gunicorn and HTTP add about 0.3 ms to every request, the
ceiling's included, but a page that costs half as much here serves nearly twice as many requests there. Uses
the corpus run.py builds (`--workdir`), with run.py's COLD_ENV (nothing kept):

    .venv/bin/python bench/http/cold_cpu.py --workdir /tmp/http10k            # ms per page, best of 3 batches
    .venv/bin/python bench/http/cold_cpu.py --workdir /tmp/http10k --profile entry   # cProfile of one page
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from ceiling import app as ceiling_app  # noqa: E402

LAYOUT_PATH = "/bench-no-such-page"


def best_cost(client, path: str, count: int, batches: int = 3) -> float:
    """Seconds of CPU per request, the best of `batches` runs of `count` requests (after a warm-up)."""
    for _ in range(3):
        status = client.get(path, base_url="http://127.0.0.1").status_code
        if status >= 500 or (status != 200 and path != LAYOUT_PATH):
            raise SystemExit(f"{path} answered {status}")
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        for _ in range(count):
            client.get(path, base_url="http://127.0.0.1")
        best = min(best, (time.process_time() - started) / count)
    return best


def cold_environment(workdir: Path) -> dict[str, str]:
    """bench/http's cold server settings (production, COLD_ENV), with a page-cache folder of this run's own."""
    env = run.server_env(workdir, dict(run.COLD_ENV))
    env.update(CACHE_DIR=tempfile.mkdtemp(prefix="cold-cpu-"), RATELIMIT_STORAGE_URI="memory://", COLD_CPU_CHILD="1")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a corpus built by bench/http/run.py")
    parser.add_argument("--requests", type=int, default=30, help="requests per batch")
    parser.add_argument("--profile", help="print a cProfile of this page instead (home, entry, ...)")
    args = parser.parse_args()
    if os.environ.get("COLD_CPU_CHILD") != "1":
        # The settings are read when the app's config module is imported (run.py imports it): start afresh with them.
        os.execve(sys.executable, [sys.executable, __file__, *sys.argv[1:]], cold_environment(args.workdir))
    from app import create_app

    meta = run.Meta(**json.loads((args.workdir / "http-meta.json").read_text()))
    pages = meta.pages() | {run.LAYOUT_PAGE: LAYOUT_PATH}
    client = create_app("production").test_client()
    if args.profile:
        best_cost(client, pages[args.profile], 1, batches=1)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get(pages[args.profile], base_url="http://127.0.0.1") for _ in range(20)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(50)
        return
    ceiling = best_cost(ceiling_app.test_client(), "/", args.requests * 4)
    print(f"ceiling view {ceiling * 1e6:.0f} µs")
    for page, path in pages.items():
        cost = best_cost(client, path, args.requests)
        print(f"{page:8} {cost * 1e3:6.2f} ms  = {ceiling / cost * 100:4.1f} % of the ceiling view", flush=True)


if __name__ == "__main__":
    main()
