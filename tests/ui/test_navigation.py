"""Header, landmarks, breadcrumbs and numbered pagination, as the pages render them."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user
from tests.ui.html_tree import page
from tests.ui.layout import assert_site_layout


@pytest.fixture
def site(app):
    owner = make_user("somchai")
    blog = make_blog(owner, "km-notes", title="บันทึกการจัดการความรู้")
    entry = make_entry(blog, title="ลปรร. ครั้งแรก", tags="KM")
    station = make_station(owner)
    submit_blog(station, blog, owner)
    db.session.commit()
    return {"owner": owner, "blog": blog, "entry": entry, "station": station}


def _trail(response) -> list[tuple[str, str | None]]:
    """The breadcrumb items as (text, href); the current page has no href and carries aria-current."""
    doc = page(response)
    nav = doc.find("nav", class_="breadcrumbs")
    assert nav is not None and nav.attrs.get("aria-label")
    items = nav.find("ol").find_all("li")
    trail = []
    for item in items:
        link = item.find("a")
        if link is None:
            assert item.find(aria_current="page") is not None
        label = (item.find(aria_current="page") or link).text()
        trail.append((label, link.attrs["href"] if link else None))
    for sep in nav.find_all("span", class_="sep"):
        assert sep.attrs.get("aria-hidden") == "true"
    return trail


def test_entry_page_breadcrumbs(client, site):
    trail = _trail(client.get(f"/posts/{site['entry'].number}"))
    assert trail == [("หน้าแรก", "/"), ("บันทึกการจัดการความรู้", "/b/km-notes"), ("ลปรร. ครั้งแรก", None)]


def test_blog_page_breadcrumbs(client, site):
    assert _trail(client.get("/b/km-notes")) == [("หน้าแรก", "/"), ("บันทึกการจัดการความรู้", None)]


def test_station_page_breadcrumbs(client, site):
    trail = _trail(client.get("/c/Chumphon-KM-Station"))
    assert trail == [("หน้าแรก", "/"), ("ชุมชน", "/c"), ("ชุมชนคนทำ KM ชุมพร", None)]
    members = _trail(client.get("/c/Chumphon-KM-Station/members"))
    assert members[-2:] == [("ชุมชนคนทำ KM ชุมพร", "/c/Chumphon-KM-Station"), ("สมาชิก", None)]


def test_tag_page_breadcrumbs(client, site):
    assert _trail(client.get("/tags/km")) == [("หน้าแรก", "/"), ("คำสำคัญ", "/tags"), ("#km", None)]


@pytest.mark.parametrize("path", ["/", "/c", "/tags", "/search", "/login", "/register", "/b/km-notes", "/u/somchai"])
def test_public_pages_share_the_layout(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    doc = page(response)
    assert_site_layout(doc)
    nav = doc.find("header").find("nav")
    assert nav.find("a", href="/c") is not None and nav.find("a", href="/tags") is not None
    assert nav.find("a", href="/login") is not None


def test_header_search_box_is_labelled(client):
    doc = page(client.get("/"))
    form = doc.find("header").find("form", role="search")
    assert form.attrs["action"] == "/search"
    field = form.find("input", id="site-search-q")
    assert field.attrs["type"] == "search" and field.attrs["name"] == "q"
    assert doc.find("label", for_="site-search-q").text() == "ค้นหาบันทึก"


def test_header_shows_login_state(client, auth, site):
    auth.login("somchai")
    nav = page(client.get("/")).find("header").find("nav")
    assert nav.find("a", href="/u/somchai").text() == "คุณsomchai"
    assert nav.find("a", href="/dashboard") is not None
    assert nav.find("a", href="/write") is not None
    logout = nav.find("form", action="/logout")
    assert logout.find("button").text() == "ออกจากระบบ"
    assert nav.find("a", href="/login") is None


def test_current_section_is_marked_in_the_menu(client):
    nav = page(client.get("/c")).find("header").find("nav")
    assert nav.find("a", href="/c").attrs.get("aria-current") == "page"
    assert "aria-current" not in nav.find("a", href="/tags").attrs


def test_footer_holds_the_language_switcher(client):
    switcher = page(client.get("/")).find("footer").find("nav", class_="lang-switch")
    assert switcher is not None
    assert {link.attrs.get("hreflang") for link in switcher.find_all("a")} == {"th", "en"}


def _pagination(response):
    nav = page(response).find("nav", class_="pagination")
    assert nav is not None and nav.attrs.get("aria-label") == "เลขหน้า"
    return nav


def test_numbered_pagination_with_ellipsis_prev_and_next(app, client):
    app.config["ENTRIES_PER_PAGE"] = 1
    blog = make_blog(make_user("somchai"))
    for number in range(12):
        make_entry(blog, title=f"บันทึก {number}")

    nav = _pagination(client.get("/?page=6"))
    items = [li.text() for li in nav.find("ul").find_all("li")]
    assert items == ["‹ ก่อนหน้า", "1", "…", "4", "5", "6", "7", "8", "…", "12", "ถัดไป ›"]
    current = nav.find(aria_current="page")
    assert current.text() == "6" and current.tag != "a"
    assert nav.find("a", rel="prev").attrs["href"] == "/?page=5"
    assert nav.find("a", rel="next").attrs["href"] == "/?page=7"
    assert nav.find("a", href="/?page=12").text() == "12"
    for gap in nav.find_all("span", class_="gap"):
        assert gap.attrs.get("aria-hidden") == "true"


def test_first_and_last_pages_have_no_dead_links(app, client):
    app.config["ENTRIES_PER_PAGE"] = 1
    blog = make_blog(make_user("somchai"))
    for number in range(3):
        make_entry(blog, title=f"บันทึก {number}")

    first = _pagination(client.get("/"))
    assert first.find("a", rel="prev") is None and first.find("a", rel="next") is not None
    last = _pagination(client.get("/?page=3"))
    assert last.find("a", rel="next") is None and last.find(aria_current="page").text() == "3"


def test_pagination_keeps_the_other_query_arguments(app, client):
    app.config["ENTRIES_PER_PAGE"] = 1
    blog = make_blog(make_user("somchai"))
    for number in range(2):
        make_entry(blog, title=f"บันทึก {number}", tags="KM")

    nav = _pagination(client.get("/tags/km"))
    assert nav.find("a", rel="next").attrs["href"] == "/tags/km?page=2"


def test_a_single_page_has_no_pagination(client, site):
    assert page(client.get("/")).find("nav", class_="pagination") is None
