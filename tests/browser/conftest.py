"""Browser tests: Debian's Chromium, driven by Playwright, against a live server of the app.

One live server and one browser serve the whole session; every test gets fresh browser contexts (own cookies
and storage). Each context may reach the live server only: requests to any other host are blocked and
recorded, and the test fails if there were any, as it does after an uncaught page error, a failed /static/ or
/uploads/ request, or an exception in the server.

Without Chromium (/usr/bin/chromium, or the path in SALA_CHROMIUM) the tests skip, except under CI
(CI=true), where a missing browser is an error.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, sync_playwright
from playwright.sync_api import Request as BrowserRequest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SALA_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS_DIR = ROOT / "test-artifacts"
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"
# Everything is local, so a short timeout only makes failures (and the xfail tests) quicker.
DEFAULT_TIMEOUT_MS = 5000
DESKTOP = {"width": 1366, "height": 900}
MOBILE = {"width": 360, "height": 740}


@dataclass
class LiveServer:
    """The application served over HTTP on 127.0.0.1, and what went wrong on the server side."""

    app: Flask
    url: str
    server_errors: list[str] = field(default_factory=list)

    def app_context(self) -> AbstractContextManager:
        """For test set-up through the services (another user, a station) in the test's own thread."""
        return self.app.app_context()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package or set SALA_CHROMIUM"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, so the browser tests must run, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, test_databases) -> Iterator[LiveServer]:
    """create_app("testing") on a migrated database of its own (SQLite, or PostgreSQL as for the other tests),
    with its own search index and upload folder.

    CSRF protection is on, as in production, since a real browser sends the tokens; search changes are
    applied after each commit (SEARCH_SYNC_ON_COMMIT), so what a test writes is searchable at once.
    """
    root = tmp_path_factory.mktemp("live")
    database_url = test_databases.create(root)
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(root / "search_index" / "current"),
            "UPLOAD_DIR": str(root / "uploads"),
            "SEARCH_SYNC_ON_COMMIT": True,
            "WTF_CSRF_ENABLED": True,
        },
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")

    def record_exception(sender: Flask, exception: BaseException, **extra) -> None:
        live.server_errors.append(f"{type(exception).__name__}: {exception}")

    got_request_exception.connect(record_exception, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    got_request_exception.disconnect(record_exception, app)
    with app.app_context():
        db.engine.dispose()
    test_databases.drop(database_url)


@pytest.fixture(scope="session")
def playwright_session(chromium_path) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, chromium_path: str) -> Iterator[Browser]:
    """One Chromium for the session; never `playwright install` — Debian's build is the one under test."""
    browser = playwright_session.chromium.launch(executable_path=chromium_path)
    yield browser
    browser.close()


class ContextGuard:
    """Keeps a context on the live server and notes everything that should fail the test."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.blocked: list[str] = []
        self.page_errors: list[str] = []
        self.failed_assets: list[str] = []

    def route(self, route: Route, request: BrowserRequest) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin:
            route.continue_()
            return
        self.blocked.append(request.url)
        route.abort("blockedbyclient")

    def response(self, response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 500 or (response.status >= 400 and path.startswith(("/static/", "/uploads/"))):
            self.failed_assets.append(f"{response.status} {response.url}")

    def attach(self, context: BrowserContext) -> None:
        context.route("**/*", self.route)
        context.on("response", self.response)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))

    def problems(self) -> list[str]:
        return (
            [f"tried to reach another host: {url}" for url in self.blocked]
            + [f"uncaught page error: {message}" for message in self.page_errors]
            + [f"failed request: {line}" for line in self.failed_assets]
        )


class Contexts:
    """Makes browser contexts on the live server (Thai locale, Bangkok time) and checks them afterwards."""

    def __init__(self, browser: Browser, live: LiveServer) -> None:
        self.browser = browser
        self.live = live
        self.guards: list[ContextGuard] = []
        self.contexts: list[BrowserContext] = []
        self.server_errors_before = len(live.server_errors)

    def new(self, *, mobile: bool = False, **options) -> BrowserContext:
        settings = {
            "base_url": self.live.url,
            "locale": "th-TH",
            "timezone_id": "Asia/Bangkok",
            "viewport": DESKTOP,
            "service_workers": "block",  # so every request passes the guard
        }
        if mobile:
            settings.update(viewport=MOBILE, device_scale_factor=2, is_mobile=True, has_touch=True)
        settings.update(options)
        context = self.browser.new_context(**settings)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        guard = ContextGuard(self.live.url)
        guard.attach(context)
        self.guards.append(guard)
        self.contexts.append(context)
        return context

    def close(self) -> list[str]:
        for context in self.contexts:
            context.close()
        problems = [problem for guard in self.guards for problem in guard.problems()]
        problems += [f"server error: {error}" for error in self.live.server_errors[self.server_errors_before :]]
        return problems


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[Contexts]:
    """Fresh contexts for this test (a second one for another user); fails the test on guard problems."""
    made = Contexts(browser, live_server)
    yield made
    problems = made.close()
    if problems:
        pytest.fail("the browser session went wrong:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(contexts: Contexts) -> Page:
    return contexts.new().new_page()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png, once the fonts are in."""

    def save(page: Page, name: str) -> Path:
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.evaluate("document.fonts.ready.then(() => true)")
        path = SCREENSHOTS_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save
