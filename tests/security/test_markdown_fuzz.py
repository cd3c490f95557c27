"""Fuzzing the Markdown-to-HTML path (render_markdown, which sanitises) with hostile building blocks.

The output is parsed with html.parser (attributes entity-decoded, names lower-cased) and must never hold a
script, style or iframe element, an event-handler attribute, or a link/source with a script-running URL.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.text.markdown import render_comment, render_markdown
from tests.security.vectors import ALL_VECTORS as VECTORS

FORBIDDEN_ELEMENTS = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math", "base", "form"})
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "background", "poster", "data"})
BAD_URL_PREFIXES = ("javascript:", "vbscript:", "data:text/html")
# Browsers ignore ASCII whitespace and control characters inside a scheme ("jav\tascript:").
_URL_JUNK_RE = re.compile(r"[\x00-\x20\x7f]+")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"event attribute {name} on <{tag}>")
            if name == "style":
                self.found.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                # html.parser has decoded character references once, as a browser does; decoding again
                # would read "javascript&amp;colon;" (a harmless relative URL) as a script URL.
                url = _URL_JUNK_RE.sub("", value).lower()
                if url.startswith(BAD_URL_PREFIXES):
                    self.found.append(f"{name}={value!r} on <{tag}>")


def executable_parts(output: str) -> list[str]:
    """Every script-capable construct in `output` (empty when safe)."""
    collector = _Collector()
    collector.feed(output)
    collector.close()
    lowered = output.lower()
    for raw in ("<script", "<style", "<iframe"):
        if raw in lowered:
            collector.found.append(f"raw {raw}")
    return collector.found


def test_the_checker_catches_what_it_should() -> None:
    assert executable_parts('<a href="jav&#x09;ascript&#58;alert(1)">x</a>')
    assert executable_parts('<img SRC="JaVaScRiPt:alert(1)">')
    assert executable_parts("<p onClick=alert(1)>x</p>")
    assert executable_parts('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>')
    assert executable_parts("<STYLE>x</STYLE>")
    assert executable_parts("<iframe src=x></iframe>")
    assert executable_parts('<a href="vbscript:msgbox(1)">x</a>')
    assert executable_parts('<a href="javascript&colon;alert(1)">x</a>')
    assert not executable_parts('<a href="javascript&amp;colon;alert(1)">x</a>')
    assert executable_parts("<svg/onload=alert(1)>")
    assert not executable_parts('<p>javascript:alert(1) &lt;script&gt;</p><a href="https://a.th/">x</a>')


FRAGMENTS = [
    "<",
    ">",
    "</",
    "/>",
    '"',
    "'",
    "`",
    "=",
    "&",
    "&#",
    ";",
    ":",
    "&#58;",
    "&colon;",
    "&Tab;",
    "&#x09;",
    "\t",
    "\n",
    "\n\n",
    "\x00",
    " ",
    "javascript",
    "jav",
    "ascript",
    "vbscript",
    "data:text/html,",
    "alert(1)",
    "script",
    "style",
    "iframe",
    "svg",
    "img",
    "a",
    " href=",
    " src=",
    " on",
    "error",
    "load",
    "click",
    "x",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "> ",
    "- ",
    "1. ",
    "    ",
    "```",
    "`",
    "*",
    "**",
    "_",
    "|",
    "|---|",
    "#",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "http://x.th/",
    "บันทึก",
    "การจัดการความรู้ ",
    "ชุมพร",
]
MARKDOWN_WRAPPERS = [
    "{}",
    "> {}",
    "- {}",
    "1. {}",
    "# {}",
    "**{}**",
    "`{}`",
    "```\n{}\n```",
    "| a |\n|---|\n| {} |",
    "[{}](https://example.com)",
    "[x]({})",
    "![x]({})",
    "<div>{}</div>",
    '<a href="{}">x</a>',
    "<img src='{}'>",
    "บันทึก {} ภาษาไทย",
]

piece = st.one_of(st.sampled_from(VECTORS), st.sampled_from(FRAGMENTS), st.text(max_size=8))
soup = st.lists(piece, max_size=25).map("".join)
wrapped = st.tuples(st.sampled_from(MARKDOWN_WRAPPERS), soup).map(lambda pair: pair[0].replace("{}", pair[1]))
documents = st.lists(wrapped, min_size=1, max_size=6).map("\n".join)

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_listed_vector_is_neutralised() -> None:
    for vector in VECTORS:
        for wrapper in MARKDOWN_WRAPPERS:
            source = wrapper.replace("{}", vector)
            assert executable_parts(render_markdown(source)) == [], source


@FUZZ
@given(documents)
def test_markdown_output_never_executes(source: str) -> None:
    assert executable_parts(render_markdown(source)) == []


@settings(max_examples=150, deadline=None)
@given(soup)
def test_comment_output_never_executes(source: str) -> None:
    assert executable_parts(render_comment(source)) == []
