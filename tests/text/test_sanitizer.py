"""Hostile input against render_markdown's sanitiser.

Vectors are taken from the OWASP XSS Filter Evasion Cheat Sheet, well-known
polyglots and mutation-XSS payloads, plus Markdown-specific link tricks.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.markdown import render_markdown
from tests.security.vectors import ALL_VECTORS
from tests.text.html_checks import problems

FAST = settings(max_examples=200, deadline=None)

# Spec checks on the serialised output: an " on...=" attribute, or a
# javascript:/vbscript:/data: URL in href/src, inside a tag.  Quoted values
# are matched whole so text inside alt/title cannot trigger a false alarm.
_TAG_ATTRIBUTES = r"""<[A-Za-z][\w:-]*(?:\s+[^\s=>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*?"""
EVENT_ATTRIBUTE_RE = re.compile(_TAG_ATTRIBUTES + r"\s+on\w+\s*=", re.IGNORECASE)
URL_ATTRIBUTE_RE = re.compile(
    _TAG_ATTRIBUTES + r"""\s+(?:href|src)\s*=\s*["']?\s*(?:javascript|vbscript|data):""",
    re.IGNORECASE,
)


def test_spec_regexes_detect_what_they_should() -> None:
    assert EVENT_ATTRIBUTE_RE.search('<img src="x" onerror="alert(1)">')
    assert EVENT_ATTRIBUTE_RE.search("<svg onload=alert(1)>")
    assert not EVENT_ATTRIBUTE_RE.search('<img alt="x onerror=alert(1)">')
    assert not EVENT_ATTRIBUTE_RE.search("&lt;img onerror=alert(1)&gt;")
    assert URL_ATTRIBUTE_RE.search('<a title="t" href="javascript:alert(1)">')
    assert URL_ATTRIBUTE_RE.search("<img src= data:image/png,x>")
    assert not URL_ATTRIBUTE_RE.search('<a title="href=javascript:x" href="/ok">')


XSS_VECTORS = ALL_VECTORS


@pytest.mark.parametrize("source", XSS_VECTORS)
def test_xss_vector_is_neutralised(source: str) -> None:
    html = render_markdown(source)
    assert problems(html) == []
    assert "<script" not in html.lower()
    assert not EVENT_ATTRIBUTE_RE.search(html)
    assert not URL_ATTRIBUTE_RE.search(html)
    assert "style=" not in html.lower()


def test_vector_list_is_substantial() -> None:
    assert len(XSS_VECTORS) >= 30


@pytest.mark.parametrize(
    ("source", "hidden", "visible"),
    [
        ("<script>alert(1)</script>after", "alert(1)", "after"),
        ('before<script type="text/javascript">var secret = 1;</script>', "secret", "before"),
        ("<style>body { color: red }</style>text", "color", "text"),
        ('<iframe src="https://evil.example">fallback</iframe>ok', "fallback", "ok"),
        ("<textarea>typed</textarea>ok", "typed", "ok"),
        ("<title>page title</title>ok", "page title", "ok"),
        ("<noscript>enable js</noscript>ok", "enable js", "ok"),
        ("<xmp>raw</xmp>ok", "raw", "ok"),
        ("<template><b>inert</b></template>ok", "inert", "ok"),
        ('<object data="x">fallback</object>ok', "fallback", "ok"),
        ("<svg><text>drawn</text><script>alert(2)</script></svg>ok", "alert(2)", "ok"),
        ("<math><mi>x2</mi></math>ok", "x2", "ok"),
        ("<SCRIPT>alert(3)</SCRIPT>ok", "alert(3)", "ok"),
        ("<script>document.write('<b>x</b>')</script>ok", "document.write", "ok"),
    ],
)
def test_dropped_elements_lose_their_content(source: str, hidden: str, visible: str) -> None:
    html = render_markdown(source)
    assert hidden not in html
    assert visible in html


def test_dropping_does_not_eat_the_rest_of_the_document() -> None:
    html = render_markdown("<embed src=x>visible <svg><svg></svg></svg>still <b>here</b>")
    assert "visible" in html
    assert "still" in html
    assert "<b>here</b>" in html


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("<font color=red>แดง</font>", "แดง"),
        ("<center>กลาง</center>", "กลาง"),
        ("<button>กด</button>", "กด"),
        ("<xss>text</xss>", "text"),
    ],
)
def test_disallowed_tags_are_stripped_keeping_text(source: str, kept: str) -> None:
    html = render_markdown(source)
    assert kept in html
    assert problems(html) == []


def test_comments_are_removed() -> None:
    assert "secret" not in render_markdown("a <!-- secret --> b")


HOSTILE_FRAGMENTS = [
    "<script>",
    "</script>",
    "<SCRIPT>",
    "alert(1)",
    "<img src=x onerror=alert(1)>",
    "<img src=",
    "javascript:",
    "JaVaScRiPt:",
    "jav&#x09;ascript:",
    "&#x6A;",
    "&#106;",
    "&colon;",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/svg+xml,",
    "vbscript:",
    '<a href="',
    "<a href=",
    '">',
    "'>",
    "'",
    '"',
    "`",
    "<",
    ">",
    "/>",
    "=",
    " onerror=",
    " onclick=",
    "onload=",
    " style=",
    "expression(",
    "[x](",
    "![y](",
    "](",
    "[",
    "]",
    "(",
    ")",
    "[ref]: ",
    "<svg onload=alert(1)>",
    "<svg>",
    "<math>",
    "<style>",
    "</style>",
    "<iframe>",
    "<noscript>",
    "</noscript>",
    "<textarea>",
    "<title>",
    "<template>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\n",
    "\n\n",
    "> ",
    ">",
    "- ",
    "1. ",
    "    ",
    "```",
    "~~~",
    "*",
    "**",
    "_",
    "|",
    "|---|",
    "\t",
    "&",
    ";",
    "#",
    '<p title="',
    "<b>",
    "</b>",
    "<div>",
    "</div>",
    "<table>",
    "<td>",
    "http://x.com",
    "https://example.com/a.png",
    "www.",
    "\x00",
    "\u200b",
    "ไทย",
    "/",
    "\\",
    ":",
    " ",
    "<http://a.com>",
    "<javascript:alert(1)>",
    "<a",
    "<img",
    " src=x",
    "href=",
]
hostile_text = st.lists(st.sampled_from(HOSTILE_FRAGMENTS), max_size=40).map("".join)


@FAST
@given(st.text())
def test_any_text_renders_safely(source: str) -> None:
    html = render_markdown(source)
    assert isinstance(html, str)
    assert problems(html) == []


@FAST
@given(hostile_text)
def test_hostile_fragments_render_safely(source: str) -> None:
    html = render_markdown(source)
    assert problems(html) == []
    assert "<script" not in html.lower()
