"""Tags (คำสำคัญ): popular tags, tag pages with normalised URLs, and what is counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from app.extensions import db
from app.tags.services import cloud_weights, popular_tags
from tests.factories import make_blog, make_entry, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def blog(app):
    return make_blog(make_user("somchai"), "km-notes")


def test_popular_tags_count_published_entries_only(blog):
    make_entry(blog, title="หนึ่ง", tags="KM, ลปรร")
    make_entry(blog, title="สอง", tags="km, ชุมพร")
    make_entry(blog, title="สาม", tags="#Km")
    make_entry(blog, title="ร่าง", tags="ชุมพร, ร่างเท่านั้น", publish=False)

    assert popular_tags(100) == [("km", 3), ("ชุมพร", 1), ("ลปรร", 1)]


def test_popular_tags_leave_out_suspended_authors(blog):
    writer = make_user("writer")
    other = make_blog(writer, "writer-blog")
    make_entry(blog, tags="km")
    make_entry(other, tags="km, สแปม")
    writer.is_suspended = True
    db.session.commit()
    assert popular_tags(100) == [("km", 1)]


def test_popular_tags_limit(blog):
    for index in range(5):
        make_entry(blog, title=f"บันทึก {index}", tags=", ".join(f"tag{n}" for n in range(index + 1)))
    assert popular_tags(2) == [("tag0", 5), ("tag1", 4)]


def test_cloud_weights_spread_from_one_to_five():
    weights = cloud_weights([("a", 50), ("b", 10), ("c", 3), ("d", 2), ("e", 1)])
    assert [weight for _, _, weight in weights] == [5, 4, 3, 2, 1]
    assert cloud_weights([]) == []
    assert cloud_weights([("only", 4), ("same", 4)]) == [("only", 4, 3), ("same", 4, 3)]


def test_tags_page_lists_tags_most_used_first(client, blog):
    make_entry(blog, title="หนึ่ง", tags="ลปรร")
    make_entry(blog, title="สอง", tags="km, ลปรร")
    page = text(client.get("/tags"))
    assert page.index("#ลปรร") < page.index("#km")
    assert "2 บันทึก" in page
    assert f'href="/tags/{quote("ลปรร")}"' in page


def test_tags_page_empty_state(client, blog):
    make_entry(blog, tags="ร่าง", publish=False)
    response = client.get("/tags")
    assert response.status_code == 200
    assert "ยังไม่มีคำสำคัญ" in text(response)


def test_tag_page_lists_published_entries_with_the_tag(client, blog):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    make_entry(blog, title="เก่ากว่า", tags="km", published_at=start)
    make_entry(blog, title="ใหม่กว่า", tags="KM, อื่น", published_at=start + timedelta(days=1))
    make_entry(blog, title="ไม่มีแท็กนี้", tags="อื่น")
    make_entry(blog, title="ร่างที่มีแท็ก", tags="km", publish=False)

    response = client.get("/tags/km")

    assert response.status_code == 200
    page = text(response)
    assert page.index("ใหม่กว่า") < page.index("เก่ากว่า")
    assert "ไม่มีแท็กนี้" not in page
    assert "ร่างที่มีแท็ก" not in page
    assert 'type="application/atom+xml"' in page and "/tags/km/feed.atom" in page


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/tags/KM", "/tags/km"),
        ("/tags/%23km", "/tags/km"),
        ("/tags/%20Km%20", "/tags/km"),
        ("/tags/KM/feed.atom", "/tags/km/feed.atom"),
        ("/tags/KM?page=2", "/tags/km?page=2"),
    ],
)
def test_tag_urls_redirect_to_the_normalised_name(client, blog, path, target):
    make_entry(blog, tags="km")
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"].endswith(target)


def test_thai_tag_page(client, blog):
    make_entry(blog, title="เรื่องชุมชน", tags="การจัดการความรู้")
    response = client.get("/tags/" + quote("การจัดการความรู้"))
    assert response.status_code == 200
    assert "เรื่องชุมชน" in text(response)


def test_tag_with_a_slash_has_a_page_and_a_feed(client, blog):
    make_entry(blog, title="เรื่อง KM/LO", tags="KM/LO")
    assert client.get("/tags/km/lo").status_code == 200
    assert client.get("/tags/KM/LO").headers["Location"].endswith("/tags/km/lo")
    assert client.get("/tags/km/lo/feed.atom").status_code == 200


@pytest.mark.parametrize("path", ["/tags/nothing-here", "/tags/%23", "/tags/nothing-here/feed.atom"])
def test_unknown_tag_is_404(client, blog, path):
    make_entry(blog, tags="km")
    assert client.get(path).status_code == 404


def test_tag_page_paginates(client, blog):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(11):
        published_at = start + timedelta(days=day)
        make_entry(blog, title=f"เรื่องที่ {day + 1:02d}", tags="km", published_at=published_at)
    first = text(client.get("/tags/km"))
    assert "เรื่องที่ 11" in first and "เรื่องที่ 01" not in first
    second = client.get("/tags/km?page=2")
    assert second.status_code == 200 and "เรื่องที่ 01" in text(second)
    assert client.get("/tags/km?page=99").status_code == 404
    assert client.get("/tags/km?page=abc").status_code == 400
