"""GET /tags/suggest?q= for the editor's tag field: existing tags, best first, normalised like tags are."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config() -> dict:
    """The page cache on, as in production: the tag page behind /tags/suggest works out members' audiences."""
    return {"CACHE_TYPE": "SimpleCache"}


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai"), "km-notes")


def suggest(client, q: str):
    response = client.get("/tags/suggest", query_string={"q": q})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_tags_starting_with_the_text_come_first_then_by_use(client, blog):
    make_entry(blog, title="1", tags="การจัดการความรู้, ความรู้, KM")
    make_entry(blog, title="2", tags="ความรู้, km")
    make_entry(blog, title="3", tags="ความรู้ชุมชน")
    assert suggest(client, "ความรู้") == ["ความรู้", "ความรู้ชุมชน", "การจัดการความรู้"]


def test_the_text_is_normalised_like_a_tag(client, blog):
    make_entry(blog, tags="KM, KM-Team")
    assert suggest(client, "#Km") == ["km", "km-team"]
    assert suggest(client, "  K ") == ["km", "km-team"]


def test_empty_text_gives_the_most_used_tags_at_most_ten(client, blog):
    make_entry(blog, title="1", tags=", ".join(f"tag{m:02d}" for m in range(10)))
    make_entry(blog, title="2", tags="tag00, tag01, tag10, tag11")
    make_entry(blog, title="3", tags="tag00")
    expected = [f"tag{m:02d}" for m in range(10)]  # tag00 ×3, tag01 ×2, then the rest by name
    assert suggest(client, "") == expected
    assert suggest(client, "tag") == expected


def test_tags_only_drafts_carry_are_not_offered(client, blog):
    make_entry(blog, tags="ลับเฉพาะ", publish=False)
    make_entry(blog, tags="ลับ")
    assert suggest(client, "ลับ") == ["ลับ"]


def test_like_wildcards_are_taken_literally(client, blog):
    make_entry(blog, tags="100%, a_b, abc")
    assert suggest(client, "%") == ["100%"]
    assert suggest(client, "a_") == ["a_b"]


def test_nothing_matches_a_text_longer_than_any_tag(client, blog):
    make_entry(blog, tags="km")
    assert suggest(client, "k" * 51) == []
    assert suggest(client, "ไม่มีคำนี้") == []


def test_without_q_the_address_is_still_the_page_of_a_tag_called_suggest(client, blog):
    assert client.get("/tags/suggest").status_code == 404
    make_entry(blog, title="คำแนะนำ", tags="Suggest")
    db.session.commit()
    page = client.get("/tags/suggest")
    assert page.status_code == 200
    assert "คำแนะนำ" in page.get_data(as_text=True)


@pytest.mark.parametrize("signed_in", [False, True])
def test_without_q_members_and_visitors_get_the_tag_page_not_an_error(app, client, auth, blog, signed_in):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    if signed_in:
        auth.login("somchai")
    assert client.get("/tags/suggest").status_code == 404
    make_entry(blog, title="คำแนะนำ", tags="suggest")
    for _ in range(2):  # rendered, then from the page cache
        page = client.get("/tags/suggest")
        assert page.status_code == 200
        assert "คำแนะนำ" in page.get_data(as_text=True)


@pytest.mark.parametrize("q", ["", " ", "\t", "ก" * 5000, "#" * 5000, "%", "๒", "²"])
def test_any_q_gets_a_list(client, auth, blog, q):
    make_entry(blog, tags="km")
    auth.login("somchai")
    assert isinstance(suggest(client, q), list)
