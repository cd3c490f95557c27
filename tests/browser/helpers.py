"""What a member does in the browser (register, create a blog, write), and a real PNG for uploads."""

from __future__ import annotations

import re
import struct
import uuid
import zlib

from playwright.sync_api import Page, expect

PASSWORD = "password123"  # the same as tests/factories.py, so users made there can log in here


def unique(prefix: str) -> str:
    """A name no other test in the session uses (usernames and slugs: letters, digits, '-')."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def submit(page: Page) -> None:
    """Press the submit button of the page's own form (the header also has a search and a logout form)."""
    page.locator("main form button[type=submit]").last.click()


def register(page: Page, username: str, display_name: str) -> None:
    page.goto("/register")
    page.locator("#username").fill(username)
    page.locator("#display_name").fill(display_name)
    page.locator("#email").fill(f"{username}@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.locator("#login").fill(username)
    page.locator("#password").fill(PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def create_blog(page: Page, slug: str, title: str, *, allow_guest_comments: bool = True) -> None:
    page.goto("/blogs/new")
    page.locator("#slug").fill(slug)
    page.locator("#title").fill(title)
    page.locator("#description").fill("บันทึกความรู้จากการทำงานในพื้นที่")
    page.locator("#allow_guest_comments").set_checked(allow_guest_comments)
    submit(page)
    expect(page).to_have_url(re.compile(rf"/b/{re.escape(slug)}$"))


def write_entry(page: Page, blog_slug: str, title: str, body: str, tags: str = "") -> int:
    """Write and publish an entry through the plain form; returns its number."""
    page.goto(f"/b/{blog_slug}/write")
    page.locator("#title").fill(title)
    page.locator("#body").fill(body)
    page.locator("#tags").fill(tags)
    page.locator("input[name=status][value=published]").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/posts/\d+$"))
    expect(page.locator("h1.entry-title")).to_have_text(title)
    return int(page.url.rsplit("/", 1)[1])


def png_bytes(width: int = 96, height: int = 64) -> bytes:
    """A real PNG (an RGB gradient), written by hand so the tests need no imaging library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def no_horizontal_overflow(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at a {width}px viewport"


# Runs in each page before its own scripts (CDP injects it, so the policy itself does not apply to it).
VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
});
"""


class ViolationWatcher:
    """The Content-Security-Policy violations a page reports, on the console and as DOM events."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(VIOLATION_LISTENER)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "content security policy" in message.text.lower():
            self.console.append(f"{message.type}: {message.text}")

    def problems(self) -> list[str]:
        in_page = self.page.evaluate("window.__cspViolations || []")
        return self.console + [f"securitypolicyviolation: {item}" for item in in_page]
