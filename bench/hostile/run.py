"""Time how long the app takes to answer hostile requests (issue 5: each within 2 s, never a 500).

Runs the real app in-process (Flask test client) on a throw-away SQLite database built by the migrations,
logged in as a writer, and prints the status and seconds for each case.

    .venv/bin/python bench/hostile/run.py
    .venv/bin/python bench/hostile/run.py --images     # image uploads (finding 4): bench/hostile/images.py
    .venv/bin/python bench/hostile/run.py --markdown   # Markdown shapes, growing (finding 5): markdown_shapes.py

Without a part named, every part runs; the exit status is 1 when any case is over its bound.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
# This folder holds markdown.py, which must not hide Python-Markdown.
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

LIMIT_SECONDS = 2.0
FORM = {"title": "ทดสอบ", "body": "เนื้อหา", "tags": "", "license": "all-rights-reserved", "status": "published"}


def form(**overrides: str) -> bytes:
    """The entry form, urlencoded beforehand so the timing covers the server's work only."""
    return urlencode({**FORM, **overrides}).encode("ascii")


def cases() -> list[tuple[str, str, str, dict]]:
    """(name, method, url, test-client keyword arguments)."""
    five_mb = 5 * 1024 * 1024
    write = "/b/bench/write"
    return [
        ("5 MB Thai body", "POST", write, {"data": form(body="ก" * (five_mb // 3))}),
        ("5 MB ASCII body", "POST", write, {"data": form(body="a" * five_mb)}),
        ("5 MB entity paragraph", "POST", write, {"data": form(body="&amp;&lt;&#x41;&#65;" * (five_mb // 20))}),
        ("190 KB entity paragraph", "POST", write, {"data": form(body="&amp;&lt;&#x41;&#65;" * 9_500)}),
        ("10,000 tags", "POST", write, {"data": form(tags=", ".join(f"t{n}" for n in range(10_000)))}),
        ("10,000 nested quotes", "POST", write, {"data": form(body=">" * 10_000 + " x")}),
        ("10,000 nested bullets", "POST", write, {"data": form(body="- " * 10_000 + "x")}),
        ("10,000 nested ordered", "POST", write, {"data": form(body="1. " * 10_000 + "x")}),
        ("10,000 nested <div>", "POST", write, {"data": form(body="<div>" * 10_000 + "x")}),
        ("10,000 '[' brackets", "POST", write, {"data": form(body="[" * 10_000 + "x" + "](" * 5_000)}),
        (
            "invalid UTF-8 form",
            "POST",
            write,
            {"data": b"title=%FF&" + form()},
        ),
        ("invalid UTF-8 in query", "GET", "/search", {"environ_overrides": {"QUERY_STRING": "q=a%FFb"}}),
        ("NUL in query", "GET", "/search", {"environ_overrides": {"QUERY_STRING": "q=a%00b"}}),
        ("2,000-char Thai search", "GET", "/search", {"query_string": {"q": "การจัดการ" * 222}}),
        ("2,000-char quote search", "GET", "/search", {"query_string": {"q": '"' * 2000}}),
        ("2,000-char words search", "GET", "/search", {"query_string": {"q": "km " * 667}}),
        ("2,000-char API search", "GET", "/api/v1/search", {"query_string": {"q": "ก ข " * 500}}),
    ]


def main() -> int:
    from flask_migrate import upgrade

    from tests.factories import make_blog, make_user

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                "SEARCH_INDEX_DIR": f"{tmp}/index",
                "UPLOAD_DIR": f"{tmp}/uploads",
            },
        )
        worst = 0.0
        failures = 0
        with app.app_context():
            upgrade()
            make_blog(make_user("bench"), "bench")
            client = app.test_client()
            client.post("/login", data={"login": "bench", "password": "password123"})
            print(f"{'case':28} status  seconds")
            for name, method, url, kwargs in cases():
                started = time.perf_counter()
                if isinstance(kwargs.get("data"), bytes):
                    kwargs = {**kwargs, "content_type": "application/x-www-form-urlencoded"}
                response = client.open(url, method=method, **kwargs)
                elapsed = time.perf_counter() - started
                worst = max(worst, elapsed)
                bad = response.status_code >= 500 or elapsed > LIMIT_SECONDS
                failures += bad
                print(f"{name:28} {response.status_code:6}  {elapsed:7.3f}{'  <-- FAIL' if bad else ''}")
            db.session.remove()
            db.engine.dispose()
        print(f"worst {worst:.3f} s; limit {LIMIT_SECONDS} s; {failures} failing")
        return 1 if failures else 0


if __name__ == "__main__":
    parts = {"--requests", "--images", "--markdown"} & set(sys.argv[1:]) or {"--requests", "--images", "--markdown"}
    failed = False
    if "--requests" in parts:
        failed |= bool(main())
    if "--images" in parts:
        from bench.hostile import images

        failed |= bool(images.main())
    if "--markdown" in parts:
        from bench.hostile import markdown_shapes as hostile_markdown

        failed |= bool(hostile_markdown.report(hostile_markdown.run()))
    sys.exit(1 if failed else 0)
