"""The /search page, the header search box and the related entries on an entry page, through HTTP."""

from __future__ import annotations

import html
import re

import pytest

from tests.api.corpus import build_corpus
from tests.conftest import built_once
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def corpus(request, app):
    """Built once for the module and restored for each test (tests/conftest.py, `built_once`)."""
    return built_once(request, app, build_corpus)


def page_text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, whitespace collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", body)).split())


def result_numbers(response) -> list[int]:
    """Entry numbers of the results, in the order shown."""
    hits = re.findall(
        r'<li class="entry-card search-hit">\s*<h3[^>]*><a href="/posts/(\d+)"', response.get_data(as_text=True)
    )
    return [int(number) for number in hits]


def found(client, **params) -> list[int]:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200, page_text(response)
    return result_numbers(response)


# --- finding -------------------------------------------------------------------------------------------------


def test_a_thai_word_inside_unspaced_text_is_found(client, corpus):
    assert found(client, q="แลกเปลี่ยนเรียนรู้") == [corpus.chumphon.number]
    assert found(client, q="ชุมพร") == [corpus.chumphon.number]


def test_drafts_are_never_found(client, corpus):
    assert corpus.draft.number not in found(client, q="กาฬสินธุ์")
    assert corpus.draft.number not in found(client, q="ร่าง")


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"KM Action Plan"', ["kalasin_rich"]),
        ("KM Action Plan", ["kalasin_rich", "kalasin_passing"]),
        ('"ทีมงานไปประชุม"', ["chumphon"]),
        ('"ทีมงาน ไปประชุม"', ["chumphon"]),
        ("ทีมงาน ประชุม", ["chumphon", "kalasin_passing"]),
    ],
)
def test_quoted_phrases_match_words_side_by_side(client, corpus, q, expected):
    assert sorted(found(client, q=q)) == sorted(getattr(corpus, name).number for name in expected)


def test_relevance_is_the_default_order_and_newest_first_is_an_option(client, corpus):
    rich, passing = corpus.kalasin_rich.number, corpus.kalasin_passing.number
    assert found(client, q="กาฬสินธุ์") == [rich, passing]
    assert found(client, q="กาฬสินธุ์", sort="relevance") == [rich, passing]
    assert found(client, q="กาฬสินธุ์", sort="newest") == [passing, rich]


def test_the_sort_choice_is_kept_in_the_form(client, corpus):
    body = client.get("/search", query_string={"q": "กาฬสินธุ์", "sort": "newest"}).get_data(as_text=True)
    assert '<option selected value="newest">' in body


# --- filters ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "KM"}, ["chumphon"]),
        ({"tag": "#km"}, ["chumphon"]),
        ({"station": "chumphon-km-station"}, ["kalasin_passing", "chumphon"]),
        ({"blog": "FIELD-NOTES"}, ["kalasin_rich"]),
        ({"author": "Malee"}, ["kalasin_rich"]),
        ({"author": "somchai"}, ["kalasin_passing", "chumphon"]),
        ({"q": "กาฬสินธุ์", "blog": "km-notes"}, ["kalasin_passing"]),
        ({"q": "กาฬสินธุ์", "station": "Chumphon-KM-Station"}, ["kalasin_passing"]),
        ({"q": "กาฬสินธุ์", "tag": "KM"}, []),
        ({"from": "2007-01-01"}, ["kalasin_passing", "kalasin_rich"]),
        ({"to": "2007-03-01"}, ["kalasin_rich", "chumphon"]),
        ({"from": "2007-03-01", "to": "2007-03-01"}, ["kalasin_rich"]),
        ({"from": "2550-01-01"}, ["kalasin_passing", "kalasin_rich"]),
        ({"to": "2549-12-31"}, ["chumphon"]),
        ({"from": "๒๕๕๐-๐๑-๐๑", "to": "2555-12-31"}, ["kalasin_passing", "kalasin_rich"]),
    ],
)
def test_each_filter_narrows_the_results(client, corpus, params, expected):
    """Without words the filtered entries are listed newest first."""
    assert found(client, **params) == [getattr(corpus, name).number for name in expected]


def test_the_filter_section_opens_when_a_filter_is_set(client, corpus):
    closed = client.get("/search", query_string={"q": "ชุมพร"}).get_data(as_text=True)
    assert '<details class="search-filters">' in closed
    assert "<summary>ตัวกรอง</summary>" in closed
    opened = client.get("/search", query_string={"q": "ชุมพร", "tag": "km"}).get_data(as_text=True)
    assert '<details class="search-filters" open>' in opened


def test_a_buddhist_era_date_is_shown_back_as_the_date_it_means(client, corpus):
    body = client.get("/search", query_string={"from": "2550-01-01"}).get_data(as_text=True)
    assert 'name="from" type="date" value="2007-01-01"' in body


# --- what a result shows ------------------------------------------------------------------------------------------


def test_a_result_shows_title_blog_author_thai_date_tags_and_a_highlighted_snippet(client, corpus):
    response = client.get("/search", query_string={"q": "ชุมพร"})
    body = response.get_data(as_text=True)
    hit = re.search(r'<li class="entry-card search-hit">.*?</li>\s*</ol>', body, flags=re.S).group()
    assert f'<a href="/posts/{corpus.chumphon.number}">ประชุมที่ศาลากลาง</a>' in hit
    assert '<a href="/b/km-notes">สมุดบันทึกของสมชาย</a>' in hit
    assert '<a href="/u/somchai">สมชาย ใจดี</a>' in hit
    assert "23 พ.ค. 2549" in hit
    assert 'href="/tags/km">#km</a>' in hit
    snippet = re.search(r'<p class="snippet">(.*?)</p>', hit, flags=re.S).group(1)
    assert "ชุมพร" in "".join(re.findall(r"<mark>(.*?)</mark>", snippet))
    assert "ศาลากลางจังหวัด" in re.sub(r"</?mark>", "", snippet)


def test_the_result_count_and_the_page_title_name_the_query(client, corpus):
    response = client.get("/search", query_string={"q": "กาฬสินธุ์"})
    assert "พบ 2 บันทึก" in page_text(response)
    assert "<title>ค้นหา “กาฬสินธุ์” · ศาลา</title>" in response.get_data(as_text=True)


def test_results_are_paginated_with_numbered_pages_that_keep_the_query(app, client, corpus):
    app.config["ENTRIES_PER_PAGE"] = 2
    params = {"from": "2000-01-01", "sort": "newest"}
    first = client.get("/search", query_string=params)
    assert result_numbers(first) == [corpus.kalasin_passing.number, corpus.kalasin_rich.number]
    assert "พบ 3 บันทึก · หน้า 1 จาก 2" in page_text(first)
    body = first.get_data(as_text=True)
    assert re.search(r'<a href="/search\?[^"]*page=2[^"]*">2</a>', body)
    next_link = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', body).group(1))
    assert "from=2000-01-01" in next_link and "sort=newest" in next_link
    second = client.get(next_link)
    assert result_numbers(second) == [corpus.chumphon.number]
    assert "หน้า 2 จาก 2" in page_text(second)
    assert '<ol class="search-hits" start="3">' in second.get_data(as_text=True)


def test_a_page_past_the_last_is_not_found(client, corpus):
    response = client.get("/search", query_string={"q": "กาฬสินธุ์", "page": "9"})
    assert response.status_code == 404
    assert "หน้านี้ไม่มีผลการค้นหา" in page_text(response)


def test_nothing_found_suggests_what_to_try(client, corpus):
    response = client.get("/search", query_string={"q": "xyzzy"})
    assert response.status_code == 200
    text = page_text(response)
    assert "ไม่พบบันทึกที่ตรงกับการค้นหานี้" in text
    assert "ใช้คำให้น้อยลง" in text and "ตรวจการสะกด" in text
    body = response.get_data(as_text=True)
    assert '<a href="/tags">ดูคำสำคัญทั้งหมด</a>' in body
    assert 'href="/tags/km">#km</a>' in body  # a popular tag
    assert "พบ 0 บันทึก" not in text


def test_nothing_found_with_filters_offers_a_search_without_them(client, corpus):
    body = client.get("/search", query_string={"q": "ชุมพร", "blog": "field-notes"}).get_data(as_text=True)
    assert "ค้นอีกครั้งโดยไม่ใช้ตัวกรอง" in body


def test_the_empty_page_invites_a_search(client, corpus):
    response = client.get("/search")
    assert response.status_code == 200
    assert "พิมพ์คำที่ต้องการในช่องค้นหา" in page_text(response)
    assert result_numbers(response) == []
    assert "<title>ค้นหาบันทึก · ศาลา</title>" in response.get_data(as_text=True)


def test_the_form_is_labelled_and_uses_get(client, corpus):
    body = client.get("/search").get_data(as_text=True)
    assert '<form class="search-form" role="search" method="get" action="/search">' in body
    for name, label in [
        ("q", "คำค้น"),
        ("tag", "คำสำคัญ"),
        ("station", "ชุมชน"),
        ("blog", "บล็อก"),
        ("author", "ผู้เขียน"),
        ("from", "ตั้งแต่วันที่"),
        ("to", "ถึงวันที่"),
        ("sort", "เรียงตาม"),
    ]:
        assert re.search(rf'<label for="{name}">{label}', body), name
        assert f'name="{name}"' in body
    assert 'name="csrf_token"' not in body.split('class="search-form"')[1].split("</form>")[0]


# --- odd input never breaks the page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        '"ชุมพร',
        'ชุมพร"',
        "(ชุมพร",
        "ชุมพร)",
        "[ชุมพร",
        "{ชุมพร",
        "AND",
        "ชุมพร AND",
        "OR NOT",
        "NOT",
        "*",
        "?",
        "~",
        "^2",
        "title:",
        "tags:(",
        "\\",
        "ชุมพร\x00กาฬสินธุ์",
        "\u200bชุมพร\u200b",
        "🙂",
        "ก" * 2000,
        "KM " * 666 + "KM",
    ],
)
def test_odd_query_syntax_gives_results_or_a_message_never_an_error(client, corpus, q):
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert "<h1>ค้นหาบันทึก</h1>" in response.get_data(as_text=True)


def test_a_query_over_two_thousand_characters_is_cut_and_a_note_says_so(client, corpus):
    response = client.get("/search", query_string={"q": "ชุมพร " + "ก" * 2100})
    assert response.status_code == 200
    assert "ยาวเกิน" in page_text(response)  # the search says how much of it was used
    value = re.search(
        r'id="q" maxlength="2000" name="q" type="search" value="([^"]*)"', response.get_data(as_text=True)
    ).group(1)
    assert len(value) == 2000


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "ชุมพร", "from": "abc"}, "วันที่ไม่ถูกต้อง"),
        ({"q": "ชุมพร", "from": "2006-13-01"}, "วันที่ไม่ถูกต้อง"),
        ({"q": "ชุมพร", "to": "2006-02-30"}, "วันที่ไม่ถูกต้อง"),
        ({"q": "ชุมพร", "to": "23/05/2549"}, "วันที่ไม่ถูกต้อง"),
        ({"from": "2007-01-01", "to": "2006-01-01"}, "วันที่สิ้นสุดต้องไม่อยู่ก่อนวันที่เริ่มต้น"),
        ({"q": "ชุมพร", "page": "abc"}, "เลขหน้าต้องเป็นจำนวนเต็ม"),
        ({"q": "ชุมพร", "page": "0"}, "เลขหน้าต้องเป็นจำนวนเต็ม"),
        ({"q": "ชุมพร", "page": "-1"}, "เลขหน้าต้องเป็นจำนวนเต็ม"),
        ({"q": "ชุมพร", "page": "1.5"}, "เลขหน้าต้องเป็นจำนวนเต็ม"),
        ({"q": "ชุมพร", "page": "9" * 30}, "เลขหน้าต้องเป็นจำนวนเต็ม"),
        ({"q": "ชุมพร", "sort": "foo"}, "การเรียงลำดับต้องเป็น relevance หรือ newest"),
        ({"q": "ชุมพร", "tag": "ก" * 101}, "คำสำคัญยาวได้ไม่เกิน 100 ตัวอักษร"),
    ],
)
def test_invalid_parameters_show_a_thai_message_with_status_400(client, corpus, params, message):
    response = client.get("/search", query_string=params)
    assert response.status_code == 400
    text = page_text(response)
    assert "ค้นหาไม่ได้ กรุณาแก้ไขสิ่งต่อไปนี้แล้วลองอีกครั้ง" in text
    assert message in text
    assert result_numbers(response) == []


def test_a_date_error_is_shown_beside_its_field(client, corpus):
    body = client.get("/search", query_string={"from": "abc"}).get_data(as_text=True)
    assert '<ul class="errors" id="from-err">' in body
    assert '<details class="search-filters" open>' in body


# --- the header box and related entries ---------------------------------------------------------------------------


def test_every_page_has_a_labelled_search_box_in_the_header(client, corpus):
    body = client.get("/").get_data(as_text=True)
    header = body.split('<header class="site-header">')[1].split("</header>")[0]
    assert '<form class="site-search" role="search" method="get" action="/search">' in header
    assert '<label class="visually-hidden" for="site-search-q">ค้นหาบันทึก</label>' in header
    assert '<input type="search" id="site-search-q" name="q" maxlength="2000"' in header


def test_the_search_page_does_not_repeat_the_box_in_its_header(client, corpus):
    body = client.get("/search").get_data(as_text=True)
    assert 'class="site-search"' not in body


def related_block(client, entry) -> str | None:
    body = client.get(f"/posts/{entry.number}").get_data(as_text=True)
    match = re.search(r'<section class="related-entries".*?</section>', body, flags=re.S)
    return match.group() if match else None


def test_an_entry_page_lists_related_entries_but_never_itself(client, corpus):
    similar = make_entry(
        corpus.km_notes,
        title="ประชุมที่ศาลากลางอีกครั้ง",
        body="ทีมงานกลับไปประชุมที่ศาลากลางจังหวัดชุมพร แลกเปลี่ยนเรียนรู้กับคุณอำนวยเช่นเคย",
        tags="KM, ชุมพร",
    )
    block = related_block(client, corpus.chumphon)
    assert block is not None
    assert "บันทึกที่เกี่ยวข้อง" in block
    assert f'href="/posts/{similar.number}"' in block
    assert f'href="/posts/{corpus.chumphon.number}"' not in block
    assert len(re.findall(r'href="/posts/\d+"', block)) <= 5


def test_related_entries_are_at_most_five(client, corpus):
    for n in range(7):
        make_entry(
            corpus.km_notes, title=f"ประชุมที่ศาลากลาง ครั้งที่ {n}", body="ทีมงานไปประชุมที่ศาลากลางจังหวัดชุมพร", tags="KM, ชุมพร"
        )
    block = related_block(client, corpus.chumphon)
    assert len(re.findall(r'href="/posts/\d+"', block)) == 5


def test_the_related_block_is_hidden_when_there_is_nothing_related(app, client):
    owner = make_user("lonely")
    entry = make_entry(make_blog(owner, "alone"), title="บันทึกเดียว", body="ไม่มีใครเขียนเรื่องเดียวกัน")
    assert related_block(client, entry) is None
    assert "บันทึกที่เกี่ยวข้อง" not in client.get(f"/posts/{entry.number}").get_data(as_text=True)
