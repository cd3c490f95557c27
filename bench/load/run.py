"""Load test: readers and writers against gunicorn, then check that every acknowledged write is kept and found.

    .venv/bin/python bench/load/run.py                 # 60 s, 50 readers, 10 writers, 4 workers
    .venv/bin/python bench/load/run.py --seconds 10    # a quick run
    .venv/bin/python bench/load/run.py --kill          # SIGKILL a random worker every 3 s meanwhile
    .venv/bin/python bench/load/run.py --postgres      # a fresh PostgreSQL database, SEARCH_BACKEND=postgres

Everything lives in a temporary folder: a SQLite database built by the migrations with the demo content and
one member (with a blog) per writer, the search index and the uploads. gunicorn serves it with
gunicorn.conf.py on 127.0.0.1. Readers fetch the home page, entries, blogs, tags, searches and the search API; writers
sign in and post entries and comments through the real forms (CSRF tokens read from the pages). A write counts as
acknowledged when the site answers 302 to the new entry or comment. Afterwards gunicorn is stopped,
`flask search sync` runs, and every acknowledged entry and comment must be in the database and found by
search (each carries a unique token). Exit status 1 on any 5xx, failed request or missing write.

With --kill a random gunicorn worker is killed (SIGKILL) every --kill-every seconds and gunicorn starts another.
A request whose connection a dying worker drops is sent again on a new connection (at most twice: the worker
that takes it may be the next one killed) and each drop is counted as a reset, not as a failure; a third drop,
a timeout or any 5xx is a failure. With --postgres the database is a
new one on that server (created, migrated, dropped at the end) and search runs on PostgreSQL.

Only the standard library: one http.client connection per thread.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "load-test-password"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
# A connection the server closed without an answer (a worker killed mid-request) is sent again, at most
# RESENDS times: with a kill every few seconds the worker that takes the resent request is now and then the
# next one killed. Each drop counts as a reset; a request dropped more often is a failure.
DROPPED = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, http.client.IncompleteRead)
RESENDS = 2
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SEARCH_WORDS = ["การจัดการความรู้", "ชุมชน", "KM", "ลปรร", "โรงเรียน", "สุขภาพ", "เกษตร", "บันทึก"]


PAGE_KINDS = [
    (re.compile(r"^/$"), "home"),
    (re.compile(r"^/posts/\d+/comments$"), "comment"),
    (re.compile(r"^/posts/\d+$"), "entry"),
    (re.compile(r"^/b/[^/]+/write$"), "editor"),
    (re.compile(r"^/b/"), "blog"),
    (re.compile(r"^/tags"), "tags"),
    (re.compile(r"^/search"), "search"),
    (re.compile(r"^/api/v1/search"), "api search"),
    (re.compile(r"^/login"), "login"),
]


def page_kind(method: str, path: str) -> str:
    for pattern, kind in PAGE_KINDS:
        if pattern.search(path):
            return f"{method} {kind}"
    return f"{method} other"


def token() -> str:
    """A word no demo text contains, to find a write again by search."""
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


class Client:
    """One keep-alive connection with cookies, no redirects followed; records every request it makes."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {"User-Agent": "sala-load/1.0", "Accept-Language": "th"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in range(1, RESENDS + 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (OSError, http.client.HTTPException) as error:
                self.connection.close()
                if attempt <= RESENDS and isinstance(error, DROPPED):
                    with self.stats.lock:
                        self.stats.resets += 1
                    continue
                self.stats.record(method, None, time.perf_counter() - started, f"{type(error).__name__} {path}")
                return 0, "", ""
        self.stats.record(method, response.status, time.perf_counter() - started, path)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, response.getheader("Location", ""), text


def csrf_token(page: str) -> str:
    match = CSRF_RE.search(page)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1) or match.group(2)


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"GET": [], "POST": []})
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    entries: list[tuple[int, str]] = field(default_factory=list)  # (number, token) acknowledged
    comments: list[tuple[int, int, str]] = field(default_factory=list)  # (comment id, entry number, token)
    resets: int = 0  # connections dropped by a killed worker, sent again
    kills: int = 0

    def record(self, method: str, status: int | None, seconds: float, what: str) -> None:
        with self.lock:
            self.statuses[status or "error"] += 1
            self.latencies.setdefault(method, []).append(seconds)
            self.by_kind.setdefault(page_kind(method, what.split("?")[0]), []).append(seconds)
            if status is None or status >= 500:
                self.failures.append(f"{status or 'error'} {method} {what}")


@dataclass
class Site:
    """What the readers can ask for (from the demo content) and the writers' accounts."""

    numbers: list[int]
    blogs: list[str]
    tags: list[str]
    members: list[tuple[str, str]]  # (username, blog slug)


def reader(port: int, site: Site, stats: Stats, deadline: float) -> None:
    client = Client(port, stats)
    while time.monotonic() < deadline:
        kind = random.random()
        if kind < 0.2:
            path = "/"
        elif kind < 0.5:
            path = f"/posts/{random.choice(site.numbers)}"
        elif kind < 0.65:
            path = f"/b/{random.choice(site.blogs)}"
        elif kind < 0.8:
            path = random.choice(["/tags", f"/tags/{quote(random.choice(site.tags))}"])
        elif kind < 0.92:
            path = "/search?" + urlencode({"q": random.choice(SEARCH_WORDS)})
        else:
            path = "/api/v1/search?" + urlencode({"q": random.choice(SEARCH_WORDS)})
        status, _, _ = client.request("GET", path)
        if status and status != 200 and status < 500:  # 5xx and broken connections are recorded already
            with stats.lock:
                stats.failures.append(f"{status} GET {path}")


def writer(port: int, username: str, slug: str, stats: Stats, deadline: float) -> None:
    client = Client(port, stats)
    _, _, page = client.request("GET", "/login")
    status, _, _ = client.request(
        "POST", "/login", {"csrf_token": csrf_token(page), "login": username, "password": PASSWORD}
    )
    if status != 302:
        with stats.lock:
            stats.failures.append(f"{status} sign-in of {username}")
        return
    while time.monotonic() < deadline:
        number = post_entry(client, slug, stats)
        if number is not None and time.monotonic() < deadline:
            post_comment(client, number, stats)


def post_entry(client: Client, slug: str, stats: Stats) -> int | None:
    _, _, page = client.request("GET", f"/b/{slug}/write")
    word = token()
    form = {
        "csrf_token": csrf_token(page),
        "title": f"บันทึกทดสอบภาระ {word}",
        "body": f"เนื้อหาทดสอบการเขียนพร้อมกัน {word} การจัดการความรู้ในชุมชน",
        "tags": "ทดสอบภาระ",
        "license": "all-rights-reserved",
        "status": "published",
        "comments_enabled": "y",
        "draft_token": "",
    }
    status, location, _ = client.request("POST", f"/b/{slug}/write", form)
    match = re.search(r"/posts/(\d+)$", urlsplit(location).path)
    if status != 302 or not match:
        with stats.lock:
            stats.failures.append(f"{status} POST new entry in {slug} -> {location!r}")
        return None
    with stats.lock:
        stats.entries.append((int(match.group(1)), word))
    return int(match.group(1))


def post_comment(client: Client, number: int, stats: Stats) -> None:
    _, _, page = client.request("GET", f"/posts/{number}")
    word = token()
    form = {"csrf_token": csrf_token(page), "body": f"ความเห็นทดสอบภาระ {word}"}
    status, location, _ = client.request("POST", f"/posts/{number}/comments", form)
    match = re.search(r"#comment-(\d+)$", location)
    if status != 302 or not match:
        with stats.lock:
            stats.failures.append(f"{status} POST comment on {number} -> {location!r}")
        return
    with stats.lock:
        stats.comments.append((int(match.group(1)), number, word))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{completed.stderr}")
    return completed.stdout


def prepare(env: dict[str, str], members: int) -> Site:
    """Migrate, load the demo, add the writers' accounts and blogs; list what readers will fetch."""
    flask(env, "db", "upgrade")
    flask(env, "demo", "--force")  # a throw-away site under production settings
    with AppContext(env):
        from sqlalchemy import select

        from app.auth.services import register_user
        from app.blogs.services import create_blog
        from app.extensions import db
        from app.models import STATUS_PUBLISHED, Blog, Entry, Tag, entry_tags

        accounts = []
        for index in range(members):
            user = register_user(f"load{index:03d}", f"load{index:03d}@example.org", f"ผู้ทดสอบ {index}", PASSWORD)
            blog = create_blog(user, f"load-{index:03d}", f"บล็อกทดสอบภาระ {index}", "")
            accounts.append((user.username, blog.slug))
        db.session.commit()
        numbers = list(db.session.scalars(select(Entry.number).where(Entry.status == STATUS_PUBLISHED)))
        blogs = list(db.session.scalars(select(Blog.slug)))
        # Tags readers can see: a tag only drafts carry answers 404 (its page would reveal the draft).
        published = Entry.status == STATUS_PUBLISHED
        shown = select(entry_tags.c.tag_id).join(Entry, Entry.id == entry_tags.c.entry_id).where(published)
        tags = list(db.session.scalars(select(Tag.name).where(Tag.id.in_(shown))))
        db.session.remove()
    return Site(numbers=numbers, blogs=blogs, tags=tags or ["KM"], members=accounts)


class AppContext:
    """The application of `env`, in this process (for setting up and checking; the server runs apart)."""

    def __init__(self, env: dict[str, str]) -> None:
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        from app import create_app

        self.app = create_app(env["SALA_CONFIG"])

    def __enter__(self):
        self.context = self.app.app_context()
        self.context.push()
        return self.app

    def __exit__(self, *exc) -> None:
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
        self.context.pop()


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env={**env, "GUNICORN_ACCESS_LOG": str(log.with_suffix(".access.log"))},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def workers_of(server: subprocess.Popen) -> list[int]:
    """The worker processes of gunicorn's master (its children, from /proc)."""
    try:
        return [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    except OSError:
        return []


def killer(server: subprocess.Popen, every: float, stats: Stats, deadline: float) -> None:
    """SIGKILL a random worker every `every` seconds (gunicorn's master starts a new one)."""
    while time.monotonic() + every < deadline:
        time.sleep(every)
        workers = workers_of(server)
        if workers:
            try:
                os.kill(random.choice(workers), signal.SIGKILL)
            except ProcessLookupError:
                continue
            with stats.lock:
                stats.kills += 1


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, make_url

    url = make_url(server_url)
    name = f"sala_load_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def check_writes(env: dict[str, str], stats: Stats) -> tuple[int, int, list[str]]:
    """Every acknowledged entry and comment in the database and found by search (after `flask search sync`):
    how many are kept, how many found, and what is missing."""
    print(flask(env, "search", "sync").strip())
    missing = []
    kept = found = 0
    with AppContext(env):
        from app.extensions import db
        from app.models import Comment, Entry
        from app.search.query import search

        for number, word in stats.entries:
            entry = db.session.scalar(db.select(Entry).where(Entry.number == number))
            if entry is None or word not in entry.title:
                missing.append(f"entry {number} ({word}) not in the database")
                continue
            kept += 1
            if number not in {hit.entry.number for hit in search(word).hits}:
                missing.append(f"entry {number} ({word}) not found by search")
            else:
                found += 1
        for comment_id, number, word in stats.comments:
            comment = db.session.get(Comment, comment_id)
            if comment is None or word not in comment.body_text or comment.entry.number != number:
                missing.append(f"comment {comment_id} ({word}) not in the database")
                continue
            kept += 1
            if number not in {hit.entry.number for hit in search(word).hits}:
                missing.append(f"comment {comment_id} ({word}) on entry {number} not found by search")
            else:
                found += 1
    return kept, found, missing


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return f"p50 {at(0.5):.0f} ms, p90 {at(0.9):.0f} ms, p99 {at(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms"


def _children_cpu() -> float:
    """CPU seconds of finished child processes (gunicorn's master and, through it, its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(
    stats: Stats, seconds: float, writes: tuple[int, int, list[str]], args: argparse.Namespace, server_cpu: float
) -> int:
    kept, found, missing = writes
    total = sum(stats.statuses.values())
    errors = sum(count for status, count in stats.statuses.items() if status == "error" or status >= 500)
    server_errors = sum(count for status, count in stats.statuses.items() if status != "error" and status >= 500)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"\n{args.readers} readers, {args.writers} writers, {args.workers} gunicorn workers, {seconds:.0f} s, "
        f"{database}, SEARCH_BACKEND={args.search_backend}"
        + (f", a worker killed every {args.kill_every:g} s" if args.kill else "")
    )
    print(f"load average at the end (1, 5, 15 min): {', '.join(f'{value:.1f}' for value in os.getloadavg())}")
    print(f"requests: {total} ({total / seconds:.1f}/s)")
    print(f"server CPU: {server_cpu:.1f} s in all, {1000 * server_cpu / max(total, 1):.0f} ms per request")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(stats.statuses.items(), key=str)))
    for method, values in stats.latencies.items():
        print(f"{method} latency ({len(values)}): {percentiles(values)}")
    for kind, values in sorted(stats.by_kind.items()):
        print(f"  {kind} ({len(values)}): {percentiles(values)}")
    print(f"workers killed: {stats.kills}; dropped connections sent again (resets): {stats.resets}")
    acknowledged = len(stats.entries) + len(stats.comments)
    print(f"acknowledged writes: {len(stats.entries)} entries, {len(stats.comments)} comments")
    print(f"writes acknowledged / kept in the database / found by search: {acknowledged} / {kept} / {found}")
    print(f"5xx: {server_errors}; 5xx and failed requests: {errors}")
    print(f"acknowledged writes missing from the database or search: {len(missing)}")
    for line in (stats.failures + missing)[:20]:
        print("  " + line)
    return 1 if errors or missing or stats.failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--kill", action="store_true", help="SIGKILL a random gunicorn worker now and then")
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds between kills (default 3)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=SERVER,
        metavar="SERVER_URL",
        help=f"run on a new database on this PostgreSQL server, dropped afterwards (default {SERVER})",
    )
    parser.add_argument(
        "--search-backend", choices=("whoosh", "postgres"), help="default: postgres with --postgres, else whoosh"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    args = parser.parse_args()
    args.search_backend = args.search_backend or ("postgres" if args.postgres else "whoosh")
    if args.search_backend == "postgres" and not args.postgres:
        parser.error("--search-backend postgres needs --postgres")

    folder = Path(tempfile.mkdtemp(prefix="sala-load-"))
    with ExitStack() as stack:
        if args.postgres:
            database_url = stack.enter_context(postgres_database(args.postgres))
        else:
            database_url = f"sqlite:///{folder / 'sala.db'}"
        env = {
            **os.environ,
            "SALA_CONFIG": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SITE_URL": "http://127.0.0.1",  # production answers only its own host (TRUSTED_HOSTS)
            "DATABASE_URL": database_url,
            "SEARCH_BACKEND": args.search_backend,
            "SEARCH_INDEX_DIR": str(folder / "search_index" / "current"),
            "UPLOAD_DIR": str(folder / "uploads"),
            "RATELIMIT_STORAGE_URI": f"sqlite:///{folder / 'rate-limits.db'}",  # not the checkout's instance/
        }
        return run(args, env, folder)


def run(args: argparse.Namespace, env: dict[str, str], folder: Path) -> int:
    try:
        site = prepare(env, args.writers)
        port = args.port or free_port()
        cpu_before = _children_cpu()
        server = start_server(env, port, args.workers, folder / "gunicorn.log")
        stats = Stats()
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=reader, args=(port, site, stats, deadline)) for _ in range(args.readers)]
        threads += [
            threading.Thread(target=writer, args=(port, username, slug, stats, deadline))
            for username, slug in site.members[: args.writers]
        ]
        if args.kill:
            threads.append(threading.Thread(target=killer, args=(server, args.kill_every, stats, deadline)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        server_cpu = _children_cpu() - cpu_before
        writes = check_writes(env, stats)
        return report(stats, elapsed, writes, args, server_cpu)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
