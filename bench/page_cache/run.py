"""Time public pages for an anonymous reader with the page cache off, and served from it (a hit).

Builds the demo content in a temporary SQLite database (through the real migrations), then requests each page
REPEATS times per mode and prints the median and p95 wall time per request, CPU time, and the load average.

    .venv/bin/python bench/page_cache/run.py [--repeats 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Entry  # noqa: E402


def build(directory: Path) -> dict:
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory / 'sala.db'}",
        "SEARCH_INDEX_DIR": str(directory / "index"),
        "UPLOAD_DIR": str(directory / "uploads"),
        "READ_FLUSH_BATCH": 10_000,
        "READ_FLUSH_INTERVAL_SECONDS": 3600,
    }
    app = create_app("testing", config)
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        number = db.session.scalar(db.select(Entry.number).where(Entry.status == "published").limit(1))
        blog = db.session.scalar(db.select(Entry).where(Entry.number == number)).blog.slug
    return {"config": config, "paths": ["/", f"/posts/{number}", f"/b/{blog}", "/tags", "/c"]}


def measure(app, path: str, repeats: int) -> tuple[list[float], float]:
    client = app.test_client()
    client.get(path)  # the miss that fills the cache (or a warm-up with the cache off)
    times = []
    cpu_start = time.process_time()
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return times, (time.process_time() - cpu_start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp))
        apps = {
            "off": create_app("testing", {**built["config"], "CACHE_TYPE": "NullCache"}),
            "hit": create_app("testing", {**built["config"], "CACHE_TYPE": "SimpleCache"}),
        }
        print(f"load average {os.getloadavg()[0]:.2f}; {args.repeats} requests per page and mode; ms per request")
        columns = ("off median", "off p95", "off cpu", "hit median", "hit p95", "hit cpu")
        print(f"{'page':<16}" + "".join(f"{name:>12}" for name in columns))
        for path in built["paths"]:
            row = [f"{path:<16}"]
            for mode in ("off", "hit"):
                with apps[mode].app_context():
                    times, cpu = measure(apps[mode], path, args.repeats)
                p95 = statistics.quantiles(times, n=20)[-1]
                row.append("".join(f"{value * 1000:>12.2f}" for value in (statistics.median(times), p95, cpu)))
            print("".join(row))


if __name__ == "__main__":
    main()
