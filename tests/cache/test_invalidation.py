"""Each kind of change retires exactly the cached pages that show it; pages that do not show it stay cached."""

from __future__ import annotations

import pytest

from app import reads
from app.extensions import db
from tests.cache.conftest import cache_status, prime
from tests.factories import make_entry, make_user


def assert_fresh(client, *paths: str) -> None:
    for path in paths:
        assert cache_status(client, path) == "miss", f"{path} was served from the cache after the change"


def assert_cached(client, *paths: str) -> None:
    for path in paths:
        assert cache_status(client, path) == "hit", f"{path} was rendered again for an unrelated change"


@pytest.fixture
def pages(cast, station):
    """Addresses of the pages around the two writers."""
    return {
        "home": "/",
        "km_entry": f"/posts/{cast['km_entry'].number}",
        "garden_entry": f"/posts/{cast['garden_entry'].number}",
        "km_blog": "/b/km-notes",
        "km_feed": "/b/km-notes/feed.atom",
        "garden_blog": "/b/garden",
        "garden_feed": "/b/garden/feed.atom",
        "km_tag": "/tags/km",
        "garden_tag": "/tags/garden",
        "tags": "/tags",
        "somchai": "/u/somchai",
        "malee": "/u/malee",
        "malee_followers": "/u/malee/followers",
        "station": "/c/km-station",
        "station_feed": "/c/km-station/feed.atom",
        "stations": "/c",
    }


def test_editing_an_entry_retires_the_pages_that_show_it(client, auth, cast, pages):
    prime(client, *pages.values())
    entry = cast["km_entry"]
    auth.login("somchai")
    response = client.post(
        f"/posts/{entry.number}/edit",
        data={
            "title": "ลปรร. ครั้งแรก (แก้ไข)",
            "body": "เนื้อหาใหม่",
            "tags": "km",
            "license": entry.license,
            "status": "published",
            "comments_enabled": "y",
        },
    )
    assert response.status_code == 302
    auth.logout()
    client.delete_cookie("session")
    p = pages
    assert_fresh(client, p["km_entry"], p["home"], p["km_blog"], p["km_feed"], p["km_tag"], p["somchai"])
    # The garden entry lists the KM entry as related (both bodies are the factory's): it shows the KM entry's row.
    assert_fresh(client, p["station"], p["garden_entry"])
    assert_cached(client, p["garden_blog"], p["garden_feed"], p["garden_tag"], p["malee"], p["tags"], p["stations"])
    assert "ลปรร. ครั้งแรก (แก้ไข)" in client.get(p["home"]).get_data(as_text=True)


def test_a_new_entry_retires_the_lists_it_joins(client, cast, pages):
    prime(client, *pages.values())
    make_entry(cast["km_blog"], title="บันทึกใหม่เรื่อง KM", tags="km")
    p = pages
    assert_fresh(client, p["home"], p["km_blog"], p["km_feed"], p["km_tag"], p["tags"], p["somchai"])
    assert_fresh(client, p["station"], p["station_feed"], p["km_entry"])  # the older entry's "next" link
    assert_cached(client, p["garden_blog"], p["garden_feed"], p["garden_tag"], p["malee"], p["stations"])
    assert "บันทึกใหม่เรื่อง KM" in client.get(p["station"]).get_data(as_text=True)


def test_saving_a_draft_retires_nothing(client, cast, pages):
    prime(client, *pages.values())
    make_entry(cast["km_blog"], title="ร่างที่ยังไม่เผยแพร่", tags="km", publish=False)
    assert_cached(client, *pages.values())


def test_a_comment_retires_its_entry_and_the_counts_that_show_it(client, cast, pages):
    prime(client, *pages.values())
    entry = cast["km_entry"]
    response = client.post(f"/posts/{entry.number}/comments", data={"guest_name": "ผู้มาเยือน", "body": "ขอบคุณสำหรับบันทึก"})
    assert response.status_code == 302
    client.delete_cookie("session")  # the "comment posted" message has been shown
    p = pages
    assert_fresh(client, p["km_entry"], p["home"], p["km_blog"], p["km_tag"], p["somchai"], p["station"])
    # The garden entry's related list loaded the KM entry's row, whose comment count changed: it is retired too.
    assert_cached(client, p["garden_blog"], p["garden_tag"], p["malee"], p["tags"], p["stations"])
    assert "ขอบคุณสำหรับบันทึก" in client.get(p["km_entry"]).get_data(as_text=True)


def test_hiding_a_comment_retires_its_entry(client, cast, pages):
    from app.comments.services import add_comment, hide_comment

    comment = add_comment(cast["km_entry"], "ความเห็นที่จะถูกซ่อน", guest_name="ผู้มาเยือน")
    db.session.commit()
    prime(client, *pages.values())
    hide_comment(comment)
    db.session.commit()
    assert_fresh(client, pages["km_entry"])
    assert_fresh(client, pages["home"])  # its comment count changed
    assert_cached(client, pages["garden_blog"], pages["malee"], pages["garden_tag"])
    assert "ความเห็นที่จะถูกซ่อน" not in client.get(pages["km_entry"]).get_data(as_text=True)


def test_a_blog_joining_a_station_retires_the_station_and_the_blogs_pages(client, cast, pages):
    from app.models import Station
    from app.stations.services import join_station, submit_blog

    other = make_entry(cast["garden_blog"], title="ผักสวนครัว", tags="garden")
    prime(client, *pages.values(), f"/posts/{other.number}")
    km_station = db.session.scalar(db.select(Station).where(Station.slug == "km-station"))
    join_station(km_station, cast["malee"])
    submit_blog(km_station, cast["garden_blog"], cast["malee"])
    db.session.commit()
    p = pages
    assert_fresh(client, p["station"], p["station_feed"], p["stations"], p["garden_blog"], p["garden_entry"])
    assert_fresh(client, f"/posts/{other.number}")
    assert_cached(client, p["km_blog"], p["km_tag"], p["garden_tag"], p["somchai"], p["malee"])


def test_renaming_an_author_retires_every_page_with_their_name(client, auth, cast, pages):
    prime(client, *pages.values())
    auth.login("malee")
    response = client.post("/account/profile", data={"display_name": "มาลี ใจดี", "affiliation": "", "bio": ""})
    assert response.status_code == 302
    auth.logout()
    client.delete_cookie("session")
    p = pages
    assert_fresh(client, p["malee"], p["garden_blog"], p["garden_entry"], p["garden_tag"], p["home"])
    assert_cached(client, p["km_blog"], p["km_tag"], p["somchai"], p["station"], p["stations"], p["tags"])
    assert "มาลี ใจดี" in client.get(p["garden_entry"]).get_data(as_text=True)


def test_renaming_a_blog_retires_the_lists_whose_cards_name_it(client, cast, pages):
    """Entry cards are read as plain rows (app/entries/cards.py), which declare the blog's row themselves."""
    prime(client, *pages.values())
    cast["km_blog"].title = "บันทึก KM ฉบับปรับปรุง"
    db.session.commit()
    p = pages
    assert_fresh(client, p["home"], p["km_tag"], p["station"], p["km_blog"], p["km_entry"])
    assert_cached(client, p["garden_blog"], p["garden_tag"], p["malee"], p["tags"], p["stations"])
    for path in (p["home"], p["km_tag"], p["station"]):
        assert "บันทึก KM ฉบับปรับปรุง" in client.get(path).get_data(as_text=True)


def test_retitling_an_entry_retires_its_neighbours_pages(client, cast):
    """An entry page links its neighbours in the blog, read as plain rows that declare their own rows (a
    neighbour with nothing in common, so that it is not among the related entries, which the ORM loads)."""
    newer = make_entry(cast["km_blog"], title="ปลาทูทอด", body="สูตรอาหารทะเลสดจากตลาดเช้า")
    older_page, newer_page = f"/posts/{cast['km_entry'].number}", f"/posts/{newer.number}"
    prime(client, older_page, newer_page, "/posts/" + str(cast["garden_entry"].number))
    newer.title = "ปลาทูทอดกรอบ"
    db.session.commit()
    assert_fresh(client, older_page)
    assert 'rel="next"' in client.get(older_page).get_data(as_text=True)
    assert "ปลาทูทอดกรอบ" in client.get(older_page).get_data(as_text=True)


def test_suspending_a_member_retires_every_page(client, cast, pages):
    """Rare and reaching everywhere (their entries leave every list), so all pages are rendered again."""
    prime(client, *pages.values())
    cast["malee"].is_suspended = True
    db.session.commit()
    assert_fresh(
        client, *(path for name, path in pages.items() if not name.startswith(("malee", "garden_entry", "garden_tag")))
    )
    assert client.get(pages["malee"]).status_code == 404
    assert client.get(pages["garden_tag"]).status_code == 404  # no entry readers see carries the tag any more
    assert "ปลูกผักบุ้ง" not in client.get(pages["home"]).get_data(as_text=True)


def test_editing_a_station_retires_the_pages_that_name_it(client, auth, cast, pages):
    prime(client, *pages.values())
    auth.login("somchai")
    response = client.post(
        "/c/km-station/edit", data={"name": "ชุมชน KM ภาคใต้", "description": "", "join_policy": "open"}
    )
    assert response.status_code == 302
    auth.logout()
    client.delete_cookie("session")
    p = pages
    assert_fresh(client, p["station"], p["station_feed"], p["stations"], p["home"], p["km_blog"], p["km_entry"])
    assert_cached(client, p["garden_blog"], p["garden_entry"], p["km_tag"], p["tags"], p["malee"])
    assert "ชุมชน KM ภาคใต้" in client.get(p["km_entry"]).get_data(as_text=True)


def test_following_retires_both_profiles_and_nothing_else(client, auth, cast, pages):
    make_user("prasert")
    prime(client, *pages.values(), "/u/prasert")
    auth.login("prasert")
    assert client.post("/u/malee/follow").status_code == 302
    auth.logout()
    client.delete_cookie("session")
    assert_fresh(client, pages["malee"], pages["malee_followers"], "/u/prasert")
    assert_cached(client, pages["somchai"], pages["home"], pages["garden_blog"], pages["garden_entry"])
    assert "คุณprasert" in client.get(pages["malee_followers"]).get_data(as_text=True)


def test_joining_a_station_retires_the_station_lists(client, cast, pages):
    from app.models import Station
    from app.stations.services import join_station

    prime(client, *pages.values())
    km_station = db.session.scalar(db.select(Station).where(Station.slug == "km-station"))
    join_station(km_station, cast["malee"])
    db.session.commit()
    assert_fresh(client, pages["station"], pages["stations"], pages["home"])
    assert_cached(client, pages["km_blog"], pages["km_entry"], pages["garden_blog"], pages["malee"])


def test_deleting_an_entry_retires_the_lists_it_left(client, auth, cast, pages):
    prime(client, *pages.values())
    auth.login("somchai")
    response = client.post(f"/posts/{cast['km_entry'].number}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    auth.logout()
    client.delete_cookie("session")
    p = pages
    assert client.get(p["km_entry"]).status_code == 404
    assert client.get(p["km_tag"]).status_code == 404  # its only entry is gone
    assert_fresh(client, p["home"], p["km_blog"], p["km_feed"], p["tags"], p["somchai"], p["station"])
    assert_cached(client, p["garden_blog"], p["garden_tag"], p["malee"], p["stations"])
    assert "ลปรร. ครั้งแรก" not in client.get(p["home"]).get_data(as_text=True)


def test_a_written_batch_of_reads_retires_the_pages_of_the_entries_read(app, client, cast, pages):
    """Reads wait in a buffer (BATCHED_READS); once written, the count a page shows is the new one."""
    prime(client, *pages.values())
    reads.flush(app)  # the priming client's own reads
    prime(client, *pages.values())
    app.test_client().get(pages["garden_entry"], headers={"User-Agent": "Browser/9"}).close()
    assert_cached(client, *pages.values())  # buffered, not yet written
    assert reads.flush(app) == 1
    assert_fresh(client, pages["garden_entry"])
    assert_cached(client, pages["km_blog"], pages["km_feed"], pages["km_tag"], pages["somchai"], pages["stations"])


def test_a_rolled_back_change_retires_nothing(client, cast, pages):
    prime(client, *pages.values())
    cast["malee"].display_name = "ชื่อที่ไม่ได้บันทึก"
    db.session.flush()
    db.session.rollback()
    assert_cached(client, *pages.values())
