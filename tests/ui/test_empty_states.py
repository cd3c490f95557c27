"""Every list says when it is empty, and offers the next step as a link."""

from __future__ import annotations

from app.extensions import db
from app.stations.services import join_station
from tests.factories import make_blog, make_entry, make_station, make_user
from tests.ui.html_tree import page


def _empty_states(response) -> list:
    assert response.status_code == 200
    return page(response).find("main").find_all(class_="empty")


def _empty_with(response, message: str):
    """The empty state that says `message`; its links by href."""
    for state in _empty_states(response):
        if message in state.text():
            return {link.attrs["href"]: link.text() for link in state.find_all("a")}
    raise AssertionError(f"no empty state saying {message!r}")


def test_home_with_no_entries_invites_a_guest_to_register(client):
    links = _empty_with(client.get("/"), "ยังไม่มีบันทึกที่เผยแพร่ในศาลา")
    assert links.get("/register") == "สมัครสมาชิก"


def test_home_with_no_entries_invites_a_member_to_write(client, auth):
    make_user("somchai")
    auth.login("somchai")
    links = _empty_with(client.get("/"), "ยังไม่มีบันทึกที่เผยแพร่ในศาลา")
    assert links.get("/write") == "เริ่มเขียนบันทึกแรก"


def test_blog_with_no_entries(client, auth):
    make_blog(make_user("somchai"), "km-notes")
    assert "/" in _empty_with(client.get("/b/km-notes"), "บล็อกนี้ยังไม่มีบันทึกที่เผยแพร่")
    auth.login("somchai")
    links = _empty_with(client.get("/b/km-notes"), "บล็อกนี้ยังไม่มีบันทึกที่เผยแพร่")
    assert links.get("/b/km-notes/write") == "เขียนบันทึกแรกของบล็อกนี้"


def test_station_with_no_entries(client, auth):
    owner = make_user("somchai")
    station = make_station(owner)
    malee = make_user("malee")
    join_station(station, malee)
    db.session.commit()
    make_blog(malee, "malee-notes")

    guest = _empty_with(client.get("/c/Chumphon-KM-Station"), "ยังไม่มีบันทึกในชุมชนนี้")
    assert any(href.startswith("/login?next=") for href in guest)
    assert "/c" in guest
    auth.login("malee")
    member = _empty_with(client.get("/c/Chumphon-KM-Station"), "ยังไม่มีบันทึกในชุมชนนี้")
    assert member.get("/c/Chumphon-KM-Station/submit") == "ส่งบล็อกของคุณเข้าชุมชน"


def test_tags_and_stations_indexes_when_empty(client, auth):
    assert "/" in _empty_with(client.get("/tags"), "ยังไม่มีคำสำคัญ")
    assert any(h.startswith("/login") for h in _empty_with(client.get("/c"), "ยังไม่มีชุมชน"))
    make_user("somchai")
    auth.login("somchai")
    assert _empty_with(client.get("/c"), "ยังไม่มีชุมชน").get("/c/new") == "สร้างชุมชนแรก"
    assert "/write" in _empty_with(client.get("/tags"), "ยังไม่มีคำสำคัญ")


def test_profile_with_no_blogs(client, auth):
    make_user("somchai")
    assert _empty_with(client.get("/u/somchai"), "ยังไม่มีบล็อก") == {}
    _empty_with(client.get("/u/somchai"), "ยังไม่มีบันทึกที่เผยแพร่")
    auth.login("somchai")
    assert _empty_with(client.get("/u/somchai"), "ยังไม่มีบล็อก").get("/blogs/new") == "สร้างบล็อกแรกของคุณ"


def test_followers_and_following_when_empty(client, auth):
    make_user("somchai")
    assert "/u/somchai" in _empty_with(client.get("/u/somchai/followers"), "ยังไม่มีผู้ติดตาม")
    auth.login("somchai")
    assert "/c" in _empty_with(client.get("/u/somchai/following"), "ยังไม่ได้ติดตามใคร")


def test_new_members_dashboard_says_what_to_do_first(client, auth):
    make_user("somchai")
    auth.login("somchai")
    doc = page(client.get("/dashboard"))
    steps = doc.find("section", class_="getting-started").find("ol").find_all("li")
    links = [step.find("a").attrs["href"] for step in steps]
    assert links == ["/blogs/new", "/write", "/c", "/account/profile"]
    assert not [step for step in steps if "done" in step.classes]
    assert len(doc.find("main").find_all(class_="empty")) >= 4


def test_dashboard_ticks_off_the_steps_done(client, auth):
    somchai = make_user("somchai")
    make_entry(make_blog(somchai), title="บันทึกแรก")
    auth.login("somchai")
    steps = page(client.get("/dashboard")).find("section", class_="getting-started").find_all("li")
    assert ["done" in step.classes for step in steps] == [True, True, False, False]


def test_dashboard_drops_the_checklist_once_started(client, auth):
    somchai = make_user("somchai")
    make_entry(make_blog(somchai), title="บันทึกแรก")
    make_station(somchai)
    auth.login("somchai")
    assert page(client.get("/dashboard")).find("section", class_="getting-started") is None
