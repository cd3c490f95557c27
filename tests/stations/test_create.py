"""Creating, listing, showing and editing stations."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Station, StationMember
from tests.factories import make_station, make_user


def _station_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Station))


def test_index_empty_state_and_create_button(client, auth, app):
    response = client.get("/c")
    assert response.status_code == 200
    assert "ยังไม่มีชุมชน" in response.text
    assert 'href="/c/new"' not in response.text

    make_user("somchai")
    auth.login("somchai")
    assert 'href="/c/new"' in client.get("/c").text


def test_index_lists_stations_with_counts(client, app):
    owner = make_user("somchai")
    make_station(owner)
    make_station(owner, "Nan-Teachers", name="ครูน่าน")
    response = client.get("/c")
    assert "ชุมชนคนทำ KM ชุมพร" in response.text
    assert "ครูน่าน" in response.text
    assert response.text.count("สมาชิก 1 คน") == 2
    assert "บล็อก 0 บล็อก" in response.text


def test_index_is_paginated(client, app):
    owner = make_user("somchai")
    for number in range(21):
        make_station(owner, f"station-{number:02d}", name=f"ชุมชนที่ {number:02d}")
    first = client.get("/c")
    assert "ชุมชนที่ 20" in first.text and "ชุมชนที่ 00" not in first.text
    second = client.get("/c?page=2")
    assert "ชุมชนที่ 00" in second.text
    assert client.get("/c?page=3").status_code == 404


def test_create_station(client, auth, app):
    owner = make_user("somchai")
    auth.login("somchai")
    response = client.post(
        "/c/new",
        data={
            "slug": "Chumphon-KM-Station",
            "name": " ชุมชนคนทำ KM  ชุมพร ",
            "description": "แลกเปลี่ยน",
            "join_policy": "approval",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/Chumphon-KM-Station")
    station = db.session.scalar(select(Station))
    assert (station.slug, station.slug_key, station.name, station.join_policy) == (
        "Chumphon-KM-Station",
        "chumphon-km-station",
        "ชุมชนคนทำ KM ชุมพร",
        "approval",
    )
    row = db.session.get(StationMember, (station.id, owner.id))
    assert (row.role, row.status) == ("owner", "active")


def test_create_requires_login(client, app):
    response = client.post("/c/new", data={"slug": "abc", "name": "x", "join_policy": "open"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert _station_count() == 0


@pytest.mark.parametrize("slug", ["Chumphon-KM-Station", "chumphon-km-station", "CHUMPHON-KM-STATION"])
def test_taken_slug_in_any_case_is_refused(client, auth, app, slug):
    make_station(make_user("somchai"))
    make_user("malee")
    auth.login("malee")
    response = client.post("/c/new", data={"slug": slug, "name": "ชุมชนใหม่", "join_policy": "open"})
    assert response.status_code == 409
    assert "มีชุมชนอื่นใช้แล้ว" in response.text
    assert _station_count() == 1
    assert db.session.scalar(select(func.count()).select_from(StationMember)) == 1


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "ใช้ตัวอักษรอังกฤษ"),
        ("-abc", "ใช้ตัวอักษรอังกฤษ"),
        ("ชุมชน", "ใช้ตัวอักษรอังกฤษ"),
        ("a" * 61, "ใช้ตัวอักษรอังกฤษ"),
        ("new", "สงวนไว้"),
        ("Admin", "สงวนไว้"),
    ],
)
def test_bad_slugs_are_refused(client, auth, app, slug, message):
    make_user("somchai")
    auth.login("somchai")
    response = client.post("/c/new", data={"slug": slug, "name": "ชุมชน", "join_policy": "open"})
    assert response.status_code == 400
    assert message in response.text
    assert _station_count() == 0


def test_name_is_required(client, auth, app):
    make_user("somchai")
    auth.login("somchai")
    response = client.post("/c/new", data={"slug": "abc", "name": "\u200b ", "join_policy": "open"})
    assert response.status_code == 400
    assert "กรุณากรอกชื่อชุมชน" in response.text
    assert _station_count() == 0


def test_show_station(client, app):
    owner = make_user("somchai")
    make_station(owner)
    response = client.get("/c/Chumphon-KM-Station")
    assert response.status_code == 200
    assert "ชุมชนคนทำ KM ชุมพร" in response.text
    assert "คุณsomchai" in response.text
    assert "/c/Chumphon-KM-Station/feed.atom" in response.text
    assert "ยังไม่มีบันทึกในชุมชนนี้" in response.text


@pytest.mark.parametrize("path", ["", "/members", "/feed.atom"])
def test_other_case_redirects_to_canonical(client, app, path):
    make_station(make_user("somchai"))
    response = client.get(f"/c/chumphon-km-station{path}?page=1")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/c/Chumphon-KM-Station{path}?page=1")


@pytest.mark.parametrize("path", ["", "/members", "/feed.atom", "/edit", "/submit"])
def test_unknown_slug_is_404(client, auth, app, path):
    make_user("somchai")
    auth.login("somchai")
    assert client.get(f"/c/no-such-station{path}").status_code == 404


def test_owner_edits_station(client, auth, app):
    make_station(make_user("somchai"))
    auth.login("somchai")
    assert client.get("/c/Chumphon-KM-Station/edit").status_code == 200
    response = client.post(
        "/c/Chumphon-KM-Station/edit",
        data={"name": "ชุมชนใหม่", "description": "คำอธิบายใหม่", "join_policy": "approval"},
    )
    assert response.status_code == 302
    station = db.session.scalar(select(Station))
    db.session.refresh(station)
    assert (station.name, station.description) == ("ชุมชนใหม่", "คำอธิบายใหม่")
    assert station.join_policy == "approval"


def test_non_owner_cannot_edit(client, auth, app):
    make_station(make_user("somchai"))
    make_user("malee")
    auth.login("malee")
    assert client.get("/c/Chumphon-KM-Station/edit").status_code == 403
    response = client.post("/c/Chumphon-KM-Station/edit", data={"name": "x", "join_policy": "open"})
    assert response.status_code == 403
    assert db.session.scalar(select(Station.name)) == "ชุมชนคนทำ KM ชุมพร"
