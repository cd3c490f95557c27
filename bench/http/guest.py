"""A guest who comments through the real form, for bench/http/run.py's mixed mode and tests/ops/test_nginx.py.

The form is read from whatever page has it: the entry page, or a page it links to under
/posts/<number>/comment…; the guest keeps the cookies the app gives (the CSRF token's session) by hand,
because production marks them Secure and a cookie jar would not send them over plain http.
"""

from __future__ import annotations

import re
import secrets
import urllib.parse
from collections.abc import Callable
from html.parser import HTMLParser

# fetch(method, path, body, headers) -> (status, [(name, value), ...], body bytes)
Fetch = Callable[[str, str, "str | None", "dict[str, str]"], tuple[int, list[tuple[str, str]], bytes]]


class FormReader(HTMLParser):
    """The fields (inputs, text areas, selects) of the first form whose action matches a pattern."""

    def __init__(self, action: re.Pattern[str]) -> None:
        super().__init__()
        self.action_pattern = action
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False
        self._done = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and not self._done and self.action_pattern.search(found.get("action", "")):
            self._inside, self.action = True, found.get("action", "")
        elif self._inside and tag == "input" and "name" in found:
            if found.get("type") not in ("checkbox", "radio") or "checked" in found:
                self.fields[found["name"]] = found.get("value", "")
        elif self._inside and tag == "textarea" and "name" in found:
            self._textarea = found["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._inside:
            self._inside, self._done = False, True


def read_form(html: str, action: re.Pattern[str]) -> tuple[str, dict[str, str]] | None:
    reader = FormReader(action)
    reader.feed(html)
    return (reader.action, reader.fields) if reader.action is not None else None


def set_cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, val = value.split(";", 1)[0].partition("=")
            found[key.strip()] = val.strip()
    return found


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items() if value)


def post_comment(fetch: Fetch, entry_number: int, body: str, name: str = "ผู้อ่าน", origin: str = "") -> int:
    """Send a guest comment on an entry through its form; returns the answer's status (303/302 when taken).

    Over HTTPS give the site's `origin` ("https://host:port"): Flask-WTF then wants a same-site Referer, as a
    browser sends.
    """
    action = re.compile(rf"/posts/{entry_number}/comments\b")
    cookies: dict[str, str] = {}
    page = f"/posts/{entry_number}"
    form = None
    for _ in range(2):  # the entry page, then the comment page it links to (if the form lives there)
        status, headers, html = fetch("GET", page, None, {"Cookie": cookie_header(cookies)})
        cookies.update(set_cookies(headers))
        text = html.decode("utf-8", "replace")
        form = read_form(text, action) if status == 200 else None
        link = re.search(rf'href="(/posts/{entry_number}/comment[^"]*)"', text)
        if form is not None or link is None:
            break
        page = link.group(1).replace("&amp;", "&")
    if form is None:
        raise RuntimeError(f"no guest comment form for entry {entry_number} (last page answered {status})")
    path, fields = form
    fields.update(guest_name=name, body=body, website="")
    if "submission_key" in fields and not fields["submission_key"]:
        fields["submission_key"] = secrets.token_hex(24)  # what static/js/form_keys.js does in a browser
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header(cookies)}
    if origin:
        headers["Referer"] = origin + page
    status, _headers, _html = fetch("POST", path or page, urllib.parse.urlencode(fields), headers)
    return status
