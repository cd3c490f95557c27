"""Markdown features, comment rendering, plain text, excerpts and hostile sizes."""

import time

import pytest

from app.text import markdown as text_markdown
from app.text.markdown import (
    MAX_NESTING,
    count_links,
    excerpt,
    html_to_text,
    markdown_to_plain_text,
    render_comment,
    render_markdown,
)
from tests.text.html_checks import problems, start_tags

REL = 'rel="nofollow noopener"'
THAI_WIKI = "https://th.wikipedia.org/wiki/ภาษาไทย"
ESCAPED_URL = "http://example.com/a?b=1&amp;c=2"


def attrs_of(html: str, tag: str) -> list[dict[str, str | None]]:
    return [dict(attrs) for name, attrs in start_tags(html) if name == tag]


# ---------------------------------------------------------------- features


def test_table_with_alignment_attributes() -> None:
    html = render_markdown("| ซ้าย | กลาง | ขวา |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
    assert "<table>" in html
    assert '<th align="left">ซ้าย</th>' in html
    assert '<th align="center">กลาง</th>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html
    assert problems(html) == []


def test_fenced_code_is_kept_and_escaped() -> None:
    html = render_markdown("```python\nif a < b and c > d:\n    print('<b>&</b>')\n```")
    assert "<pre><code>" in html
    assert "if a &lt; b and c &gt; d:\n    print('&lt;b&gt;&amp;&lt;/b&gt;')" in html
    assert "<b>" not in html


def test_fenced_code_keeps_deep_indentation() -> None:
    deep = " " * 200 + "- deep"
    html = render_markdown(f"```\n{deep}\n```")
    assert deep in html


def test_single_newline_is_a_line_break() -> None:
    assert render_markdown("บรรทัดแรก\nบรรทัดสอง") == "<p>บรรทัดแรก<br>\nบรรทัดสอง</p>"


def test_blank_line_separates_paragraphs() -> None:
    assert render_markdown("หนึ่ง\n\nสอง") == "<p>หนึ่ง</p>\n<p>สอง</p>"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[GotoKnow](https://www.gotoknow.org)", "https://www.gotoknow.org"),
        ("[ติดต่อ](mailto:a@example.com)", "mailto:a@example.com"),
        ("[หน้าแรก](/entries/1)", "/entries/1"),
        ('<a href="http://example.com" rel="follow" target="_blank">x</a>', "http://example.com"),
        ("<https://example.com/auto>", "https://example.com/auto"),
    ],
)
def test_links_get_nofollow_noopener(source: str, href: str) -> None:
    html = render_markdown(source)
    links = attrs_of(html, "a")
    assert links == [{"href": href, "rel": "nofollow noopener"}]


def test_link_title_is_kept() -> None:
    html = render_markdown('[x](http://example.com "ชื่อเรื่อง")')
    assert attrs_of(html, "a") == [{"href": "http://example.com", "title": "ชื่อเรื่อง", "rel": "nofollow noopener"}]


@pytest.mark.parametrize(
    ("source", "href", "text"),
    [
        (f"อ่านที่ {THAI_WIKI} ครับ", THAI_WIKI, THAI_WIKI),
        ("see http://example.com/a?b=1&c=2.", "http://example.com/a?b=1&c=2", "http://example.com/a?b=1&c=2"),
        ("(at http://example.com/x)", "http://example.com/x", "http://example.com/x"),
        ("ไปที่ www.gotoknow.org นะ", "http://www.gotoknow.org", "www.gotoknow.org"),
        ("ดูที่https://example.com", "https://example.com", "https://example.com"),
    ],
)
def test_bare_urls_are_linked(source: str, href: str, text: str) -> None:
    html = render_markdown(source)
    links = attrs_of(html, "a")
    assert links == [{"href": href, "rel": "nofollow noopener"}]
    assert f">{text.replace('&', '&amp;')}</a>" in html


@pytest.mark.parametrize(
    "source",
    [
        "`http://example.com`",
        "```\nhttp://example.com\n```",
        "    http://example.com",
        "setup.py and readme.md",
        "mailto:someone@example.com",
        "someone@example.com",
    ],
)
def test_no_auto_link(source: str) -> None:
    assert "<a" not in render_markdown(source)


@pytest.mark.parametrize(
    ("source", "src"),
    [
        ("![ภาพ](https://example.com/a.png)", "https://example.com/a.png"),
        ("![ภาพ](http://example.com/a.png)", "http://example.com/a.png"),
        ("![ภาพ](/uploads/a.png)", "/uploads/a.png"),
        ('<img src="https://example.com/a.png" width="100" height="50%">', "https://example.com/a.png"),
    ],
)
def test_image_sources_kept(source: str, src: str) -> None:
    images = attrs_of(render_markdown(source), "img")
    assert len(images) == 1
    assert images[0]["src"] == src


@pytest.mark.parametrize(
    "source",
    [
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "![x](//evil.example/a.png)",
        '<img src="/\\evil.example/a.png">',
        '<img src="&#x2F;/evil.example/a.png">',
        "![x](ftp://example.com/a.png)",
        "![x](relative/a.png)",
        "![x](javascript:alert(1))",
    ],
)
def test_image_sources_removed(source: str) -> None:
    images = attrs_of(render_markdown(source), "img")
    assert all("src" not in image for image in images)


def test_image_dimension_attributes_are_validated() -> None:
    images = attrs_of(render_markdown('<img src="/a.png" width="100" height="x;1">'), "img")
    assert images == [{"src": "/a.png", "width": "100"}]


@pytest.mark.parametrize(
    "text",
    [
        "ภาษาไทยเป็นภาษาที่สวยงาม ๑๒๓",
        "การจัดการความรู้ (Knowledge Management)",
        "น้ำ ปู่ ก๊ก เกื้อ ฤๅษี",
    ],
)
def test_thai_text_is_preserved_exactly(text: str) -> None:
    assert render_markdown(text) == f"<p>{text}</p>"


def test_thai_text_is_nfc_normalised() -> None:
    assert render_markdown("\u0e1b\u0e48\u0e39") == "<p>\u0e1b\u0e39\u0e48</p>"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# หัวเรื่อง", "<h1>หัวเรื่อง</h1>"),
        ("### หัวข้อย่อย", "<h3>หัวข้อย่อย</h3>"),
        ("หัวเรื่อง\n=====", "<h1>หัวเรื่อง</h1>"),
    ],
)
def test_headings(source: str, expected: str) -> None:
    assert render_markdown(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("**หนา** *เอียง*", "<strong>หนา</strong> <em>เอียง</em>"),
        ("> อ้างอิง", "<blockquote>\n<p>อ้างอิง</p>\n</blockquote>"),
        ("- หนึ่ง\n- สอง", "<ul>\n<li>หนึ่ง</li>\n<li>สอง</li>\n</ul>"),
        ("3. สาม\n4. สี่", '<ol start="3">'),
        ("---", "<hr>"),
        ("<u>ขีด</u> <mark>เน้น</mark> <kbd>Ctrl</kbd>", "<u>ขีด</u> <mark>เน้น</mark> <kbd>Ctrl</kbd>"),
        ('<abbr title="Knowledge Management">KM</abbr>', '<abbr title="Knowledge Management">KM</abbr>'),
        ("H<sub>2</sub>O x<sup>2</sup>", "H<sub>2</sub>O x<sup>2</sup>"),
        ("<del>a</del> <ins>b</ins> <s>c</s>", "<del>a</del> <ins>b</ins> <s>c</s>"),
    ],
)
def test_markup_kept(source: str, fragment: str) -> None:
    html = render_markdown(source)
    assert fragment in html
    assert problems(html) == []


def test_sane_lists_do_not_merge_list_types() -> None:
    html = render_markdown("1. หนึ่ง\n\n- สอง")
    assert "<ol>" in html and "<ul>" in html


@pytest.mark.parametrize("source", ["", "   ", "\n\n", "\u200b", "\x00"])
def test_empty_input(source: str) -> None:
    assert render_markdown(source) == ""


def test_legitimate_nesting_is_untouched() -> None:
    quotes = render_markdown(">>>>> ลึกห้าชั้น")
    assert quotes.count("<blockquote>") == 5
    lists = render_markdown("\n".join(" " * (4 * level) + f"- ระดับ {level}" for level in range(8)))
    assert lists.count("<ul>") == 8


def test_recursion_error_falls_back_to_plain_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(text: str) -> str:
        raise RecursionError

    monkeypatch.setattr(text_markdown, "_markdown_to_html", exhausted)
    html = render_markdown("**a** <script>x</script>\nhttp://example.com")
    assert html == (
        f'<p>**a** &lt;script&gt;x&lt;/script&gt;<br>\n<a href="http://example.com" {REL}>http://example.com</a></p>'
    )


# ------------------------------------------------------- hostile sizes/depth

N = 10_000


@pytest.mark.parametrize(
    ("source", "container"),
    [
        (">" * N + " ลึก", "<blockquote>"),
        ("> " * N + "ลึก", "<blockquote>"),
        ("\n".join(">" * depth + " ลึก" for depth in range(1, 200)), "<blockquote>"),
        ("- " * N + "ลึก", "<ul>"),
        ("* " * N + "ลึก", "<ul>"),
        ("1. " * N + "ลึก", "<ol>"),
        ("> - 1. " * N + "ลึก", "<blockquote>"),
        ("\n".join(" " * (4 * depth) + "- ลึก" for depth in range(500)), "<ul>"),
        ("\n".join(" " * (2 * depth) + "1. ลึก" for depth in range(500)), "<ol>"),
        ("\t" * N + "- ลึก", "<ul>"),
    ],
    ids=[
        "quotes-one-line",
        "quotes-spaced",
        "quotes-per-line",
        "list-markers-one-line",
        "star-markers-one-line",
        "ordered-markers-one-line",
        "mixed-containers",
        "list-by-indentation",
        "ordered-by-indentation",
        "tabs",
    ],
)
def test_deep_nesting_is_capped_and_fast(source: str, container: str) -> None:
    started = time.perf_counter()
    html = render_markdown(source)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert html.count(container) <= MAX_NESTING
    assert "ลึก" in html
    assert len(html) <= 10 * len(source) + 1000
    assert problems(html) == []


@pytest.mark.parametrize(
    "source",
    [
        "[" * N + "x" + "]" * N,
        "[" * N,
        "[a](" * N,
        '[]("' * N,
        "![a](" * N,
        "[a][" * N,
        "[" * 2000 + "x" + "](http://a.com)" * 2000,
        "<div>" * N + "x",
        "<blockquote>" * N,
        "<b>x" * N,
        '<a href="http://a.com">' * N,
        "**" * N + "x" + "**" * N,
        "<" * N,
    ],
    ids=[
        "balanced-brackets",
        "open-brackets",
        "unclosed-links",
        "unclosed-titles",
        "unclosed-images",
        "unclosed-references",
        "nested-links",
        "nested-divs",
        "nested-html-quotes",
        "unclosed-bold",
        "nested-anchors",
        "nested-emphasis",
        "angle-brackets",
    ],
)
def test_pathological_inline_input_is_fast(source: str) -> None:
    started = time.perf_counter()
    html = render_markdown(source)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0
    assert len(html) <= 10 * len(source) + 1000
    assert problems(html) == []


# ---------------------------------------------------------------- comments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("สวัสดีครับ", "<p>สวัสดีครับ</p>"),
        ("บรรทัด 1\nบรรทัด 2", "<p>บรรทัด 1<br>\nบรรทัด 2</p>"),
        ("ย่อหน้า 1\n\n\n  \nย่อหน้า 2", "<p>ย่อหน้า 1</p>\n<p>ย่อหน้า 2</p>"),
        ("a\r\nb", "<p>a<br>\nb</p>"),
        ("<b>ไม่หนา</b> & <script>", "<p>&lt;b&gt;ไม่หนา&lt;/b&gt; &amp; &lt;script&gt;</p>"),
        ("**ไม่ใช่ markdown** _x_ # h", "<p>**ไม่ใช่ markdown** _x_ # h</p>"),
        ("\"quoted\" 'single'", "<p>\"quoted\" 'single'</p>"),
        ("", ""),
        ("  \n\n ", ""),
    ],
)
def test_render_comment(text: str, expected: str) -> None:
    assert render_comment(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ดู http://example.com/a?b=1&c=2 ครับ",
            f'<p>ดู <a href="{ESCAPED_URL}" {REL}>{ESCAPED_URL}</a> ครับ</p>',
        ),
        (
            "ไปที่ www.gotoknow.org!",
            f'<p>ไปที่ <a href="http://www.gotoknow.org" {REL}>www.gotoknow.org</a>!</p>',
        ),
        (
            "(see 'https://example.com').",
            f"<p>(see '<a href=\"https://example.com\" {REL}>https://example.com</a>').</p>",
        ),
    ],
)
def test_render_comment_links(text: str, expected: str) -> None:
    assert render_comment(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "data:text/html,<script>alert(1)</script>",
        "example.com",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_render_comment_has_no_markup_but_p_br_a(text: str) -> None:
    html = render_comment(text)
    assert {tag for tag, _ in start_tags(html)} <= {"p", "br"}
    assert problems(html) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ไม่มีลิงก์", 0),
        ("http://a.com", 1),
        ("a http://x.com b www.y.com c https://z.org/ภาษาไทย", 3),
        ("http://a.com http://a.com", 2),
        ("example.com setup.py", 0),
        ("javascript:alert(1)", 0),
    ],
)
def test_count_links(text: str, expected: int) -> None:
    assert count_links(text) == expected


def test_count_links_agrees_with_render_comment() -> None:
    text = "a http://x.com b www.y.com\n\nc https://z.org/ไทย d (http://w.org)"
    assert render_comment(text).count("<a ") == count_links(text) == 4


# ----------------------------------------------------- plain text, excerpts

PLAIN_TEXT_CASES = [
    ("# หัวข้อ\n\nเนื้อหา **ตัวหนา** [ลิงก์](http://x.com)", "หัวข้อ เนื้อหา ตัวหนา ลิงก์"),
    ("| ก | ข |\n|---|---|\n| ค | ง |", "ก ข ค ง"),
    ("ภาษา**ไทย**", "ภาษาไทย"),
    ("AT&T &lt;tag&gt; &amp;", "AT&T <tag> &"),
    ("- หนึ่ง\n- สอง", "หนึ่ง สอง"),
    ("บรรทัด\nใหม่", "บรรทัด ใหม่"),
    ("<script>x()</script>เหลือ", "เหลือ"),
    ("```\ncode  block\n```", "code block"),
    ("", ""),
]


@pytest.mark.parametrize(("source", "expected"), PLAIN_TEXT_CASES)
def test_markdown_to_plain_text(source: str, expected: str) -> None:
    assert markdown_to_plain_text(source) == expected


@pytest.mark.parametrize(("source", "expected"), PLAIN_TEXT_CASES)
def test_markdown_to_plain_text_accepts_rendered_html(source: str, expected: str) -> None:
    assert markdown_to_plain_text(render_markdown(source)) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>a</p><p>b</p>", "a b"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
        ("<p>x<br>y</p>", "x y"),
        ("<style>p{}</style><p>t</p>", "t"),
        ("a&nbsp;&nbsp;b", "a b"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("สั้น", 200, "สั้น"),
        ("one two three four five", 100, "one two three four five"),
        ("one two three four five", 12, "one two…"),
        ("one two three, four five", 15, "one two three…"),
        ("ก" * 300, 10, "ก" * 10 + "…"),
        ("<p>a &amp; b</p><p>c</p>", 200, "a & b c"),
        ("<p>" + "คำ " * 100 + "</p>", 20, ("คำ " * 7).strip() + "…"),
    ],
)
def test_excerpt(text: str, length: int, expected: str) -> None:
    assert excerpt(text, length) == expected


def test_excerpt_default_length() -> None:
    result = excerpt("word " * 100)
    assert result.endswith("…")
    assert len(result) <= 201


def test_excerpt_does_not_split_thai_clusters() -> None:
    text = "ปู่" * 100
    for length in range(1, 20):
        result = excerpt(text, length)
        body = result.removesuffix("…")
        assert len(body) <= length
        assert len(body) % 3 == 0, (length, result)


def test_excerpt_does_not_strand_a_leading_vowel() -> None:
    assert excerpt("ก" * 9 + "เก" * 10, 10) == "ก" * 9 + "…"


def test_excerpt_treats_angle_brackets_in_plain_text_as_text() -> None:
    assert excerpt("1 < 2 and 3 > 2") == "1 < 2 and 3 > 2"
