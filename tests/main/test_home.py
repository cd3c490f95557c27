"""The home page: latest entries, active stations, popular tags."""

from __future__ import annotations

from app.extensions import db
from app.stations.services import submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user


def test_empty_site_shows_welcome_and_empty_states(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'href="/register"' in html
    assert 'href="/login"' in html
    assert "ยังไม่มีบันทึกที่เผยแพร่ในศาลา" in html
    assert "ยังไม่มีชุมชน" in html
    assert "ยังไม่มีคำสำคัญ" in html


def test_home_shows_latest_entries_tags_and_stations(client):
    somchai = make_user("somchai")
    blog = make_blog(somchai)
    make_entry(blog, title="เวที ลปรร. ครั้งแรก", tags="KM, ชุมพร")
    make_entry(blog, title="บันทึกหลังเวที", tags="KM")
    make_entry(blog, title="ร่างลับ", publish=False, tags="ความลับ")
    station = make_station(somchai)
    submit_blog(station, blog, somchai)
    db.session.commit()

    html = client.get("/").get_data(as_text=True)

    assert html.index("บันทึกหลังเวที") < html.index("เวที ลปรร. ครั้งแรก")
    assert "ร่างลับ" not in html
    assert 'href="/tags/km"' in html
    assert "#ชุมพร" in html
    assert "#ความลับ" not in html
    assert "ชุมชนคนทำ KM ชุมพร" in html
    assert 'href="/c/Chumphon-KM-Station"' in html


def test_home_hides_entries_of_suspended_authors(client):
    somchai = make_user("somchai")
    make_entry(make_blog(somchai), title="บันทึกของผู้ถูกระงับ")
    somchai.is_suspended = True
    db.session.commit()

    html = client.get("/").get_data(as_text=True)

    assert "บันทึกของผู้ถูกระงับ" not in html


def test_home_entries_are_paginated(app, client):
    app.config["ENTRIES_PER_PAGE"] = 2
    blog = make_blog(make_user("somchai"))
    for number in range(1, 4):
        make_entry(blog, title=f"บันทึกหน้าแรก {number}")

    first = client.get("/").get_data(as_text=True)
    second = client.get("/?page=2").get_data(as_text=True)

    assert "บันทึกหน้าแรก 3" in first and "บันทึกหน้าแรก 1" not in first
    assert 'href="/?page=2"' in first
    assert "บันทึกหน้าแรก 1" in second
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 400


def test_members_do_not_get_the_guest_welcome(client, auth):
    make_user("somchai")
    auth.login("somchai")

    html = client.get("/").get_data(as_text=True)

    assert "สมัครสมาชิกฟรี" not in html
    assert "เริ่มเขียนบันทึกแรก" in html
