"""Nothing in templates/ needs 'unsafe-inline': no inline scripts, no event-handler attributes, no style=."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# A <script> tag without a src attribute holds inline code; <style> blocks are inline CSS.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
# onclick=, onload=, ... inside a tag (whitespace before, so "data-on-x" or "person=" do not match).
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code(text: str) -> list[str]:
    problems = []
    for match in SCRIPT_TAG.finditer(text):
        if not re.search(r"\ssrc\s*=", " " + match.group(1), re.IGNORECASE):
            problems.append(f"inline <script>: {match.group(0)}")
    checks = (
        (STYLE_BLOCK, "<style> block"),
        (EVENT_ATTRIBUTE, "event-handler attribute"),
        (STYLE_ATTRIBUTE, "style attribute"),
        (JAVASCRIPT_URL, "javascript: URL"),
    )
    for pattern, what in checks:
        problems += [f"{what}: {match.group(0)[-80:]}" for match in pattern.finditer(text)]
    return problems


def test_the_checker_finds_each_kind_of_inline_code():
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<button type="button"\n   onclick="go()">')
    assert inline_code('<p class="x" style="color: red">')
    assert inline_code("<style>p { color: red }</style>")
    assert inline_code('<a href="javascript:go()">')
    assert not inline_code('<script src="/static/js/editor.js" defer></script>')
    assert not inline_code('<div data-on-save="x" data-style="y" class="person">')


def test_no_template_holds_inline_scripts_handlers_or_styles():
    templates = sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.xml"))
    assert templates, "no templates found"
    problems = [
        f"{path.relative_to(TEMPLATES)}: {problem}"
        for path in templates
        for problem in inline_code(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)
