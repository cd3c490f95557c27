"""Hostile image uploads at growing sizes: each must be answered (stored or refused) within 1 s of CPU and 200 MB.

Every measurement is a POST /uploads in a fresh child process (the real app on a copy of a migrated SQLite
database, signed in), so its peak memory belongs to that one request: the figure is the rise of the child's
peak resident size (VmHWM, which sees Pillow's and libjpeg's C allocations; ru_maxrss would start from this
parent's size, carried over fork and exec) across the request. Time is the child's CPU time for the request
(wall time is shown too, but on a shared machine it also measures the others' work).

    .venv/bin/python bench/hostile/run.py --images
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.uploads import hostile  # noqa: E402

BOUND_SECONDS = 1.0
BOUND_MB = 200
MEMBER = "bench"


@dataclass(frozen=True)
class Case:
    name: str
    unit: str  # what `sizes` count
    sizes: tuple[float, ...]
    build: Callable[[float], bytes]
    labels: tuple[str, ...] = ()  # names for the sizes, when they are not amounts


@dataclass(frozen=True)
class Result:
    case: str
    size: str
    file_kb: float
    seconds: float  # CPU seconds of the request
    wall_seconds: float
    peak_mb: float
    status: int
    answer: str
    within_bound: bool


def _side(megapixels: float) -> int:
    return max(1, round((megapixels * 1_000_000) ** 0.5))


def _square(megapixels: float) -> tuple[int, int]:
    side = min(_side(megapixels), 65_535)
    return side, side


def _photo(megapixels: float) -> tuple[int, int]:
    """3:2, as a camera writes."""
    height = round((megapixels * 1_000_000 / 1.5) ** 0.5)
    return round(height * 1.5), height


CASES = [
    Case(
        "PNG 1-bit, one colour (deflate bomb)",
        "MP",
        (1, 4, 13, 64, 1024),
        lambda s: hostile.png_of_one_colour(*_square(s)),
    ),
    Case("PNG RGBA, one colour", "MP", (1, 4, 12.9, 16), lambda s: hostile.one_colour("PNG", _photo(s), "RGBA")),
    Case(
        "PNG palette + transparency",
        "MP",
        (1, 4, 12.9, 16),
        lambda s: hostile.one_colour("PNG", _photo(s), "P", transparency=1),
    ),
    Case("PNG zTXt comment bomb", "MB inflated", (1, 64, 512), lambda s: hostile.png_with_text_bomb(int(s))),
    Case("GIF huge screen, 1-px frame", "MP", (1, 4, 12.9, 64, 4294), lambda s: hostile.gif_with_screen(*_square(s))),
    Case(
        "GIF 1 MP screen, many frames",
        "frames",
        (10, 1_000, 100_000),
        lambda s: hostile.gif_with_screen(1000, 1000, int(s)),
    ),
    Case(
        "GIF palette + transparency",
        "MP",
        (1, 4, 12.9, 16),
        lambda s: hostile.one_colour("GIF", _photo(s), "P", transparency=1),
    ),
    Case(
        "WebP lossless RGBA",
        "MP",
        (1, 4, 7.9, 10),
        lambda s: hostile.one_colour("WEBP", _photo(s), "RGBA", lossless=True),
    ),
    Case(
        "WebP animated, huge canvas", "MP", (1, 4, 7.9, 64, 268), lambda s: hostile.animated_webp(*_square(min(s, 268)))
    ),
    Case(
        "WebP 1 MP canvas, many frames",
        "frames",
        (10, 1_000, 20_000),
        lambda s: hostile.animated_webp(1000, 1000, int(s)),
    ),
    Case("JPEG baseline, one colour", "MP", (1, 6, 24, 26, 30), lambda s: hostile.one_colour("JPEG", _photo(s))),
    Case("JPEG CMYK baseline", "MP", (1, 6, 24, 26), lambda s: hostile.one_colour("JPEG", _photo(s), "CMYK")),
    Case("JPEG header claiming huge size", "MP", (64, 1024, 4294), lambda s: hostile.jpeg_claiming(*_square(s))),
    Case(
        "JPEG progressive 4:4:4",
        "MP",
        (1, 6, 13.3, 16),
        lambda s: hostile.one_colour("JPEG", _photo(s), progressive=True, subsampling=0),
    ),
    Case(
        "JPEG progressive CMYK",
        "MP",
        (1, 4, 9.9, 13),
        lambda s: hostile.one_colour("JPEG", _photo(s), "CMYK", progressive=True),
    ),
    Case(
        "JPEG progressive 26 MP, repeated scans",
        "scans",
        (10, 12, 100, 10_000),
        lambda s: hostile.progressive_jpeg_with_scans(int(s), _photo(26)),
    ),
    Case(
        "truncated half",
        "format",
        (0, 1, 2, 3),
        lambda s: hostile.truncated(
            hostile.one_colour(("PNG", "GIF", "WEBP", "JPEG")[int(s)], (2000, 2000), "P" if s == 1 else "RGB")
        ),
        ("PNG", "GIF", "WebP", "JPEG"),
    ),
    Case(
        "one format claimed, another inside",
        "kind",
        (0, 1, 2),
        lambda s: (hostile.png_signature_then_jpeg, hostile.gif_header_then_png, hostile.webp_wrapping_png)[int(s)](),
        ("PNG sig + JPEG", "GIF header + PNG", "WebP RIFF + PNG"),
    ),
]


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _child(database: str, data_path: str, upload_dir: str) -> None:
    """In a fresh process: sign in, warm up with a small upload, then time and weigh one POST /uploads."""
    import io

    from app import create_app
    from app.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "UPLOAD_DIR": upload_dir})
    data = Path(data_path).read_bytes()
    with app.app_context():
        client = app.test_client()
        client.post("/login", data={"login": MEMBER, "password": "password123"})
        for warm_up in (hostile.one_colour("PNG", (8, 8)), hostile.one_colour("WEBP", (8, 8))):
            client.post("/uploads", data={"file": (io.BytesIO(warm_up), "w")}, content_type="multipart/form-data")
        before, peak_before = resource.getrusage(resource.RUSAGE_SELF), _peak_kb()
        wall = time.perf_counter()
        response = client.post("/uploads", data={"file": (io.BytesIO(data), "x")}, content_type="multipart/form-data")
        wall = time.perf_counter() - wall
        after, peak_after = resource.getrusage(resource.RUSAGE_SELF), _peak_kb()
        payload = response.get_json(silent=True) or {}
        answer = payload.get("error") or f"{payload.get('width')}×{payload.get('height')}"
        db.session.remove()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak = (peak_after - peak_before) / 1024
    print(json.dumps({"seconds": cpu, "wall": wall, "peak_mb": peak, "status": response.status_code, "answer": answer}))


def _template(directory: Path) -> Path:
    """A migrated SQLite database with the member who uploads."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from tests.factories import make_user

    path = directory / "template.db"
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        make_user(MEMBER)
        db.session.remove()
        db.engine.dispose()
    return path


def measure(data: bytes, template: Path, directory: Path) -> dict:
    database, data_path = directory / "case.db", directory / "case.bin"
    shutil.copy(template, database)
    data_path.write_bytes(data)
    uploads = directory / "uploads"
    shutil.rmtree(uploads, ignore_errors=True)
    command = [sys.executable, "-W", "ignore", __file__, "--child", str(database), str(data_path), str(uploads)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        return {"seconds": 0.0, "wall": 0.0, "peak_mb": 0.0, "status": 0, "answer": done.stderr.strip()[-200:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_image_cases(cases: list[Case] | None = None) -> list[Result]:
    """Every case at each of its growing sizes, measured in its own child process."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        template = _template(directory)
        for case in cases or CASES:
            for index, size in enumerate(case.sizes):
                data = case.build(size)
                got = measure(data, template, directory)
                within = 0 < got["status"] < 500 and got["seconds"] <= BOUND_SECONDS and got["peak_mb"] <= BOUND_MB
                results.append(
                    Result(
                        case.name,
                        case.labels[index] if case.labels else f"{size:g} {case.unit}",
                        round(len(data) / 1024, 1),
                        round(got["seconds"], 3),
                        round(got["wall"], 3),
                        round(got["peak_mb"], 1),
                        got["status"],
                        got["answer"],
                        within,
                    )
                )
    return results


def print_results(results: list[Result]) -> int:
    """A table of the results; returns how many broke their bound."""
    print(f"{'case':40} {'size':>16} {'file KB':>9} {'CPU s':>6} {'wall s':>6} {'peak MB':>8} status  answer")
    for r in results:
        flag = "" if r.within_bound else "  <-- FAIL"
        print(
            f"{r.case:40} {r.size:>16} {r.file_kb:9.1f} {r.seconds:6.3f} {r.wall_seconds:6.2f} {r.peak_mb:8.1f}"
            f" {r.status:6}  {r.answer[:60]}{flag}"
        )
    failures = sum(not r.within_bound for r in results)
    print(f"{len(results)} image cases; bound {BOUND_SECONDS} s CPU and {BOUND_MB} MB each; {failures} failing")
    return failures


def main() -> int:
    results = run_image_cases()
    if "--json" in sys.argv:
        print(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    return 1 if print_results(results) else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(*sys.argv[2:5])
    else:
        sys.exit(main())
