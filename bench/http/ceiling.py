"""The ceiling for bench/http: a bare Flask endpoint returning a fixed 20 KB page.

Served by gunicorn with the same settings as Sala, it measures what this machine, gunicorn and Flask can do
at most; Sala's pages are reported as a share of it.
"""

from __future__ import annotations

from flask import Flask, Response

PAGE_BYTES = 20 * 1024
_LINE = "<p>ศาลา การจัดการความรู้ KM ชุมชนนักปฏิบัติ แลกเปลี่ยนเรียนรู้</p>\n"


def _page() -> bytes:
    head = b"<!doctype html><html lang=th><meta charset=utf-8><title>ceiling</title><body>\n"
    body = head
    line = _LINE.encode()
    while len(body) + len(line) < PAGE_BYTES:
        body += line
    return body + b" " * (PAGE_BYTES - len(body))


PAGE = _page()
app = Flask(__name__)


@app.get("/")
def fixed_page() -> Response:
    return Response(PAGE, mimetype="text/html")
