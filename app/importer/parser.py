"""Turn a plain-text/Markdown page, possibly saved from GotoKnow.org, into a structured entry.

Pure functions only: no Flask, no database. The import service maps a `ParsedEntry` onto models.

A page saved from GotoKnow carries "page furniture" around the author's text: a profile header
(name, follow/contact buttons, tagline), the line "บันทึกนี้เขียนที่ GotoKnow โดย … ใน <blog>", a tags
line, a metadata line starting "หมายเลขบันทึก:", a "ความเห็น (N)" heading and reader comments.
Furniture becomes fields; everything else is the body, kept as Markdown.

Every step works line by line with anchored regular expressions or plain string scans, so parsing
stays linear in the size of the input, and `parse_page` never raises.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

BANGKOK = ZoneInfo("Asia/Bangkok")

TITLE_MAX_CHARS = 200
"""A first line longer than this is body text, not a title."""
TITLE_CUT_CHARS = 120
"""Length of the title made from an over-long first line (before the ellipsis)."""
_TITLE_MIN_WORD_CUT = 40
"""Cutting an over-long first line at whitespace earlier than this would leave a stub of a title."""
_PROFILE_HEADER_SCAN = 8
"""The profile header is looked for among this many non-empty lines at the top of the page."""
_COMMENT_NAME_MAX_CHARS = 200
_DATE_SCAN_CHARS = 120
"""Dates are short; parsing only the start of a value keeps hostile inputs cheap."""
_MAX_INT_DIGITS = 18


@dataclass
class ParsedComment:
    """A reader's comment as shown under a GotoKnow entry."""

    author_name: str
    ip_masked: str | None  # as shown on the page, e.g. "xxx.157.44.226"
    written_at: datetime | None  # aware UTC, None if the page shows none
    body: str  # plain text, paragraphs separated by blank lines


@dataclass
class ParsedEntry:
    """One entry parsed from a page; raw values, not yet normalised or matched to models."""

    title: str  # "" when the page holds no text at all; the import service picks a default
    body_markdown: str  # the body with all furniture removed
    tags: list[str]  # raw tag strings as found
    source_number: int | None  # GotoKnow's หมายเลขบันทึก
    written_at: datetime | None  # aware UTC
    edited_at: datetime | None  # aware UTC
    license: str | None  # as printed, e.g. "สงวนสิทธิ์ทุกประการ" or "CC BY-NC-SA"
    blog_name: str | None
    author_name: str | None
    comments: list[ParsedComment]
    declared_comment_count: int | None  # from "ความเห็น (N)"
    has_furniture: bool


def parse_page(text: str) -> ParsedEntry:
    """Parse one page. Never raises: a batch import must survive one odd file.

    The structured parse is linear and fuzz-tested; should it still fail on some input, the whole
    text is returned as the body so nothing the author wrote is lost.
    """
    try:
        return _parse(text)
    except Exception:
        logger.exception("parse_page: structured parse failed; importing the text as the body")
        return _plain_entry(text)


def _plain_entry(text: object) -> ParsedEntry:
    body = text.replace("\r\n", "\n") if isinstance(text, str) else ""
    return ParsedEntry("", body, [], None, None, None, None, None, None, [], None, False)


# --------------------------------------------------------------------------- text clean-up

_SURROGATE = re.compile("[\ud800-\udfff]")
_BULLET_ONLY_LINE = re.compile(r"(?:n\s+)+n?")
_BULLET_PREFIX = re.compile(r"n\s{2,}")


def _prepare_lines(text: str) -> list[str]:
    """Normalise the text (NFC, LF line ends, no NUL) and drop Wingdings bullet artefacts."""
    text = _SURROGATE.sub("\ufffd", text).replace("\x00", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return [_drop_bullet_artefact(line) for line in unicodedata.normalize("NFC", text).split("\n")]


def _drop_bullet_artefact(line: str) -> str:
    """Remove the stray "n" a Wingdings bullet becomes when a page is saved as text.

    The glyph shows up as "n" followed by the spaces that padded the bullet: a line of only such
    glyphs becomes blank, and a leading "n" plus two or more spaces is removed together with the
    rest of that indentation (an ordinary word never starts with a lone "n" and a wide gap).
    """
    if not line.startswith("n"):
        return line
    if _BULLET_ONLY_LINE.fullmatch(line):
        return ""
    match = _BULLET_PREFIX.match(line)
    return line[match.end() :] if match else line


def _squash_spaces(text: str) -> str:
    return " ".join(text.split())


def _to_int(digits: str) -> int | None:
    """An integer from ASCII or Thai digits; None for absurdly long digit runs."""
    return int(digits) if 0 < len(digits) <= _MAX_INT_DIGITS else None


# --------------------------------------------------------------------------- dates

_MONTH_NAMES: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "มกราคม", "มค"),
    ("february", "feb", "กุมภาพันธ์", "กพ"),
    ("march", "mar", "มีนาคม", "มีค"),
    ("april", "apr", "เมษายน", "เมย"),
    ("may", "พฤษภาคม", "พค"),
    ("june", "jun", "มิถุนายน", "มิย"),
    ("july", "jul", "กรกฎาคม", "กค"),
    ("august", "aug", "สิงหาคม", "สค"),
    ("september", "sep", "sept", "กันยายน", "กย"),
    ("october", "oct", "ตุลาคม", "ตค"),
    ("november", "nov", "พฤศจิกายน", "พย"),
    ("december", "dec", "ธันวาคม", "ธค"),
)
"""English and Thai month names, full and abbreviated (Thai abbreviations without their dots)."""
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

_TIME = r"(?:[^\d]{0,12}?(?P<hour>\d{1,2})[:.](?P<minute>\d{2}))?"
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})" + _TIME)
_NAMED_MONTH_DATE = re.compile(r"(?P<day>\d{1,2})\s*(?P<month>[^\s\d]+)\s*(?P<year>\d{4})" + _TIME)
_NUMERIC_DATE = re.compile(r"(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})(?!\d)" + _TIME)
_SIGNATURE_DATE = re.compile(r"บันทึกเมื่อ\s*(?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})(?!\d)")
_BUDDHIST_ERA_FROM = 2400
_BUDDHIST_ERA_OFFSET = 543
_YEAR_RANGE = range(1800, 2301)


def _month_number(name: str) -> int | None:
    key = name.replace(".", "").lower()
    return _MONTHS.get(key) if key else None


def _bangkok_to_utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime | None:
    """A Bangkok wall-clock time as aware UTC; Buddhist-Era years (≥ 2400) are converted."""
    if year >= _BUDDHIST_ERA_FROM:
        year -= _BUDDHIST_ERA_OFFSET
    if year not in _YEAR_RANGE:
        return None
    try:
        return datetime(year, month, day, hour, minute, tzinfo=BANGKOK).astimezone(UTC)
    except ValueError:
        return None


def _parse_datetime(value: str) -> datetime | None:
    """Parse the dates GotoKnow prints ("23 May 2006 @ 15:32", "8/6/2548", Thai month names, ISO).

    Times on the page are Bangkok local time; the result is aware UTC, or None when no valid date
    is found.
    """
    text = value[:_DATE_SCAN_CHARS]
    for pattern in (_ISO_DATE, _NAMED_MONTH_DATE, _NUMERIC_DATE):
        match = pattern.search(text)
        if match is None:
            continue
        month_text = match["month"]
        month = _to_int(month_text) if month_text.isdigit() else _month_number(month_text)
        if month is None:
            continue
        hour = int(match["hour"]) if match["hour"] else 0
        minute = int(match["minute"]) if match["minute"] else 0
        parsed = _bangkok_to_utc(int(match["year"]), month, int(match["day"]), hour, minute)
        if parsed is not None:
            return parsed
    return None


def _signature_date(body: str) -> datetime | None:
    """The last "บันทึกเมื่อ d/m/yyyy" the author signed with, as midnight Bangkok time."""
    found = None
    for match in _SIGNATURE_DATE.finditer(body):
        parsed = _bangkok_to_utc(int(match["year"]), int(match["month"]), int(match["day"]))
        found = parsed or found
    return found


# --------------------------------------------------------------------------- furniture

_GOTOKNOW_LINE = re.compile(r"บันทึกนี้เขียนที่\s*GotoKnow\s*โดย", re.IGNORECASE)
_IN_BLOG = re.compile(r"(?:^|\s)ใน(?=\s|$)")
_COMMENT_COUNT = re.compile(r"ความเห็น\s*\(\s*(\d+)\s*\)")
_COMMENT_COUNT_WORD = "ความเห็น"
_TAGS_LINE = re.compile(r"คำสำคัญ\s*\(\s*tags\s*\)\s*:?", re.IGNORECASE)
_METADATA_LINE = re.compile(r"หมายเลขบันทึก\s*:")
_METADATA_LABEL = re.compile(r"(?:^|,)\s*(หมายเลขบันทึก|เขียน|แก้ไข|สัญญาอนุญาต|ความเห็น|อ่าน)\s*:")
_LEADING_INT = re.compile(r"\s*(\d+)")
_IP_LINE = re.compile(r"IP\s*:\s*(?P<ip>\S*)\s*(?P<rest>.*)")
_MASKED_IP = re.compile(r"[x*]+[.:]", re.IGNORECASE)
_WRITTEN_LINE = re.compile(r"เขียนเมื่อ\s*:?\s*(?P<when>.*)")
_FOLLOW_NAV = re.compile(r"ติดตาม\s*(?:\d+\s*)?ผู้ติดตาม\s*(?:\d+)?")
_CONTACT_BUTTON = "ติดต่อ"
_SETEXT_UNDERLINE = re.compile(r"=+|-+")
_THAI_LEADING_VOWELS = "เแโใไ"


@dataclass
class _Furniture:
    """What the furniture lines of a page say, and which lines they are."""

    lines: set[int] = field(default_factory=set)
    blog_name: str | None = None
    author_name: str | None = None
    tags: list[str] = field(default_factory=list)
    source_number: int | None = None
    written_at: datetime | None = None
    edited_at: datetime | None = None
    license: str | None = None
    declared_comment_count: int | None = None
    metadata_comment_count: int | None = None

    def declare_comments(self, count: int | None) -> None:
        if self.declared_comment_count is None:
            self.declared_comment_count = count


def _scan_furniture(lines: list[str]) -> _Furniture:
    """Classify every furniture line and collect what it says."""
    found = _Furniture()
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped and _read_furniture_line(stripped, found):
            found.lines.add(index)
            if _TAGS_LINE.match(stripped) and not found.tags:
                index = _read_tag_lines(lines, index + 1, found)
                continue
        index += 1
    return found


def _read_furniture_line(stripped: str, found: _Furniture) -> bool:
    """Record one line's furniture in `found`; False when the line is ordinary text."""
    if match := _GOTOKNOW_LINE.match(stripped):
        _read_blog_line(stripped[match.end() :], found)
    elif match := _TAGS_LINE.match(stripped):
        found.tags.extend(_split_tags(stripped[match.end() :]))
    elif _METADATA_LINE.match(stripped):
        _read_metadata(stripped, found)
    elif match := _COMMENT_COUNT.fullmatch(stripped):
        found.declare_comments(_to_int(match[1]))
    else:
        return False
    return True


def _read_blog_line(rest: str, found: _Furniture) -> None:
    """Read "… โดย <author> ใน <blog>", where "ความเห็น (N)" may be glued onto the blog name."""
    position = rest.rfind(_COMMENT_COUNT_WORD)
    if position >= 0 and (count := _COMMENT_COUNT.fullmatch(rest[position:].rstrip())):
        found.declare_comments(_to_int(count[1]))
        rest = rest[:position]
    match = _IN_BLOG.search(rest)
    author, blog = (rest[: match.start()], rest[match.end() :]) if match else (rest, "")
    found.author_name = _squash_spaces(author) or found.author_name
    found.blog_name = _squash_spaces(blog) or found.blog_name


def _split_tags(text: str) -> list[str]:
    """Tags are printed "#a#b" or "#a #b"; without "#" they are taken as a comma-separated list."""
    parts = text.split("#") if "#" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def _read_tag_lines(lines: list[str], index: int, found: _Furniture) -> int:
    """Tags printed on the lines after a bare "คำสำคัญ (Tags)" heading; returns the next line."""
    while index < len(lines):
        stripped = lines[index].strip()
        if stripped.startswith("#") and not stripped.startswith("# "):
            found.tags.extend(_split_tags(stripped))
            found.lines.add(index)
        elif stripped:
            break
        index += 1
    return index


def _read_metadata(line: str, found: _Furniture) -> None:
    """Read "หมายเลขบันทึก: N, เขียน: …, แก้ไข: …, สัญญาอนุญาต: …, ความเห็น: N, อ่าน: …"."""
    labels = list(_METADATA_LABEL.finditer(line))
    ends = [label.start() for label in labels[1:]] + [len(line)]
    for label, end in zip(labels, ends, strict=False):
        value = line[label.end() : end].strip().rstrip(",").strip()
        _apply_metadata(label[1], value, found)


def _apply_metadata(label: str, value: str, found: _Furniture) -> None:
    number = _LEADING_INT.match(value)
    if label == "หมายเลขบันทึก" and number:
        found.source_number = _to_int(number[1])
    elif label == "เขียน":
        found.written_at = _parse_datetime(value)
    elif label == "แก้ไข":
        found.edited_at = _parse_datetime(value)
    elif label == "สัญญาอนุญาต":
        found.license = _squash_spaces(value) or None
    elif label == "ความเห็น" and number:
        found.metadata_comment_count = _to_int(number[1])


def _profile_header_end(lines: list[str]) -> int | None:
    """Index of the last line of a GotoKnow profile header at the top of the page, if any.

    A saved blog page may open with the author's profile card before the entry title:
    display name, the follow/followers buttons ("ติดตาม ผู้ติดตาม"), a contact button ("ติดต่อ")
    and a one-line tagline, all as one block of consecutive lines. The follow/followers line is
    the reliable marker (an entry never starts with a line that is exactly those two button
    labels), so when it appears among the first few non-empty lines, everything up to it is
    dropped, then the contact button if it follows within the block, then one tagline line glued
    to the block. The tagline is only taken when more text follows it, so the title survives.
    """
    seen = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        seen += 1
        if seen > _PROFILE_HEADER_SCAN:
            return None
        if _FOLLOW_NAV.fullmatch(stripped):
            return _skip_contact_and_tagline(lines, index)
    return None


def _skip_contact_and_tagline(lines: list[str], end: int) -> int:
    """From the follow/followers line, the last line of the header block (see above)."""
    for offset in (1, 2):
        candidate = end + offset
        if candidate >= len(lines) or not lines[candidate].strip():
            break
        if lines[candidate].strip() == _CONTACT_BUTTON:
            end = candidate
            break
    tagline = end + 1
    has_more = any(line.strip() for line in lines[tagline + 1 :])
    if tagline < len(lines) and lines[tagline].strip() and has_more:
        end = tagline
    return end


# --------------------------------------------------------------------------- comments


def _comment_starts(lines: list[str], furniture: _Furniture) -> list[int]:
    """Lines that open a comment: a name line directly followed by an "IP:" line.

    After the first furniture line any such pair is a comment; before it only a masked IP
    ("xxx.1.2.3", as GotoKnow prints it) is taken as one, so body text that happens to
    mention an IP address stays in the body.
    """
    first_furniture = min(furniture.lines, default=len(lines))
    starts: list[int] = []
    index = 0
    while index + 1 < len(lines):
        if _opens_comment(lines, index, furniture, after_furniture=index > first_furniture):
            starts.append(index)
            index += 2
        else:
            index += 1
    return starts


def _opens_comment(lines: list[str], index: int, furniture: _Furniture, *, after_furniture: bool) -> bool:
    """Whether `index` is a comment's name line (see `_comment_starts`)."""
    ip_line = _IP_LINE.fullmatch(lines[index + 1].strip())
    if ip_line is None or index in furniture.lines or index + 1 in furniture.lines:
        return False
    name = lines[index].strip()
    if not name or len(name) > _COMMENT_NAME_MAX_CHARS or _IP_LINE.match(name):
        return False
    return after_furniture or bool(_MASKED_IP.match(ip_line["ip"]))


def _parse_comment(lines: list[str], start: int, end: int) -> ParsedComment:
    """One comment block: name, "IP: …", an optional "เขียนเมื่อ …" line, then the text."""
    ip_line = _IP_LINE.fullmatch(lines[start + 1].strip())
    ip = ip_line["ip"] if ip_line else ""
    when = _WRITTEN_LINE.match(ip_line["rest"]) if ip_line else None
    text_start = start + 2
    if text_start < end and (written := _WRITTEN_LINE.match(lines[text_start].strip())):
        when = written
        text_start += 1
    text = [line.strip() for line in lines[text_start:end]]
    return ParsedComment(
        author_name=_squash_spaces(lines[start]),
        ip_masked=ip or None,
        written_at=_parse_datetime(when["when"]) if when else None,
        body="\n".join(_collapse_blank_lines(text)),
    )


# --------------------------------------------------------------------------- tables

_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MARKDOWN_TABLE_SPECIAL = re.compile(r"(\\*)([|`])")


def _is_table_row(line: str) -> bool:
    """A tab after the first visible character marks a worksheet row.

    Tabs that only indent a line (an indented code block in a Markdown file) do not count.
    """
    content = line.lstrip()
    return "\t" in content and bool(content.strip())


def _same_shape(columns: int, header_columns: int) -> bool:
    """Rows belong to one table when their tab-separated column counts are within a factor of 2."""
    return min(columns, header_columns) * 2 >= max(columns, header_columns)


def _table_groups(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """Split the run of worksheet rows starting at `start` into tables; returns them and the end."""
    groups: list[list[str]] = []
    index = start
    while index < len(lines) and _is_table_row(lines[index]):
        row = lines[index]
        if groups and _same_shape(row.count("\t") + 1, groups[-1][0].count("\t") + 1):
            groups[-1].append(row)
        else:
            groups.append([row])
        index += 1
    return groups, index


def _table_cell(text: str) -> str:
    """A cell's text made safe for one Markdown table cell.

    Saved worksheets leak editor HTML (unclosed "<ul …>" fragments) into cells; inside a table
    cell such tags would break the table's HTML, so tags are removed and their text kept. Pipes
    and backticks are escaped so a cell can neither split nor swallow its neighbours.
    """
    text = _squash_spaces(_HTML_TAG.sub(" ", text))
    return _MARKDOWN_TABLE_SPECIAL.sub(lambda m: m[1] * 2 + "\\" + m[2], text)


def _markdown_table(rows: list[str]) -> list[str] | None:
    """A Markdown pipe table from tab-separated rows (first row is the header), or None.

    Trailing empty cells are dropped by some savers, so short rows are padded. A run where no row
    has two filled cells is text that merely ends in tabs, not a table.
    """
    cells = [[_table_cell(cell) for cell in row.split("\t")] for row in rows]
    filled = [[i for i, cell in enumerate(row) if cell] for row in cells]
    if len(rows) < 2 or max(len(indexes) for indexes in filled) < 2:
        return None
    width = max(indexes[-1] + 1 for indexes in filled if indexes)
    padded = [row[:width] + [""] * (width - len(row[:width])) for row in cells]
    rendered = ["| " + " | ".join(row) + " |" for row in padded]
    return [rendered[0], "|" + " --- |" * width, *rendered[1:]]


# --------------------------------------------------------------------------- body


def _collapse_blank_lines(lines: list[str]) -> list[str]:
    """Strip trailing whitespace, keep at most one blank line in a row, trim blank ends."""
    result: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (result and result[-1]):
            result.append(line)
    while result and not result[-1]:
        result.pop()
    return result


def _render_body(lines: list[str]) -> str:
    """Body lines as Markdown: worksheet runs become pipe tables, other lines are kept as written."""
    output: list[str] = []
    index = 0
    while index < len(lines):
        if not _is_table_row(lines[index]):
            output.append(lines[index])
            index += 1
            continue
        groups, index = _table_groups(lines, index)
        for group in groups:
            table = _markdown_table(group)
            output.extend(["", *table, ""] if table else group)
    return "\n".join(_collapse_blank_lines(output))


def _take_title(lines: list[str]) -> tuple[str, list[str]]:
    """The title and the remaining body lines.

    The first non-empty line is the title (a Markdown "#" heading marker or setext underline is
    dropped). A line longer than TITLE_MAX_CHARS is body text: the title is then a shortened copy
    of it and the body keeps the whole line, so no text is lost.
    """
    for index, line in enumerate(lines):
        title = _squash_spaces(line)
        if not title:
            continue
        title = _strip_heading_marker(title)
        if len(title) > TITLE_MAX_CHARS:
            return _shorten_title(title), lines[index:]
        rest = index + 1
        if rest < len(lines) and _SETEXT_UNDERLINE.fullmatch(lines[rest].strip()):
            rest += 1
        return title, lines[rest:]
    return "", []


def _strip_heading_marker(title: str) -> str:
    """ "# Title #" → "Title"; "#tag" (no space) is not a heading and stays."""
    marker = len(title) - len(title.lstrip("#"))
    if not 1 <= marker <= 6 or marker == len(title) or not title[marker].isspace():
        return title
    text = title[marker:].strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1].isspace()):
        text = closed.strip()
    return text or title


def _shorten_title(text: str) -> str:
    """Cut an over-long first line to a title: at the last space before TITLE_CUT_CHARS, else hard.

    Thai is written without spaces between words, so a hard cut is common; it never separates a
    vowel or tone mark from its consonant, nor leaves a leading vowel (เ แ โ ใ ไ) dangling.
    """
    cut = text.rfind(" ", _TITLE_MIN_WORD_CUT, TITLE_CUT_CHARS + 1)
    if cut < 0:
        cut = TITLE_CUT_CHARS
        while cut > 1 and unicodedata.category(text[cut]) in ("Mn", "Mc"):
            cut -= 1
        while cut > 1 and text[cut - 1] in _THAI_LEADING_VOWELS:
            cut -= 1
    return text[:cut].rstrip() + "…"


# --------------------------------------------------------------------------- the whole page


def _parse(text: str) -> ParsedEntry:
    """The structured parse behind `parse_page`; may raise only on a bug (the fuzz tests call it)."""
    lines = _prepare_lines(text)
    furniture = _scan_furniture(lines)
    starts = _comment_starts(lines, furniture)
    # A furniture line becomes a blank line, so the paragraphs it separated stay apart.
    lines = ["" if index in furniture.lines else line for index, line in enumerate(lines)]
    ends = [*starts[1:], len(lines)]
    comments = [_parse_comment(lines, start, end) for start, end in zip(starts, ends, strict=False)]
    body_lines = lines[: starts[0] if starts else len(lines)]
    header_end = _profile_header_end(body_lines)
    if header_end is not None:
        body_lines = body_lines[header_end + 1 :]
    title, body_lines = _take_title(body_lines)
    body = _render_body(body_lines)
    declared = furniture.declared_comment_count
    return ParsedEntry(
        title=title,
        body_markdown=body,
        tags=furniture.tags,
        source_number=furniture.source_number,
        written_at=furniture.written_at or _signature_date(body),
        edited_at=furniture.edited_at,
        license=furniture.license,
        blog_name=furniture.blog_name,
        author_name=furniture.author_name,
        comments=comments,
        declared_comment_count=declared if declared is not None else furniture.metadata_comment_count,
        has_furniture=bool(furniture.lines or comments or header_end is not None),
    )
