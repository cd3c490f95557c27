"""GET /api/v1/search: the JSON shape, its types, filters and paging, and 400s for bad parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.api.corpus import build_corpus
from tests.conftest import built_once
from tests.search.backends import (  # noqa: F401 - every test here runs on both search backends
    app_config,
    postgres_database,
    postgres_server,
    postgres_url,
    pytest_generate_tests,
    search_backend,
)

URL = "/api/v1/search"
RESULT_KEYS = {"number", "title", "url", "blog", "author", "tags", "stations", "published_at", "snippet"}


@pytest.fixture
def corpus(request, app):
    """Built once for the module and restored for each test (tests/conftest.py, `built_once`)."""
    return built_once(request, app, build_corpus)


def get_json(client, expected_status: int = 200, **params) -> dict:
    response = client.get(URL, query_string=params)
    assert response.status_code == expected_status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def numbers(payload: dict) -> list[int]:
    return [result["number"] for result in payload["results"]]


def test_the_response_has_exactly_the_documented_shape_and_types(client, corpus):
    payload = get_json(client, q="ชุมพร")
    assert set(payload) == {"query", "total", "total_is_estimate", "page", "per_page", "results"}
    assert payload["query"] == "ชุมพร"
    assert payload["total"] == 1 and payload["page"] == 1 and payload["per_page"] == 10
    [result] = payload["results"]
    assert set(result) == RESULT_KEYS
    entry = corpus.chumphon
    assert result["number"] == entry.number
    assert result["title"] == "ประชุมที่ศาลากลาง"
    assert result["url"] == f"http://localhost/posts/{entry.number}"
    assert result["blog"] == "km-notes"
    assert result["author"] == "somchai"
    assert result["tags"] == ["ชุมพร", "km"]
    assert result["stations"] == ["Chumphon-KM-Station"]
    assert datetime.fromisoformat(result["published_at"]) == datetime(2006, 5, 23, 12, 0, tzinfo=UTC)
    assert isinstance(result["snippet"], str)
    assert "ชุมพร" in result["snippet"]
    assert "<" not in result["snippet"]


def test_types_of_every_field(client, corpus):
    payload = get_json(client, q="กาฬสินธุ์")
    assert isinstance(payload["query"], str)
    for key in ("total", "page", "per_page"):
        assert type(payload[key]) is int
    for result in payload["results"]:
        assert type(result["number"]) is int
        for key in ("title", "url", "blog", "author", "published_at", "snippet"):
            assert isinstance(result[key], str), key
        for key in ("tags", "stations"):
            assert isinstance(result[key], list) and all(isinstance(item, str) for item in result[key]), key
        assert result["published_at"].endswith(("Z", "+00:00"))


def test_thai_is_readable_in_the_body_not_escaped(client, corpus):
    response = client.get(URL, query_string={"q": "ชุมพร"})
    assert "ชุมพร".encode() in response.data
    assert b"\\u0e" not in response.data


def test_an_entry_outside_any_station_has_an_empty_station_list(client, corpus):
    [result] = get_json(client, q="ดูงาน")["results"]
    assert result["number"] == corpus.kalasin_rich.number
    assert result["stations"] == []
    assert result["blog"] == "field-notes" and result["author"] == "malee"


def test_sort_page_and_per_page(client, corpus):
    rich, passing = corpus.kalasin_rich.number, corpus.kalasin_passing.number
    assert numbers(get_json(client, q="กาฬสินธุ์")) == [rich, passing]
    assert numbers(get_json(client, q="กาฬสินธุ์", sort="newest")) == [passing, rich]
    first = get_json(client, q="กาฬสินธุ์", per_page="1")
    assert (first["total"], first["per_page"], numbers(first)) == (2, 1, [rich])
    second = get_json(client, q="กาฬสินธุ์", per_page="1", page="2")
    assert (second["page"], numbers(second)) == (2, [passing])
    assert get_json(client, q="กาฬสินธุ์", per_page="100")["per_page"] == 100


def test_a_page_past_the_end_is_an_empty_list(client, corpus):
    payload = get_json(client, q="กาฬสินธุ์", page="5")
    assert payload["total"] == 2 and payload["results"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "KM"}, ["chumphon"]),
        ({"station": "chumphon-km-station"}, ["kalasin_passing", "chumphon"]),
        ({"blog": "field-notes"}, ["kalasin_rich"]),
        ({"author": "MALEE"}, ["kalasin_rich"]),
        ({"q": "กาฬสินธุ์", "blog": "km-notes"}, ["kalasin_passing"]),
        ({"from": "2550-01-01"}, ["kalasin_passing", "kalasin_rich"]),
        ({"from": "2006-01-01", "to": "2006-12-31"}, ["chumphon"]),
    ],
)
def test_filters(client, corpus, params, expected):
    assert numbers(get_json(client, **params)) == [getattr(corpus, name).number for name in expected]


def test_no_words_and_no_filters_is_an_empty_result(client, corpus):
    payload = get_json(client)
    assert payload == {"query": "", "total": 0, "total_is_estimate": False, "page": 1, "per_page": 10, "results": []}


@pytest.mark.parametrize("q", ['"ชุมพร', "(KM", "AND", "*", "ก" * 2000, "ชุมพร\x00"])
def test_odd_syntax_gives_results_not_errors(client, corpus, q):
    payload = get_json(client, q=q)
    assert isinstance(payload["results"], list)


def test_a_query_over_two_thousand_characters_is_cut(client, corpus):
    payload = get_json(client, q="ก" * 2500)
    assert len(payload["query"]) == 2000


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"per_page": "0"}, "per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"),
        ({"per_page": "101"}, "per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"),
        ({"per_page": "abc"}, "per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"),
        ({"per_page": "-5"}, "per_page ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 100"),
        ({"page": "0"}, "เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"),
        ({"page": "abc"}, "เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"),
        ({"sort": "foo"}, "การเรียงลำดับต้องเป็น relevance หรือ newest"),
        ({"from": "2006-02-30"}, "วันที่ไม่ถูกต้อง"),
        ({"to": "yesterday"}, "วันที่ไม่ถูกต้อง"),
        ({"from": "2007-01-01", "to": "2006-01-01"}, "วันที่สิ้นสุดต้องไม่อยู่ก่อนวันที่เริ่มต้น"),
        ({"author": "x" * 101}, "ชื่อผู้ใช้ยาวได้ไม่เกิน 100 ตัวอักษร"),
    ],
)
def test_bad_parameters_are_400_with_a_thai_error(client, corpus, params, message):
    response = client.get(URL, query_string={"q": "ชุมพร", **params})
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert set(payload) == {"error"}
    assert message in payload["error"]
    assert message.encode() in response.data  # readable Thai here too


def test_the_api_is_read_only(client, corpus):
    response = client.post(URL, data={"q": "ชุมพร"})
    assert response.status_code == 405
    assert "error" in response.get_json()
