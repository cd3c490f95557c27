"""Real nginx with DEPLOY.md's site (deploy/nginx-site.conf) in front of a real gunicorn (gunicorn.conf.py, the
production settings) on a migrated SQLite database with the demo data: anonymous pages come from nginx's cache,
a write shows to anonymous readers within 2 s, a member's pages are never kept, conditional requests get 304.

The site has its own SQLite database whatever TEST_DATABASE_URL says: what is tested here is the proxy.
Skipped when nginx (Debian's nginx-light) or openssl is missing, except under CI=true, where both must be there.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import ROOT
from app.demo import DEMO_PASSWORD, MARKER_USERNAME
from bench.http import guest
from deploy import nginx

GUNICORN = Path(sys.executable).parent / "gunicorn"
FLASK = Path(sys.executable).parent / "flask"
VISIBLE_WITHIN_S = 2.0


def _require_nginx() -> None:
    if nginx.available():
        return
    reason = f"{nginx.NGINX} (Debian package nginx-light) and openssl are needed to run nginx in front of gunicorn"
    if os.environ.get("CI") == "true":
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Site:
    port: int  # nginx's HTTPS port on localhost
    http_port: int
    entry_number: int  # a demo entry that takes guest comments

    @property
    def origin(self) -> str:
        return f"https://localhost:{self.port}"

    def fetch(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the test's self-signed certificate
        connection = http.client.HTTPSConnection("localhost", self.port, timeout=30, context=context)
        try:
            connection.request(method, path, body=body, headers={k: v for k, v in (headers or {}).items() if v})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        status, pairs, body = self.fetch("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        return status, {name.lower(): value for name, value in pairs}, body


def _environment(folder: Path, site_url: str, bind: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_REDIS_URL", "TRUSTED_HOSTS", "CACHE_TYPE")}
    env.update(
        SALA_CONFIG="production",
        SECRET_KEY=secrets.token_hex(32),
        SITE_URL=site_url,
        DATABASE_URL=f"sqlite:///{folder / 'sala.db'}",
        SEARCH_INDEX_DIR=str(folder / "index" / "current"),
        UPLOAD_DIR=str(folder / "uploads"),
        CACHE_DIR=str(folder / "page-cache"),
        RATELIMIT_STORAGE_URI=f"sqlite:///{folder / 'rate-limits.db'}",
        PROXY_FIX_X_FOR="1",
        PROXY_FIX_X_PROTO="1",
        WEB_CONCURRENCY="2",
        GUNICORN_BIND=bind,
        GUNICORN_CONTROL_SOCKET="off",
        GUNICORN_ACCESS_LOG=os.devnull,
    )
    return env


def _load_demo(env: dict[str, str]) -> None:
    for command in (["db", "upgrade"], ["demo", "--force"]):
        subprocess.run([str(FLASK), "--app", "wsgi", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def _wait_for_gunicorn(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start: {log.read_text()[-3000:]}")
        time.sleep(0.2)


def _entry_taking_guest_comments(site: Site) -> int:
    status, _headers, home = site.get("/")
    for number in dict.fromkeys(int(n) for n in re.findall(rb'href="/posts/(\d+)"', home)):
        _status, _headers, page = site.get(f"/posts/{number}")
        if b'name="guest_name"' in page or re.search(rf'href="/posts/{number}/comment'.encode(), page):
            return number
    pytest.fail(f"no demo entry on the home page ({status}) takes guest comments")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The demo site through nginx, for the whole module (gunicorn and nginx start once)."""
    _require_nginx()
    folder = tmp_path_factory.mktemp("nginx-site")
    app_port, https_port, http_port = _free_port(), _free_port(), _free_port()
    env = _environment(folder, f"https://localhost:{https_port}", f"127.0.0.1:{app_port}")
    _load_demo(env)
    log = folder / "gunicorn.log"
    with log.open("w") as log_file:
        command = [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_for_gunicorn(process, app_port, log)
        run_dir = folder / "nginx"
        run_dir.mkdir()
        config = nginx.local_site(run_dir, f"127.0.0.1:{app_port}", https_port, http_port)
        with nginx.running(run_dir, config, https_port):
            serving = Site(port=https_port, http_port=http_port, entry_number=0)
            serving.entry_number = _entry_taking_guest_comments(serving)
            yield serving
    finally:
        process.terminate()
        process.wait(30)


def _sign_in(site: Site) -> str:
    """A member's Cookie header, signed in through the real form (through nginx)."""
    status, headers, page = site.fetch("GET", "/login")
    cookies = guest.set_cookies(headers)
    form = guest.read_form(page.decode(), re.compile(r"^$"))  # the login form posts to its own address
    assert status == 200 and form is not None
    fields = form[1]
    fields.update(login=MARKER_USERNAME, password=DEMO_PASSWORD)
    form_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": guest.cookie_header(cookies),
        "Referer": f"{site.origin}/login",
    }
    status, headers, _ = site.fetch("POST", "/login", urllib.parse.urlencode(fields), form_headers)
    assert status == 302, "sign-in through nginx failed"
    cookies.update(guest.set_cookies(headers))
    return guest.cookie_header(cookies)


def _statuses(site: Site, path: str, times: int, **headers: str) -> list[str]:
    return [site.get(path, **headers)[1].get("x-cache-status", "") for _ in range(times)]


def test_deploy_md_shows_the_site_nginx_runs():
    """One source: DEPLOY.md shows deploy/nginx-site.conf as it is, the file the tests and the benchmark run."""
    template = nginx.SITE_TEMPLATE.read_text()
    shown = re.search(r"```nginx\n(.*?)```", (ROOT / "DEPLOY.md").read_text(), re.DOTALL)
    assert shown is not None and shown.group(1) == template


def test_the_site_needs_every_value():
    with pytest.raises(ValueError, match="cache_dir"):
        nginx.render_site(server_name="sala.example.go.th")


def _plain_http(port: int, host: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/healthz", headers={"Host": host})
    return connection.getresponse()


def test_other_hosts_are_dropped_and_http_goes_to_https(site):
    with pytest.raises(ssl.SSLError):  # no certificate for a name that is not the site's (here: none at all)
        context = ssl._create_unverified_context()
        context.wrap_socket(socket.create_connection(("127.0.0.1", site.port), timeout=10)).close()
    with pytest.raises(http.client.RemoteDisconnected):  # 444: closed without an answer
        _plain_http(site.http_port, "sala.invalid")
    redirect = _plain_http(site.http_port, "localhost")
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://localhost:{site.port}/healthz"


def test_responses_that_are_not_public_are_not_kept(site):
    for path in ("/healthz", "/login"):
        assert not {"HIT", "UPDATING", "STALE"} & set(_statuses(site, path, 3)), path
    _status, headers, _page = site.get("/healthz")
    assert headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("page", ["home", "entry"])
def test_anonymous_pages_come_from_nginx(site, page):
    path = "/" if page == "home" else f"/posts/{site.entry_number}"
    statuses = _statuses(site, path, 3)
    # Served from nginx's copy: fresh (HIT), or stale while one request brings the new one (UPDATING, STALE).
    assert {"HIT", "UPDATING", "STALE"} & set(statuses[1:]), statuses


def test_each_language_is_kept_apart(site):
    """The cache key follows app/i18n.py: the sala_lang cookie, else Accept-Language, else Thai."""
    asked = {
        "en": [{"accept_language": "en-US,en;q=0.9"}, {"accept_language": "th", "cookie": "sala_lang=en"}],
        "th": [{}, {"accept_language": "th-TH,th;q=0.9,en;q=0.8"}, {"accept_language": "fr, th;q=0.5"}],
    }
    for _round in range(2):  # the second round reads what the first one left in the cache
        for language, requests in asked.items():
            for headers in requests:
                _status, _headers, page = site.get("/", **headers)
                assert f'<html lang="{language}">'.encode() in page, (language, headers)


def test_a_guest_comment_shows_to_anonymous_readers_within_two_seconds(site):
    path = f"/posts/{site.entry_number}"
    _statuses(site, path, 2)  # kept by nginx, once the app allows it
    text = f"ความเห็นผ่าน nginx {secrets.token_hex(4)}"

    status = guest.post_comment(site.fetch, site.entry_number, text, origin=site.origin)
    sent = time.monotonic()

    assert status in (302, 303)
    while text.encode() not in site.get(path)[2]:
        assert time.monotonic() - sent <= VISIBLE_WITHIN_S, "the comment did not reach anonymous readers in time"
        time.sleep(0.1)


def test_a_member_page_is_never_kept(site):
    cookie = _sign_in(site)
    member_pages = [site.get("/", cookie=cookie) for _ in range(3)]
    anonymous = site.get("/")

    for status, headers, page in member_pages:
        assert status == 200 and b'action="/logout"' in page  # really the member's page
        assert headers["x-cache-status"] == "BYPASS"
        assert headers["cache-control"] == "private, no-store"
    assert anonymous[0] == 200 and b'action="/logout"' not in anonymous[2]


def test_a_conditional_request_gets_304(site):
    _status, headers, _page = site.get("/")
    assert headers.get("etag", "").startswith('"')

    status, revalidated, body = site.get("/", if_none_match=headers["etag"])
    assert status == 304 and body == b""
    assert site.get("/", if_modified_since=headers["last-modified"])[0] == 304
    assert revalidated.get("x-cache-status") in ("HIT", "STALE", "REVALIDATED", "UPDATING")
