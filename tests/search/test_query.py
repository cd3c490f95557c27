"""search() and related entries (ranked by the backend, stored by app/entries/related.py): ranking, sorting,
paging, filters, snippets, and odd syntax that never raises."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.entries.related import related_to
from app.entries.services import delete_entry
from app.extensions import db
from app.search import snippets
from app.search.query import QueryError, SearchFilters, search
from app.search.snippets import snippet
from app.text.markdown import excerpt
from tests.factories import make_blog, make_entry, make_user
from tests.search.helpers import found, ranked


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai", display_name="สมชาย ใจดี"), "orchard", title="บันทึกชาวสวน")


@pytest.fixture
def durian(blog):
    """Three entries about durian: in the title (oldest), in the body once (newest), in the body twice."""
    titled = make_entry(blog, title="ทุเรียนหมอนทอง", body="ปีนี้ออกผลดี", published_at=at(2006, 5, 23))
    passing = make_entry(blog, title="งานเกษตรแฟร์", body="มีแผงขายทุเรียนด้วย", published_at=at(2012, 8, 15))
    body = make_entry(blog, title="เก็บผลผลิต", body="ตัดทุเรียนตอนแก่จัด ทุเรียนจะหอม", published_at=at(2008, 1, 10))
    return titled, passing, body


def test_a_word_in_the_title_ranks_first_and_newest_sorts_by_date(durian):
    titled, passing, body = durian
    assert ranked("ทุเรียน")[0] == titled.number
    assert ranked("ทุเรียน", sort="newest") == [passing.number, body.number, titled.number]


def test_pages_split_the_results_and_count_them(durian):
    everything = ranked("ทุเรียน")
    pages = [search("ทุเรียน", page=n, per_page=2) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [3, 3, 3]
    assert [p.pages for p in pages] == [2, 2, 2]
    assert [hit.entry.number for p in pages for hit in p.hits] == everything
    assert pages[2].hits == []


def test_all_words_must_match(durian):
    titled, passing, body = durian
    assert found("ทุเรียน แผง") == {passing.number}
    assert found("ทุเรียน OR ผลดี") == {titled.number, passing.number, body.number}
    assert found("ทุเรียน NOT แผง") == {titled.number, body.number}


def test_an_empty_query_lists_filtered_entries_newest_first(durian):
    titled, passing, body = durian
    page = search("", SearchFilters(blog="ORCHARD"))
    assert [hit.entry.number for hit in page.hits] == [passing.number, body.number, titled.number]
    assert search("").total == 0 and search("   ").hits == []


def test_date_filters_use_the_bangkok_calendar_day(blog):
    # 17:30 UTC on 23 May is 00:30 on 24 May in Bangkok.
    late = make_entry(blog, title="ลำไยต้นฤดู", body="ลำไย", published_at=datetime(2006, 5, 23, 17, 30, tzinfo=UTC))
    assert found("ลำไย", date_from=date(2006, 5, 24)) == {late.number}
    assert found("ลำไย", date_to=date(2006, 5, 23)) == set()
    assert found("ลำไย", date_from=date(2006, 5, 24), date_to=date(2006, 5, 24)) == {late.number}


def test_filters_by_author_ignore_case(durian):
    assert found("", author="SOMCHAI") == {e.number for e in durian}
    assert found("", author="nobody") == set()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sort": "oldest"}, "ไม่รู้จักวิธีเรียง"),
        ({"page": 0}, "เลขหน้า"),
        ({"per_page": 0}, "จำนวนผลลัพธ์ต่อหน้า"),
        ({"per_page": 101}, "จำนวนผลลัพธ์ต่อหน้า"),
        ({"filters": SearchFilters(date_from=date(2007, 1, 1), date_to=date(2006, 1, 1))}, "วันที่เริ่มต้น"),
    ],
)
def test_bad_parameters_raise_a_query_error_with_a_thai_message(app, kwargs, message):
    kwargs = dict(kwargs)  # the parameter is shared by the runs on each backend
    filters = kwargs.pop("filters", None)
    with pytest.raises(QueryError) as error:
        search("ทุเรียน", filters, **kwargs)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "q",
    [
        '"ทุเรียน',
        'ทุเรียน"',
        "(ทุเรียน",
        "ทุเรียน)",
        ")(",
        "[ทุเรียน",
        "{",
        "AND",
        "ทุเรียน AND",
        "OR ทุเรียน",
        "ทุเรียน AND AND ผลดี",
        "NOT",
        "*",
        "ทุเ*",
        "?",
        "title:ทุเรียน",
        "ทุเรียน^3",
        "[a TO z]",
        "ทุเรียน" * 300,
        "ก" * 2000,
        "ทุเรียน\x00",
        "\x00\x01\x02\x1f",
        "\u200b\u00ad",
        '"',
        '""',
        "()",
        "-",
        "\\",
        "'",
        "ทุเรียน'",
        "😀",
    ],
)
def test_odd_syntax_never_raises(durian, q):
    page = search(q)
    assert page.total >= len(page.hits)
    assert page.query == q


@pytest.mark.parametrize("q", ['"ทุเรียน', "(ทุเรียน", "ทุเรียน AND", "ทุเรียน)"])
def test_unbalanced_syntax_falls_back_to_the_plain_words_with_a_note(durian, q):
    page = search(q)
    assert {hit.entry.number for hit in page.hits} == {e.number for e in durian}
    assert page.message


@pytest.mark.parametrize("q", ["*", "AND", "\x00", '""'])
def test_nothing_searchable_gives_no_results_and_a_note(durian, q):
    page = search(q)
    assert page.total == 0 and page.hits == []
    assert page.message


def test_a_long_query_is_cut_with_a_note(durian):
    page = search("ทุเรียน " * 400)
    assert page.message and "ยาวเกินไป" in page.message
    assert page.total == 3


def test_plain_queries_carry_no_note(durian):
    assert search("ทุเรียน").message is None


def test_snippets_highlight_the_words_and_escape_the_text(blog):
    entry = make_entry(blog, title="สูตรปุ๋ย", body="ผสม <ดิน> & แกลบ แล้วใส่ทุเรียนต้นเล็ก\n\n" + "เนื้อหายาว " * 80)
    [hit] = search("ทุเรียน").hits
    assert hit.entry.id == entry.id
    assert "<mark>ทุเรียน</mark>" in hit.snippet_html
    assert "&lt;ดิน&gt; &amp; แกลบ" in hit.snippet_html
    assert "<ดิน>" not in hit.snippet_html
    assert "ทุเรียน" in hit.snippet_text and "<mark>" not in hit.snippet_text
    assert "<ดิน> & แกลบ" in hit.snippet_text
    assert len(hit.snippet_text) < 600


def test_a_match_outside_the_body_shows_the_start_of_the_body(blog):
    make_entry(blog, title="ทุเรียนหมอนทอง", body="บันทึกนี้เล่าเรื่อง <b>ผลไม้</b> ของสวน")
    [hit] = search("ทุเรียน").hits
    assert hit.snippet_text == "บันทึกนี้เล่าเรื่อง ผลไม้ ของสวน"
    assert "<b>" not in hit.snippet_html


def test_the_database_is_the_truth_when_the_index_lags(app, durian):
    titled, passing, body = durian
    app.config["SEARCH_SYNC_ON_COMMIT"] = False
    delete_entry(passing)
    db.session.commit()
    page = search("ทุเรียน")
    assert {hit.entry.number for hit in page.hits} == {titled.number, body.number}


def test_related_entries_are_published_others_like_this_one(blog):
    first = make_entry(blog, title="ปลูกทุเรียน", body="ปลูกทุเรียนหมอนทองให้ออกผลดี ต้องดูแลดินและน้ำ")
    second = make_entry(blog, title="ดูแลสวนทุเรียน", body="ทุเรียนหมอนทองต้องการน้ำและดินดี ออกผลดีทุกปี")
    draft = make_entry(blog, title="ร่างทุเรียน", body="ทุเรียนหมอนทองออกผลดี ดินและน้ำ", publish=False)
    make_entry(blog, title="ตลาดปลา", body="ปลาทูสดจากแม่กลองราคาถูก")
    related = {item.number: item for item in related_to(first)}
    assert second.number in related
    assert first.number not in related and draft.number not in related
    assert (related[second.number].title, related[second.number].author.display_name) == (
        "ดูแลสวนทุเรียน",
        blog.owner.display_name,
    )
    assert len(related_to(first, limit=1)) == 1


def test_an_entry_not_in_the_index_has_no_related_entries(blog):
    draft = make_entry(blog, title="ร่าง", body="ทุเรียน", publish=False)
    assert related_to(draft) == []


def test_snippet_marks_whole_phrases_not_every_common_piece():
    body = "การประชุมเรื่องการเงิน จากนั้นเราคุยเรื่องการจัดการความรู้ในองค์กร"
    html, text = snippet(body, [("การ", "จัดการ", "ความ", "รู้")])
    assert html == "การประชุมเรื่องการเงิน จากนั้นเราคุยเรื่อง<mark>การจัดการความรู้</mark>ในองค์กร"
    assert text == body


def test_snippet_starts_near_the_first_match_in_a_long_body():
    body = "เนื้อหาอื่น " * 200 + "ตรงนี้มีคำว่าทุเรียนอยู่ " + "ส่วนท้าย " * 200
    html, text = snippet(body, [("ทุเรียน",)])
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>ทุเรียน</mark>" in html
    assert len(text) <= 210
    assert text.replace("…", "") in body


def test_snippet_skips_a_place_where_the_pieces_belong_to_another_word():
    body = "ความรู้สึกดีมาก " * 3 + "แต่ความรู้ยังไม่พอ"
    html, _ = snippet(body, [("ความ", "รู้")])
    assert html.count("<mark>") == 1
    assert "<mark>ความรู้</mark>ยังไม่พอ" in html


def test_snippet_without_a_match_in_the_body_is_its_start():
    html, text = snippet("a < b & c", [("ทุเรียน",)])
    assert (html, text) == ("a &lt; b &amp; c", "a < b & c")
    assert snippet("", [("x",)]) == ("", "")


@pytest.mark.parametrize(
    "body",
    [
        "คำ " * 300,
        "ทุเรียน" * 40 + " " + "ส่วนท้าย " * 100,
        "a" * 390 + " \r\n  \t " * 50 + "ท้าย " * 100,
        ("ก\u200b่ " * 150) + "ท้าย " * 100,
        "ข้อความ " * 60 + "<b>ตัวหนา</b> " + "ต่อ " * 100,
        "ข้อความ" * 60 + " " + "เ" + "\u0e48" * 300 + " ท้าย " * 100,
        "ต่อ… " * 150,
    ],
)
def test_a_snippet_read_from_a_stretch_is_the_excerpt_of_the_whole_rest(body):
    for start in (0, 7, len(body) // 3, len(body) - 5):
        assert snippets._excerpt_from(body, start) == excerpt(body[start:], snippets.SNIPPET_LENGTH).removesuffix("…")


def test_a_long_phrase_needs_its_words_together_not_only_its_pairs(blog):
    together = make_entry(blog, title="บันทึกหนึ่ง", body="ทีมเล่าเรื่องการจัดการความรู้ของอำเภอ")
    # Every pair of การจัดการความรู้ (การ·จัดการ, จัดการ·ความ, ความ·รู้) is here, but never all four in a row.
    make_entry(blog, title="บันทึกสอง", body="การจัดการความขัดแย้ง แล้วแบ่งปันความรู้กัน")
    latin = make_entry(blog, title="แผน", body="the KM Action Plan of the district")
    make_entry(blog, title="แผนอื่น", body="KM action items; a plan for action plan reviews")
    assert found("การจัดการความรู้") == {together.number}
    assert found('"KM Action Plan"') == {latin.number}
    assert found('ปลา OR "KM Action Plan"') == {latin.number}  # a phrase under OR is checked by Whoosh itself
    assert found('"KM Action Plan" NOT ปลา') == {latin.number}


@pytest.mark.search_backends("whoosh")  # PostgreSQL checks every phrase: see the next test
def test_a_very_common_phrase_pages_true_matches_and_estimates_the_total(blog, monkeypatch, client):
    from app.search.backends.whoosh import searching

    monkeypatch.setattr(searching, "COUNT_LIMIT", 5)
    true = {make_entry(blog, title=f"เรื่องที่ {n}", body="การจัดการความรู้ในชุมชน").number for n in range(24)}
    for n in range(12):
        make_entry(blog, title=f"อื่น {n}", body="การจัดการความขัดแย้ง และความรู้")
    first = search("การจัดการความรู้", per_page=5)
    assert first.total_is_estimate and len(first.hits) == 5
    assert {hit.entry.number for hit in first.hits} <= true
    assert 5 <= first.total <= 36  # estimated from the candidates checked for the page
    shown = set()
    for number in range(1, 6):
        shown |= {hit.entry.number for hit in search("การจัดการความรู้", per_page=5, page=number).hits}
    assert shown == true  # every true match reachable by paging, nothing else
    html = client.get("/search?q=การจัดการความรู้").get_data(as_text=True)
    assert "พบประมาณ" in html
    body = client.get("/api/v1/search?q=การจัดการความรู้").get_json()
    assert body["total_is_estimate"] is True and all(r["number"] in true for r in body["results"])
    monkeypatch.setattr(searching, "COUNT_LIMIT", 3000)
    exact = search("การจัดการความรู้", per_page=100)
    assert not exact.total_is_estimate and exact.total == 24


@pytest.mark.search_backends("postgres")
def test_a_very_common_phrase_is_counted_exactly_and_pages_true_matches(blog, client):
    true = {make_entry(blog, title=f"เรื่องที่ {n}", body="การจัดการความรู้ในชุมชน").number for n in range(24)}
    for n in range(12):
        make_entry(blog, title=f"อื่น {n}", body="การจัดการความขัดแย้ง และความรู้")
    first = search("การจัดการความรู้", per_page=5)
    assert not first.total_is_estimate and first.total == 24 and len(first.hits) == 5
    shown = set()
    for number in range(1, 6):
        shown |= {hit.entry.number for hit in search("การจัดการความรู้", per_page=5, page=number).hits}
    assert shown == true
    body = client.get("/api/v1/search?q=การจัดการความรู้").get_json()
    assert body["total_is_estimate"] is False and body["total"] == 24


def _sampled(entries) -> int:
    """How many of these entries the PostgreSQL backend's count sample holds (its index's predicate)."""
    from sqlalchemy import text

    ids = [entry.id for entry in entries]
    return db.session.scalar(
        text("SELECT count(*) FROM unnest(CAST(:ids AS int[])) AS t(id) WHERE (hashint4(id) & 15) = 0"), {"ids": ids}
    )


@pytest.mark.search_backends("postgres")
def test_a_query_matching_more_than_the_count_limit_shows_an_estimated_total(blog, monkeypatch, client):
    from app.search.backends import postgres

    common = [make_entry(blog, title=f"สวน {n}", body="ทุเรียนหมอนทองออกผล") for n in range(60)]
    rare = [make_entry(blog, title=f"ไร่ {n}", body="มังคุดออกผล") for n in range(12)]
    in_sample, rare_in_sample = _sampled(common), _sampled(rare)
    assert in_sample > rare_in_sample  # the ids are the same every run (identities restart per test)
    monkeypatch.setattr(postgres, "COUNT_LIMIT", postgres.COUNT_SAMPLE * (rare_in_sample + 1))

    first = search("ทุเรียน", per_page=5)
    assert first.total_is_estimate and first.total == postgres.COUNT_SAMPLE * in_sample
    assert len(first.hits) == 5
    html = client.get("/search?q=ทุเรียน").get_data(as_text=True)
    assert f"พบประมาณ {first.total:,} บันทึก" in html
    body = client.get("/api/v1/search?q=ทุเรียน").get_json()
    assert body["total_is_estimate"] is True and body["total"] == first.total
    # Every match is reachable page by page; the last page, partly filled, gives the exact total.
    shown = [hit.entry.number for n in range(1, 13) for hit in search("ทุเรียน", per_page=5, page=n).hits]
    assert sorted(shown) == sorted(entry.number for entry in common)
    last = search("ทุเรียน", per_page=7, page=9)
    assert len(last.hits) == 4 and last.total == 60 and not last.total_is_estimate

    exact = search("มังคุด", per_page=5)  # its sample stands for fewer matches than the limit: all counted
    assert not exact.total_is_estimate and exact.total == 12
    html = client.get("/search?q=มังคุด").get_data(as_text=True)
    assert "พบ 12 บันทึก" in html and "พบประมาณ" not in html
    monkeypatch.setattr(postgres, "COUNT_LIMIT", 10**9)
    counted = search("ทุเรียน", per_page=5)
    assert not counted.total_is_estimate and counted.total == 60


@pytest.mark.search_backends("postgres")
def test_the_sample_count_reads_the_sample_index(blog):
    """The count's condition must be the sample index's predicate, or the planner cannot use that index."""
    from sqlalchemy import bindparam, cast, func, select
    from sqlalchemy.dialects.postgresql import TSQUERY

    from app.search.backends.postgres import _count_only, _in_sample, search_documents

    make_entry(blog, title="สวน", body="ทุเรียนออกผล")
    docs = search_documents.c
    tsquery = cast(bindparam("tsquery", "'ทุเรียน'"), TSQUERY)
    stmt = select(func.count()).where(docs.document.op("@@")(tsquery), _in_sample(docs.entry_id))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    with _count_only(db.session):
        plan = "\n".join(db.session.scalars(db.text(f"EXPLAIN {compiled}")))
    assert "ix_search_documents_sample" in plan


@pytest.fixture
def paired_index(app, blog):
    """Entries about KM, with every term counted common so the rebuilt index also holds pair terms."""
    from app.search.index import reindex

    app.config.update(SEARCH_PAIR_MIN_DOCS=1, SEARCH_PAIR_MIN_SHARE=0.0)
    entries = {
        "together": make_entry(blog, title="บันทึกหนึ่ง", body="ทีมเล่าเรื่องการจัดการความรู้ของอำเภอ"),
        "apart": make_entry(blog, title="บันทึกสอง", body="การจัดการความขัดแย้ง แล้วแบ่งปันความรู้กัน"),
        "plan": make_entry(blog, title="แผน", body="the KM Action Plan of the district"),
        "items": make_entry(blog, title="แผนอื่น", body="KM action items; a plan for action plan reviews"),
    }
    reindex()
    return entries


@pytest.mark.search_backends("whoosh")  # pair terms are how Whoosh looks up common phrases
def test_pair_terms_are_indexed_for_common_neighbours_and_phrases_stay_exact(paired_index):
    from app.search.backends.whoosh.index import open_index

    with open_index().searcher() as searcher:
        assert {"ความ", "รู้", "km"} <= searcher.schema["text"].analyzer.paired
        assert searcher.doc_frequency("text", "ความ รู้") == 2  # the pair of ความ · รู้, in both Thai entries
    assert found("การจัดการความรู้") == {paired_index["together"].number}
    assert found("ความรู้") == {paired_index["together"].number, paired_index["apart"].number}
    assert found('"KM Action Plan"') == {paired_index["plan"].number}
    assert found('"action plan"') == {paired_index["plan"].number, paired_index["items"].number}
    assert found('ปลา OR "KM Action Plan"') == {paired_index["plan"].number}


def test_edits_after_the_rebuild_are_indexed_with_its_pairs(paired_index, blog):
    later = make_entry(blog, title="บันทึกสาม", body="สรุปการจัดการความรู้ภาคใต้")
    assert found("การจัดการความรู้") == {paired_index["together"].number, later.number}


def test_words_are_counted_exactly_and_paged_past_the_phrase_check_limit(blog, monkeypatch):
    from app.search.backends.whoosh import searching

    monkeypatch.setattr(searching, "COUNT_LIMIT", 5)  # limits only how many phrase candidates are checked
    numbers = {make_entry(blog, title=f"สวนทุเรียน {n}", body="ทุเรียนออกผล").number for n in range(12)}
    first = search("ทุเรียน", per_page=5)
    assert not first.total_is_estimate and first.total == 12
    shown = [hit.entry.number for n in (1, 2, 3) for hit in search("ทุเรียน", per_page=5, page=n).hits]
    assert sorted(shown) == sorted(numbers)
    newest = search("ทุเรียน", sort="newest", per_page=5)
    assert not newest.total_is_estimate and newest.total == 12
    assert [hit.entry.number for hit in newest.hits] == sorted(numbers, reverse=True)[:5]
