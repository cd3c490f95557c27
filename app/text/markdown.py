"""Markdown and comment rendering: HTML is produced and sanitised once, on save.

Pages show the stored HTML as-is, so everything here must turn *any* string
into safe HTML, quickly, without raising:

* entries are Markdown (tables, fenced code, single newline = line break as
  Thai writers expect, raw HTML allowed) rendered by Python-Markdown and then
  cleaned by bleach against fixed allow-lists;
* comments are plain text: escaped, paragraphs and line breaks only, URLs
  linked.

Every link gets ``rel="nofollow noopener"``: user content must not pass
search-engine reputation to spam targets.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
import xml.etree.ElementTree as ET
from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import partial
from html.parser import HTMLParser
from typing import Any

import bleach
from bleach import html5lib_shim
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter
from markdown import Extension, Markdown
from markdown.extensions.fenced_code import FencedBlockPreprocessor, FencedCodeExtension
from markdown.extensions.nl2br import Nl2BrExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension, TableProcessor
from markdown.inlinepatterns import (
    AUTOLINK_RE,
    AUTOMAIL_RE,
    IMAGE_LINK_RE,
    IMAGE_REFERENCE_RE,
    LINK_RE,
    REFERENCE_RE,
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from app.text.normalize import collapse_spaces, normalize_text

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "DROP_CONTENT_TAGS",
    "LINK_REL",
    "MAX_HTML_DEPTH",
    "MAX_MARKUP_CHARS",
    "MAX_NESTING",
    "count_links",
    "excerpt",
    "html_to_text",
    "markdown_to_plain_text",
    "render_comment",
    "render_markdown",
]

AttributeFilter = Callable[[str, str, str], bool]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
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
    }
)

# Elements removed together with everything inside them.  Stripping only the
# tags would leave a <script>'s source or a <style>'s rules on the page as
# text; <svg> and <math> are dropped whole because foreign content is where
# parser-differential (mutation XSS) tricks live and posts have no use for it.
DROP_CONTENT_TAGS: frozenset[str] = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "template",
        "noscript",
        "textarea",
        "title",
        "xmp",
        "noembed",
        "noframes",
        "svg",
        "math",
    }
)

ALLOWED_PROTOCOLS: frozenset[str] = frozenset({"http", "https", "mailto"})

LINK_REL = "nofollow noopener"

# Deepest block nesting (blockquote, list, indentation levels) kept per line.
# Python-Markdown recurses once per level, so unbounded input depth would
# exhaust the stack (10,000 nested list markers raise RecursionError).
MAX_NESTING = 20

_TAB_LENGTH = 4  # Python-Markdown's default; one nesting level of indentation.

# Limits on how far link parsing looks ahead; see ``_BoundedLinkMixin``.
_MAX_LINK_SCAN = 2000
_MAX_LINK_BRACKET_DEPTH = 8
_MAX_LINK_PARENS = 8
_BRACKET_RE = re.compile(r"[\[\]]")

_URL_JUNK_RE = re.compile(r"[\x00-\x20\x7f]+")
_DIMENSION_RE = re.compile(r"\d{1,4}%?")
_SMALL_INT_RE = re.compile(r"\d{1,4}")
_CELL_ALIGNMENTS = frozenset({"left", "right", "center"})


def _is_safe_image_src(value: str) -> bool:
    """Allow absolute http(s) images and same-site paths only.

    ``data:`` images can carry scripts (SVG) and hide content from moderation;
    protocol-relative ``//host`` and the browser-equivalent ``/\\host`` are
    off-site URLs disguised as paths.
    """
    url = _URL_JUNK_RE.sub("", html.unescape(value)).lower()
    if url.startswith(("http://", "https://")):
        return True
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _allow_img_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute filter for <img>; see ``_is_safe_image_src``."""
    if name == "src":
        return _is_safe_image_src(value)
    if name in ("width", "height"):
        return _DIMENSION_RE.fullmatch(value) is not None
    return name in ("alt", "title")


def _allow_cell_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute filter for table cells: Markdown's ``align`` and spans."""
    if name == "align":
        return value in _CELL_ALIGNMENTS
    if name in ("colspan", "rowspan"):
        return _SMALL_INT_RE.fullmatch(value) is not None
    return False


def _allow_ol_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute filter for <ol>: the numeric ``start`` Markdown emits."""
    return name == "start" and _SMALL_INT_RE.fullmatch(value) is not None


ALLOWED_ATTRIBUTES: dict[str, list[str] | AttributeFilter] = {
    "a": ["href", "title"],
    "img": _allow_img_attribute,
    "th": _allow_cell_attribute,
    "td": _allow_cell_attribute,
    "abbr": ["title"],
    "ol": _allow_ol_attribute,
}

# Bare URLs to link: explicit http(s) or "www." only.  Bleach's default also
# links "setup.py" or "readme.md" (.py and .md are country domains), which
# would be wrong in posts about code.  Character data here still has its
# entities (bleach does not decode them), so "&lt;" and friends end a URL.
# The look-behind is ASCII-only because Thai text often abuts a URL.
_URL_RE = re.compile(
    r"""
    (?<![A-Za-z0-9_.@/-])
    (?:https?://|www\.)
    (?=[^\W_])
    (?:[^\s<>"'`{}|\\^&]|&(?!lt;|gt;|quot;))+
    (?<![!?:])
    """,
    re.IGNORECASE | re.VERBOSE,
)

LinkAttrs = dict[Any, str]


def _set_link_rel(attrs: LinkAttrs, new: bool = False) -> LinkAttrs:
    """Linkify callback: every link, written or auto-detected, gets ``LINK_REL``."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _DropContentFilter(Filter):
    """html5lib filter removing ``DROP_CONTENT_TAGS`` elements and their content.

    The cleaner lets these elements through its allow-list so the tree walker
    still delivers them as balanced start/end tokens; this filter then drops
    everything from such a start tag to its matching end tag.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0
        for token in super().__iter__():
            if token.get("name") in DROP_CONTENT_TAGS and token["type"] in (
                "StartTag",
                "EndTag",
                "EmptyTag",
            ):
                if token["type"] == "StartTag":
                    depth += 1
                elif token["type"] == "EndTag":
                    depth = max(depth - 1, 0)
                continue
            if depth == 0:
                yield token


class _LinearTreeWalker(html5lib_shim.getTreeWalker("etree")):  # type: ignore[misc]
    """html5lib's ElementTree walker, finding a node's parent in constant time; same tokens.

    The original finds where the parent sits among its own siblings with
    ``list(grandparent).count`` and ``.index``, so leaving each element costs
    time linear in the number of its parent's siblings: thousands of top-level
    paragraphs, list items or table rows (also ones made by raw HTML inside
    one paragraph) took time quadratic in their number.  This walker keeps
    every ancestor's position on a stack beside html5lib's stack of ancestors.
    """

    def __init__(self, tree: Any) -> None:
        super().__init__(tree)
        self._positions: list[int | None] = []

    def getFirstChild(self, node: Any) -> Any:  # noqa: N802 -- html5lib's names
        child = super().getFirstChild(node)
        if child is not None and child[3] is None:  # went down: node's element joined the ancestors
            self._positions.append(node[1] if isinstance(node, tuple) else None)
        return child

    def getNextSibling(self, node: Any) -> Any:  # noqa: N802
        sibling = super().getNextSibling(node)
        if sibling is not None and node[3] == "text" and sibling[3] is None:  # from text down to a child
            self._positions.append(node[1])
        return sibling

    def getParentNode(self, node: Any) -> Any:  # noqa: N802
        if not isinstance(node, tuple):
            return None
        element, position, parents, flag = node
        if flag == "text":
            return (element, position, parents, None) if parents else element
        parent = parents.pop()
        parent_position = self._positions.pop()
        return (parent, parent_position, parents, None) if parents else parent


def _make_cleaner() -> bleach.Cleaner:
    """The entry sanitiser: allow-lists, content dropping, then link rel/auto-links."""
    linkify = partial(
        LinkifyFilter,
        callbacks=[_set_link_rel],
        skip_tags={"pre", "code"},
        parse_email=False,
        url_re=_URL_RE,
    )
    cleaner = bleach.Cleaner(
        tags=ALLOWED_TAGS | DROP_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_DropContentFilter, linkify],
    )
    cleaner.walker = _LinearTreeWalker
    return cleaner


def _make_linker() -> bleach.Linker:
    """The comment linkifier: same URL rules and rel as entries."""
    linker = bleach.Linker(callbacks=[_set_link_rel], parse_email=False, url_re=_URL_RE)
    linker.walker = _LinearTreeWalker
    return linker


# bleach's Cleaner and Linker keep parser state between calls and are not
# thread-safe, so each thread builds its own on first use.
_local = threading.local()


def _cleaner() -> bleach.Cleaner:
    """This thread's entry cleaner."""
    cleaner: bleach.Cleaner | None = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _make_cleaner()
    return cleaner


def _linker() -> bleach.Linker:
    """This thread's comment linkifier."""
    linker: bleach.Linker | None = getattr(_local, "linker", None)
    if linker is None:
        linker = _local.linker = _make_linker()
    return linker


# A line's block-container prefix: indentation, ">" quote markers and list
# markers (which need a following space).  Tabs are already expanded when the
# preprocessor runs.
_CONTAINER_PREFIX_RE = re.compile(r"(?: |>|[*+-](?= )|\d{1,9}\.(?= ))*")
_CONTAINER_TOKEN_RE = re.compile(r" +|>|[*+-]|\d{1,9}\.")


def _cap_line_nesting(line: str) -> str:
    """Limit one line's container prefix to ``MAX_NESTING`` levels.

    A marker costs one level and four columns of indentation cost one level.
    Beyond the budget, indentation is cut and the first further marker is
    backslash-escaped; that turns the rest of the line into ordinary text,
    so later markers on it no longer nest.
    """
    prefix = _CONTAINER_PREFIX_RE.match(line)
    if prefix is None or prefix.end() <= MAX_NESTING:
        return line
    budget = MAX_NESTING * _TAB_LENGTH
    kept: list[str] = []
    end = 0
    for token in _CONTAINER_TOKEN_RE.finditer(line, 0, prefix.end()):
        text = token.group()
        end = token.end()
        if text[0] == " ":
            room = min(len(text), budget)
            kept.append(" " * max(room, 1))
            budget -= room
        elif budget >= _TAB_LENGTH:
            kept.append(text)
            budget -= _TAB_LENGTH
        else:
            kept.append(text[:-1] + "\\" + text[-1])
            break
    return "".join(kept) + line[end:]


class _NestingCapPreprocessor(Preprocessor):
    """Apply ``_cap_line_nesting`` to the text the block parser will see.

    Registered after the fenced-code and raw-HTML preprocessors, so code
    blocks and HTML blocks (already stashed) keep their exact indentation.
    """

    def run(self, lines: list[str]) -> list[str]:
        return [_cap_line_nesting(line) for line in lines]


class _BoundedLinkMixin(LinkInlineProcessor):
    """Link parsing whose cost is linear in the paragraph length.

    Python-Markdown scans from every "[" to the end of the paragraph looking
    for the closing "]" and then ")", which is quadratic on unbalanced input
    (10,000 "[" took 20 s).  Here the scans stop after ``_MAX_LINK_SCAN``
    characters, ``_MAX_LINK_BRACKET_DEPTH`` nested "[" or ``_MAX_LINK_PARENS``
    "(" -- far beyond any real link -- so every character is examined by a
    bounded number of attempts.  Within those limits links parse exactly as
    in Python-Markdown (Python-Markdown's own scanners still do the work).
    """

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        depth = 1
        for bracket in _BRACKET_RE.finditer(data, index, index + _MAX_LINK_SCAN):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                return data[index : bracket.start()], bracket.end(), True
            if depth > _MAX_LINK_BRACKET_DEPTH:
                break
        return "", index, False

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        limit = min(len(data), index + _MAX_LINK_SCAN)
        # Stop before the first "(" beyond _MAX_LINK_PARENS (data[index] is the link's own).
        paren = index - 1
        for _ in range(_MAX_LINK_PARENS + 1):
            paren = data.find("(", paren + 1, limit)
            if paren < 0:
                break
        else:
            limit = paren
        # The scan can only succeed at a ")", so nothing after the last one matters.
        end = data.rfind(")", index, limit) + 1
        if end <= 0:
            return "", None, index, False
        href, title, consumed, handled = super().getLink(data[index:end], 0)
        # A negative position is a Python-Markdown quirk meaning "almost the
        # end of the paragraph"; inside a window it would duplicate text.
        if not handled or consumed <= 0:
            return "", None, index, False
        return href, title, index + consumed, handled


class _BoundedReferenceMixin(_BoundedLinkMixin, ReferenceInlineProcessor):
    """Bounded look-ahead for the ``[text][id]`` part of reference links."""

    def evalId(self, data: str, index: int, text: str) -> tuple[str | None, int, bool]:
        ref_id, end, handled = super().evalId(data[index : index + _MAX_LINK_SCAN], 0, text)
        return ref_id, index + end, handled


class _BoundedLink(_BoundedLinkMixin):
    """``[text](url)``"""


class _BoundedImage(_BoundedLinkMixin, ImageInlineProcessor):
    """``![alt](src)``"""


class _BoundedReference(_BoundedReferenceMixin):
    """``[text][id]``"""


class _BoundedImageReference(_BoundedReferenceMixin, ImageReferenceInlineProcessor):
    """``![alt][id]``"""


class _BoundedShortReference(_BoundedReferenceMixin, ShortReferenceInlineProcessor):
    """``[id]``"""


class _BoundedShortImageReference(_BoundedReferenceMixin, ShortImageReferenceInlineProcessor):
    """``![id]``"""


# ------------------------------------------------------------ raw HTML in linear time
#
# Python-Markdown finds raw HTML with a copy of html.parser.  For every "<" that
# starts something tag-like but is never completed, that parser scans the whole
# rest of the text before giving up and treating the "<" as text: 10,000
# unterminated "<a" (or "</a", "<?", "<![CDATA[", "<a b=\"") took 7-140 s.
# ``_mark_incomplete_markup`` finds those "<" first, in one pass, and puts
# ``_MARK`` after them so that neither the HTML parser nor the inline patterns
# see markup there; ``_MarkRemover`` deletes the marks from the output, where
# such a "<" was always going to be text.  So a "<" keeps its meaning whenever
# it starts a complete tag, comment, declaration, processing instruction or
# autolink, and becomes text otherwise -- also where Python-Markdown's more
# tolerant parser would have taken some malformed tag (bleach cleans either).

_MARK = "\x01"  # normalize_text removes C0 controls, so text never holds it
_TAG_START_RE = re.compile(r"<[A-Za-z][^\s/<>\"'`=]*")
_ATTRIBUTE_RE = re.compile(
    r"""(?:[ \t\n\r\f]|/(?!>))*
    [^\s/<>"'`=]+
    (?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:(["'])|[^\s<>"'`]+))?""",
    re.VERBOSE,
)
_TAG_END_RE = re.compile(r"[ \t\n\r\f]*/?>")
_END_TAG_RE = re.compile(r"</[A-Za-z][^<>]*>")
_AUTOLINK_RES = (re.compile(AUTOLINK_RE), re.compile(AUTOMAIL_RE))
# Python-Markdown keeps at most this many HTML comments: inside an open inline
# tag it looks for that tag's end after every comment, to the paragraph's end.
MAX_HTML_COMMENTS = 100


class _NextMatch:
    """The first match of ``pattern`` at or after a position, for positions asked in increasing order."""

    def __init__(self, pattern: str, text: str) -> None:
        self._pattern = re.compile(pattern)
        self._text = text
        self._asked = len(text) + 1
        self._found = -1

    def after(self, position: int) -> bool:
        if not (self._asked <= position and (self._found < 0 or self._found >= position)):
            match = self._pattern.search(self._text, position)
            self._asked, self._found = position, match.start() if match else -1
        return self._found >= 0


class _MarkupFinder:
    """Decides, for each "<" of one text, whether it starts complete markup; linear in the text.

    A failed attempt at a start tag stops at the next "<" except inside quoted
    attribute values, whose ends are looked up; the result of scanning on from
    a quoted value's end is remembered, so no stretch of text is read twice.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._quotes = {q: [m.start() for m in re.finditer(q, text)] for q in "\"'"}
        self._after_quote: dict[int, int] = {}
        self._closers = {
            "gt": _NextMatch(">", text),
            "comment": _NextMatch(r"--!?>", text),
            "pi": _NextMatch(r"\?>", text),
            "cdata": _NextMatch(r"\]\s*\]\s*>", text),
        }
        self._comments = 0

    def is_complete(self, i: int) -> bool:
        text = self.text
        following = text[i + 1 : i + 2]
        if following.isascii() and following.isalpha():
            return any(r.match(text, i) for r in _AUTOLINK_RES) or self._start_tag_end(i) > 0
        if following == "/":
            letter = text[i + 2 : i + 3]
            return not (letter.isascii() and letter.isalpha()) or _END_TAG_RE.match(text, i) is not None
        if following == "?":
            return self._closers["pi"].after(i + 2)
        if following != "!":
            return True  # "<" before a space, digit, Thai...: always text, and cheap
        if text.startswith("<!--", i):
            self._comments += 1
            return self._comments <= MAX_HTML_COMMENTS and self._closers["comment"].after(i + 4)
        if text.startswith("<![CDATA[", i):
            return self._closers["cdata"].after(i + 9)
        return self._closers["gt"].after(i + 2)

    def _start_tag_end(self, i: int) -> int:
        """End of the start tag at ``i``, or -1."""
        position = _TAG_START_RE.match(self.text, i).end()
        visited: list[int] = []
        end = -1
        while True:
            if position in self._after_quote:
                end = self._after_quote[position]
                break
            closing = _TAG_END_RE.match(self.text, position)
            if closing:
                end = closing.end()
                break
            attribute = _ATTRIBUTE_RE.match(self.text, position)
            if attribute is None:
                break
            quote = attribute.group(1)
            if not quote:
                position = attribute.end()
                continue
            quotes = self._quotes[quote]
            index = bisect_left(quotes, attribute.end())
            if index == len(quotes):
                break
            position = quotes[index] + 1
            visited.append(position)
        for start in visited:
            self._after_quote[start] = end
        return end


def _mark_incomplete_markup(text: str) -> str:
    """``text`` with ``_MARK`` after every "<" that does not start complete markup."""
    if "<" not in text:
        return text
    finder = _MarkupFinder(text)
    pieces = []
    start = 0
    for position in (m.start() for m in re.finditer("<", text)):
        if not finder.is_complete(position):
            pieces.append(text[start : position + 1])
            pieces.append(_MARK)
            start = position + 1
    pieces.append(text[start:])
    return "".join(pieces)


class _IncompleteMarkupPreprocessor(Preprocessor):
    """Run ``_mark_incomplete_markup`` just before Python-Markdown looks for raw HTML."""

    def run(self, lines: list[str]) -> list[str]:
        return _mark_incomplete_markup("\n".join(lines).replace(_MARK, "")).split("\n")


class _MarkRemover(Postprocessor):
    """Delete the marks of ``_IncompleteMarkupPreprocessor``; the "<" before each is already escaped text."""

    def run(self, text: str) -> str:
        return text.replace(_MARK, "")


# A line that looks like a code fence, and a complete opening line of one
# (FencedBlockPreprocessor.FENCED_BLOCK_RE's opening, kept to one line).
_FENCE_LINE_RE = re.compile(r"^(~{3,}|`{3,})([^\n]*)$", re.MULTILINE)
_FENCE_OPENING_RE = re.compile(
    r"""[ ]*(?:\{[^\n]*\}|(?:\.?[\w#.+-]*[ ]*)?(?:hl_lines=(["'])[^\n]*?\1[ ]*)?)""",
)


def _mark_unclosed_fences(text: str) -> str:
    """``text`` with ``_MARK`` before every fence line that cannot open a fenced block.

    Python-Markdown looks for a closing fence from every opening one to the
    end of the text, so 2,500 unclosed "```x" lines took 22 s.  A line with
    an info string cannot close a block, so when no bare line with the same
    fence follows it (or its info is not valid on its own line) it is plain
    text in any case, and the mark keeps the search from starting there.
    """
    lines = list(_FENCE_LINE_RE.finditer(text))
    if not lines:
        return text
    closings: dict[str, list[int]] = {}
    for line in lines:
        if not line.group(2).strip(" "):
            closings.setdefault(line.group(1), []).append(line.start())
    marks = []
    for line in lines:
        fence, info = line.groups()
        if not info.strip(" "):
            continue
        later = closings.get(fence, [])
        if not _FENCE_OPENING_RE.fullmatch(info) or bisect_left(later, line.end()) == len(later):
            marks.append(line.start())
    if not marks:
        return text
    pieces = []
    start = 0
    for position in marks:
        pieces += [text[start:position], _MARK]
        start = position
    pieces.append(text[start:])
    return "".join(pieces)


class _UnclosedFencePreprocessor(Preprocessor):
    """Run ``_mark_unclosed_fences`` just before fenced code blocks are looked for."""

    def run(self, lines: list[str]) -> list[str]:
        return _mark_unclosed_fences("\n".join(lines).replace(_MARK, "")).split("\n")


class _TableProcessor(TableProcessor):
    """Python-Markdown's table processor, first checking only the line that must be the separator.

    Processors that take a block's first line (a heading) hand the rest back,
    and the original test split and stripped all of that rest again: 5,000
    "# heading" lines took 4-6 s.
    """

    def test(self, parent: ET.Element, block: str) -> bool:
        lines = block.split("\n", 2)
        if len(lines) < 2 or not set(lines[1].strip(" ")) <= set("|:- "):
            return False  # the original needs this second line to be a separator, too
        return bool(super().test(parent, block))


class _SafetyExtension(Extension):
    """Bound the work Python-Markdown does on hostile input."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.preprocessors.register(_NestingCapPreprocessor(md), "sala_nesting_cap", 15)
        # After whitespace normalising (30), before fenced code (25).
        md.preprocessors.register(_UnclosedFencePreprocessor(md), "sala_unclosed_fences", 27)
        # Between fenced code, whose blocks are stashed by then, and raw HTML (20).
        md.preprocessors.register(_IncompleteMarkupPreprocessor(md), "sala_incomplete_markup", 22)
        md.postprocessors.register(_MarkRemover(md), "sala_mark_remover", 0)
        if "table" in md.parser.blockprocessors:
            table = md.parser.blockprocessors["table"]
            md.parser.blockprocessors.register(_TableProcessor(md.parser, table.config), "table", 75)
        # Same names and priorities as Python-Markdown's own processors, which
        # these replace.
        patterns = md.inlinePatterns
        patterns.register(_BoundedReference(REFERENCE_RE, md), "reference", 170)
        patterns.register(_BoundedLink(LINK_RE, md), "link", 160)
        patterns.register(_BoundedImage(IMAGE_LINK_RE, md), "image_link", 150)
        patterns.register(_BoundedImageReference(IMAGE_REFERENCE_RE, md), "image_reference", 140)
        patterns.register(_BoundedShortReference(REFERENCE_RE, md), "short_reference", 130)
        patterns.register(_BoundedShortImageReference(IMAGE_REFERENCE_RE, md), "short_image_ref", 125)


def _markdown_to_html(text: str) -> str:
    """Unsanitised Python-Markdown output; a fresh instance per call (they are stateful)."""
    md = Markdown(
        extensions=[
            TableExtension(use_align_attribute=True),
            FencedCodeExtension(),
            Nl2BrExtension(),
            SaneListExtension(),
            _SafetyExtension(),
        ],
        output_format="html",
    )
    return md.convert(text)


# Deepest element nesting handed to the sanitiser.  html5lib checks element
# scope by walking the stack of open elements, so its cost grows with depth
# times the number of tags: 10,000 nested <div> took 21 s.  Legitimate
# output (nesting capped at MAX_NESTING) stays far below this.
MAX_HTML_DEPTH = 100

_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*>")
_VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# Elements the HTML parser closes implicitly when a sibling starts, so they
# cannot pile up in depth; legacy posts often leave them unclosed.
_OPTIONAL_END_TAG_ELEMENTS = frozenset(
    {
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "rb",
        "rt",
        "rtc",
        "rp",
    }
)


# Tags that do not add depth: void ones and those closed implicitly.
_DEPTHLESS = _VOID_ELEMENTS | _OPTIONAL_END_TAG_ELEMENTS


def _cap_html_depth(html_text: str) -> str:
    """Delete start tags nested deeper than ``MAX_HTML_DEPTH`` and their end tags.

    A fast approximation of the parser's stack, used only to keep the
    sanitiser's work bounded: the sanitiser still sees and cleans whatever
    is left, so a wrong guess can cost formatting but never safety.
    """
    depth = 0
    excess = 0
    pieces: list[str] = []
    position = 0
    for tag in _TAG_RE.finditer(html_text):
        name = tag.group(2).lower()
        if name in _DEPTHLESS or tag.group().endswith("/>"):
            continue
        if tag.group(1):
            if not excess:
                depth = max(depth - 1, 0)
                continue
            excess -= 1
        elif depth < MAX_HTML_DEPTH:
            depth += 1
            continue
        else:
            excess += 1
        pieces.append(html_text[position : tag.start()])
        position = tag.end()
    if not pieces:
        return html_text
    pieces.append(html_text[position:])
    return "".join(pieces)


# What makes formatting cost: markup characters (each can start an element,
# an inline match or an entity) and the links bleach adds.  Python-Markdown
# and bleach spend up to ~80 microseconds per such unit (nested lists are the
# dearest), so a 200 KB body made only of markup ("a\n", "&amp;", "\\."
# repeated) took 5-30 s to render.  Past this many units the text is shown
# escaped instead (see ``render_markdown``), which keeps every body up to the
# 200 KB limit under 0.5 s of CPU; real long posts (Thai prose, lists, a
# 300-row table) use a half or less of it.
MAX_MARKUP_CHARS = 6_000
_MARKUP_CHAR_RE = re.compile(r"[\n&<>*_`\[\]()|!#~\\]")
# Inside code these still cost: each becomes an entity, which bleach's parser
# appends to the code's text one piece at a time.
_ENTITY_CHAR_RE = re.compile(r"[&<>]")
# Where bleach may add a link (a superset of ``_URL_RE``'s matches, found in linear time).
_LINK_START_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
# Python-Markdown parses a line nested n levels deep (lists, code) n times over.
_INDENT_RE = re.compile(r"^[ \t]+", re.MULTILINE)


def _markup_chars(text: str) -> int:
    """The formatting cost of ``text``, see ``MAX_MARKUP_CHARS``; linear in its length.

    Outside fenced code blocks: every markup character, link start and level
    of indentation.  Inside them only the characters that become entities,
    and each block's two fences (every block costs Python-Markdown a copy of
    the text).
    """
    without_code = FencedBlockPreprocessor.FENCED_BLOCK_RE.sub("```\n```", _mark_unclosed_fences(text))
    entities_in_code = len(_ENTITY_CHAR_RE.findall(text)) - len(_ENTITY_CHAR_RE.findall(without_code))
    links = len(_LINK_START_RE.findall(without_code))
    levels = sum(len(m.expandtabs(_TAB_LENGTH)) // _TAB_LENGTH for m in _INDENT_RE.findall(without_code))
    return len(_MARKUP_CHAR_RE.findall(without_code)) + entities_in_code + links + levels


def _render_escaped(text: str) -> str:
    """Plain text as HTML: escaped, <p> per blank-line block, <br> per newline; no parser, so it is fast."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK_RE.split(text.strip()):
        lines = (html.escape(line.strip(), quote=False) for line in block.split("\n"))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def render_markdown(source: str) -> str:
    """Render an entry's Markdown to sanitised HTML for storage; never raises.

    Should Python-Markdown still exhaust the stack on some construct the
    nesting cap does not cover, the text is rendered as a plain comment
    instead, so saving a post never fails.  Text whose formatting would
    cost more than ``MAX_MARKUP_CHARS`` units (``_markup_chars``) is shown
    escaped, unformatted, so that rendering stays well under a second.
    """
    text = normalize_text(source)
    if not text.strip():
        return ""
    if _markup_chars(text) > MAX_MARKUP_CHARS:
        return _render_escaped(text)
    try:
        raw = _markdown_to_html(text)
    except RecursionError:
        return render_comment(text)
    return _cleaner().clean(_cap_html_depth(raw))


_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")


def render_comment(text: str) -> str:
    """Render a plain-text comment: escaped, <p> per blank-line block, <br> per newline, URLs linked."""
    text = normalize_text(text).strip()
    if not text:
        return ""
    paragraphs = []
    for block in _PARAGRAPH_BREAK_RE.split(text):
        lines = (html.escape(line.strip(), quote=False) for line in block.split("\n"))
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return str(_linker().linkify("\n".join(paragraphs)))


def count_links(text: str) -> int:
    """Number of URLs a comment would link, for spam limits."""
    return sum(1 for _ in _URL_RE.finditer(normalize_text(text)))


# Elements whose boundaries separate words in the extracted text.
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)


class _TextExtractor(HTMLParser):
    """Collect text, separating block elements and table cells by spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_CONTENT_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_CONTENT_TAGS:
            self._hidden_depth = max(self._hidden_depth - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def html_to_text(html_text: str) -> str:
    """Visible text of an HTML fragment on one line, entities decoded.

    The result is plain text, not HTML: templates must escape it again.
    """
    parser = _TextExtractor()
    parser.feed(normalize_text(html_text))
    parser.close()
    return collapse_spaces(normalize_text("".join(parser.parts)))


def markdown_to_plain_text(source_or_html: str) -> str:
    """Plain text of an entry for search indexing and meta descriptions.

    Accepts Markdown source or the stored rendered HTML: HTML blocks pass
    through Markdown unchanged, so both give the same text.
    """
    return html_to_text(render_markdown(source_or_html))


# Something that can only be markup: a start or end tag, or a comment.
_HTML_HINT_RE = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^>]*)?/?>|/[A-Za-z][A-Za-z0-9]*\s*>|!--)")
# Thai vowels written before their consonant; a cut must not strand one.
_THAI_LEADING_VOWELS = frozenset("เแโใไ")
_TRAILING_PUNCTUATION = " ,.;:-–—"


def _is_cluster_continuation(ch: str) -> bool:
    """True when ``ch`` belongs to the preceding character (marks, SARA AM)."""
    return unicodedata.category(ch).startswith("M") or ch == "\u0e33"


def looks_like_html(text: str, start: int = 0) -> bool:
    """Whether `text` (from `start`) holds something that can only be markup: a tag or a comment."""
    return _HTML_HINT_RE.search(text, start) is not None


def excerpt(html_or_text: str, length: int = 200) -> str:
    """Plain-text teaser of at most ``length`` characters plus "…" when cut.

    Cuts at the last space when that keeps at least half the text (Thai has
    no spaces between words, only between phrases); otherwise cuts mid-run,
    never splitting a consonant from its vowel or tone marks.
    """
    if looks_like_html(html_or_text):
        text = html_to_text(html_or_text)
    else:
        text = collapse_spaces(normalize_text(html_or_text))
    if len(text) <= length:
        return text
    cut = max(length, 0)
    space = text.rfind(" ", 0, cut + 1)
    if space > length // 2:
        cut = space
    else:
        while cut > 0 and _is_cluster_continuation(text[cut]):
            cut -= 1
        while cut > 0 and text[cut - 1] in _THAI_LEADING_VOWELS:
            cut -= 1
    return text[:cut].rstrip(_TRAILING_PUNCTUATION) + "…"
