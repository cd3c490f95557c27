"""Submitting blogs to stations, moderating them, and the station feed (page and Atom)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import StationBlog
from tests.factories import make_blog, make_entry, make_station
from tests.stations.helpers import post_and_follow

SLUG = "Chumphon-KM-Station"
ATOM = "{http://www.w3.org/2005/Atom}"


def _link(station, blog) -> StationBlog | None:
    db.session.expire_all()
    return db.session.get(StationBlog, (station.id, blog.id))


def _join(client, auth, username: str, slug: str = SLUG) -> None:
    auth.login(username)
    client.post(f"/c/{slug}/join")
    auth.logout()


@pytest.fixture
def malee_blog(people):
    return make_blog(people["malee"], "malee-notes", title="บันทึกของมาลี")


def test_member_submits_and_moderator_approves(client, auth, people, open_station, malee_blog):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    form = client.get(f"/c/{SLUG}/submit")
    assert form.status_code == 200 and "บันทึกของมาลี" in form.text
    response = post_and_follow(client, f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    assert "รอผู้ดูแลอนุมัติ" in response.text
    assert _link(open_station, malee_blog).status == "pending"
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/approve").status_code == 403
    auth.logout()

    # The owner names prasit moderator; the moderator approves.
    _join(client, auth, "prasit")
    auth.login("somchai")
    client.post(f"/c/{SLUG}/members/prasit/moderator", data={"on": "1"})
    auth.logout()
    auth.login("prasit")
    page = client.get(f"/c/{SLUG}/members")
    assert "บล็อกที่รออนุมัติ" in page.text and "บันทึกของมาลี" in page.text
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/approve").status_code == 302
    link = _link(open_station, malee_blog)
    assert link.status == "accepted" and link.decided_at is not None
    assert "/b/malee-notes" in client.get(f"/c/{SLUG}").text


def test_submitting_twice_is_a_conflict(client, auth, people, open_station, malee_blog):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    response = client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    assert response.status_code == 409
    assert "รอผู้ดูแลอนุมัติ" in response.text
    assert db.session.scalar(select(func.count()).select_from(StationBlog)) == 1


def test_moderator_rejects_blog(client, auth, people, open_station, malee_blog):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    auth.logout()
    auth.login("somchai")
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/reject").status_code == 302
    assert _link(open_station, malee_blog) is None
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/approve").status_code == 404


def test_owner_submission_is_accepted_at_once(client, auth, people, open_station):
    make_blog(people["somchai"], "somchai-km", title="KM ของสมชาย")
    auth.login("somchai")
    response = post_and_follow(client, f"/c/{SLUG}/submit", data={"blog": "somchai-km"})
    assert "เพิ่มบล็อก" in response.text
    assert db.session.scalar(select(StationBlog.status)) == "accepted"


def test_non_member_cannot_submit(client, auth, people, open_station, malee_blog):
    auth.login("malee")
    assert client.get(f"/c/{SLUG}/submit").status_code == 403
    assert client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"}).status_code == 403
    assert f"/c/{SLUG}/submit" not in client.get(f"/c/{SLUG}").text
    assert _link(open_station, malee_blog) is None


def test_pending_member_cannot_submit(client, auth, people, approval_station, malee_blog):
    auth.login("malee")
    client.post("/c/Nan-Teachers/join")
    assert client.post("/c/Nan-Teachers/submit", data={"blog": "malee-notes"}).status_code == 403
    assert _link(approval_station, malee_blog) is None


def test_member_cannot_submit_someone_elses_blog(client, auth, people, open_station, malee_blog):
    make_blog(people["prasit"], "prasit-notes", title="บันทึกของประสิทธิ์")
    auth.login("prasit")
    client.post(f"/c/{SLUG}/join")
    assert "บันทึกของมาลี" not in client.get(f"/c/{SLUG}/submit").text
    response = client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    assert response.status_code == 400
    assert _link(open_station, malee_blog) is None


def test_submit_service_refuses_someone_elses_blog(people, open_station, malee_blog):
    from app.errors import Forbidden
    from app.stations.services import join_station, submit_blog

    join_station(open_station, people["prasit"])
    with pytest.raises(Forbidden):
        submit_blog(open_station, malee_blog, people["prasit"])


def _accept(client, auth, blog_slug: str, owner: str = "malee", slug: str = SLUG) -> None:
    auth.login(owner)
    client.post(f"/c/{slug}/join")
    client.post(f"/c/{slug}/submit", data={"blog": blog_slug})
    auth.logout()
    auth.login("somchai")
    assert client.post(f"/c/{slug}/blogs/{blog_slug}/approve").status_code == 302
    auth.logout()


def test_past_and_future_entries_appear_newest_first_without_drafts(client, auth, people, open_station, malee_blog):
    make_entry(malee_blog, title="บันทึกเก่าปี 2567", published_at=datetime(2024, 1, 5, 3, 0, tzinfo=UTC))
    make_entry(malee_blog, title="บันทึกกลางปี 2567", published_at=datetime(2024, 6, 5, 3, 0, tzinfo=UTC))
    make_entry(malee_blog, title="ร่างที่ยังไม่เผยแพร่", publish=False)
    before = client.get(f"/c/{SLUG}").text
    assert "บันทึกเก่าปี 2567" not in before

    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    client.post(f"/c/{SLUG}/submit", data={"blog": "malee-notes"})
    assert "บันทึกเก่าปี 2567" not in client.get(f"/c/{SLUG}").text  # pending: not yet in the feed
    auth.logout()
    auth.login("somchai")
    client.post(f"/c/{SLUG}/blogs/malee-notes/approve")
    auth.logout()

    make_entry(malee_blog, title="บันทึกใหม่หลังเข้าชุมชน")
    page = client.get(f"/c/{SLUG}").text
    newest_first = ("บันทึกใหม่หลังเข้าชุมชน", "บันทึกกลางปี 2567", "บันทึกเก่าปี 2567")
    positions = [page.index(title) for title in newest_first]
    assert positions == sorted(positions)
    assert "ร่างที่ยังไม่เผยแพร่" not in page


def test_one_blog_in_two_stations(client, auth, people, open_station, malee_blog):
    make_station(people["somchai"], "Nan-Teachers", name="ครูน่าน")
    make_entry(malee_blog, title="บันทึกที่แบ่งปันสองชุมชน")
    _accept(client, auth, "malee-notes")
    _accept(client, auth, "malee-notes", slug="Nan-Teachers")
    assert "บันทึกที่แบ่งปันสองชุมชน" in client.get(f"/c/{SLUG}").text
    assert "บันทึกที่แบ่งปันสองชุมชน" in client.get("/c/Nan-Teachers").text

    from app.stations.services import stations_of_blog

    assert [station.slug for station in stations_of_blog(malee_blog)] == ["Nan-Teachers", SLUG]
    blog_page = client.get("/b/malee-notes").text
    assert f"/c/{SLUG}" in blog_page and "/c/Nan-Teachers" in blog_page


def test_removing_a_blog_removes_its_entries(client, auth, people, open_station, malee_blog):
    make_entry(malee_blog, title="บันทึกที่จะถูกนำออก")
    other = make_blog(people["somchai"], "somchai-km", title="KM ของสมชาย")
    make_entry(other, title="บันทึกที่ยังอยู่")
    _accept(client, auth, "malee-notes")
    auth.login("somchai")
    client.post(f"/c/{SLUG}/submit", data={"blog": "somchai-km"})
    assert "บันทึกที่จะถูกนำออก" in client.get(f"/c/{SLUG}").text
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/remove").status_code == 302
    page = client.get(f"/c/{SLUG}").text
    assert "บันทึกที่จะถูกนำออก" not in page and "บันทึกที่ยังอยู่" in page
    assert _link(open_station, malee_blog) is None


def test_blog_owner_withdraws_blog_but_others_cannot(client, auth, people, open_station, malee_blog):
    _accept(client, auth, "malee-notes")
    _join(client, auth, "prasit")
    auth.login("prasit")
    assert "/blogs/malee-notes/remove" not in client.get(f"/c/{SLUG}").text
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/remove").status_code == 403
    auth.logout()
    auth.login("malee")
    assert "/blogs/malee-notes/remove" in client.get(f"/c/{SLUG}").text
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/remove").status_code == 302
    assert _link(open_station, malee_blog) is None
    assert client.post(f"/c/{SLUG}/blogs/malee-notes/remove").status_code == 404


def test_leaving_member_keeps_accepted_blog(client, auth, people, open_station, malee_blog):
    make_entry(malee_blog, title="บันทึกที่ยังอยู่ในชุมชน")
    _accept(client, auth, "malee-notes")
    auth.login("malee")
    client.post(f"/c/{SLUG}/leave")
    assert _link(open_station, malee_blog).status == "accepted"
    assert "บันทึกที่ยังอยู่ในชุมชน" in client.get(f"/c/{SLUG}").text


def test_suspended_authors_entries_leave_the_feed(client, auth, people, open_station, malee_blog):
    make_entry(malee_blog, title="บันทึกของผู้ถูกระงับ")
    _accept(client, auth, "malee-notes")
    people["malee"].is_suspended = True
    db.session.commit()
    assert "บันทึกของผู้ถูกระงับ" not in client.get(f"/c/{SLUG}").text


def test_feed_is_paginated(client, auth, app, people, open_station, malee_blog):
    per_page = app.config["ENTRIES_PER_PAGE"]
    for day in range(1, per_page + 2):
        published_at = datetime(2024, 3, day, tzinfo=UTC)
        make_entry(malee_blog, title=f"บันทึกวันที่ {day:02d}", published_at=published_at)
    _accept(client, auth, "malee-notes")
    first = client.get(f"/c/{SLUG}").text
    assert f"บันทึกวันที่ {per_page + 1:02d}" in first and "บันทึกวันที่ 01" not in first
    assert "บันทึกวันที่ 01" in client.get(f"/c/{SLUG}?page=2").text


def test_atom_feed_parses(client, auth, people, open_station, malee_blog):
    make_entry(malee_blog, title="บันทึกเก่า", published_at=datetime(2024, 1, 5, tzinfo=UTC))
    make_entry(malee_blog, title="บันทึกใหม่ & ล่าสุด")
    make_entry(malee_blog, title="ร่าง", publish=False)
    _accept(client, auth, "malee-notes")
    response = client.get(f"/c/{SLUG}/feed.atom")
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "ชุมชนคนทำ KM ชุมพร"
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["บันทึกใหม่ & ล่าสุด", "บันทึกเก่า"]


def test_only_the_blogs_owner_and_the_stations_moderators_see_its_remove_button(
    client, auth, people, open_station, malee_blog
):
    _accept(client, auth, "malee-notes")
    remove = f'action="/c/{SLUG}/blogs/malee-notes/remove"'
    assert remove not in client.get(f"/c/{SLUG}").text  # a guest
    for name, sees in (("malee", True), ("somchai", True), ("prasit", False)):
        auth.login(name)
        assert (remove in client.get(f"/c/{SLUG}").text) is sees, name
        auth.logout()
