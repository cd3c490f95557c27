"""Independent checks that rendered HTML obeys the sanitiser's contract.

Written from the specification, not from the implementation's constants, so
a mistake in the allow-lists shows up here.  The output is parsed with the
standard-library HTML parser, which reads bleach's well-formed, quoted
serialisation the same way a browser does.
"""

import re
from html.parser import HTMLParser

SPEC_TAGS = frozenset(
    [
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "del",
        "ins",
        "mark",
        "sub",
        "sup",
        "blockquote",
        "code",
        "pre",
        "kbd",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
        "span",
        "div",
        "abbr",
    ]
)
SPEC_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "th": frozenset({"align", "colspan", "rowspan"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_URL_JUNK_RE = re.compile(r"[\x00-\x20\x7f]+")


class _StartTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def start_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in ``html`` with its (entity-decoded) attributes."""
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.tags


def url_problem(tag: str, name: str, value: str) -> str | None:
    """Why a URL attribute value is unsafe, or None."""
    url = _URL_JUNK_RE.sub("", value).lower()
    if url.startswith(BAD_SCHEMES):
        return f"{tag} {name}={value!r} uses a forbidden scheme"
    if tag == "img" and name == "src":
        site_path = url.startswith("/") and not url.startswith("//")
        if not (url.startswith(("http://", "https://")) or site_path):
            return f"img src={value!r} is neither http(s) nor a site path"
    return None


def problems(html: str) -> list[str]:
    """Every way ``html`` breaks the sanitiser contract (empty when safe)."""
    found: list[str] = []
    if "<script" in html.lower():
        found.append("contains <script")
    for tag, attrs in start_tags(html):
        if tag not in SPEC_TAGS:
            found.append(f"tag <{tag}> is not allowed")
        allowed = SPEC_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"event handler {name} on <{tag}>")
            if name == "style":
                found.append(f"style attribute on <{tag}>")
            if name not in allowed:
                found.append(f"attribute {name} not allowed on <{tag}>")
            if name in ("href", "src"):
                problem = url_problem(tag, name, value or "")
                if problem:
                    found.append(problem)
        if tag == "a" and dict(attrs).get("rel") != "nofollow noopener":
            found.append(f"link without rel=nofollow noopener: {attrs!r}")
    return found
