"""A member's dashboard."""

from __future__ import annotations

from app.blogs.services import add_coauthor, remove_coauthor
from app.extensions import db
from app.stations.services import join_station, submit_blog
from app.users.services import follow
from tests.factories import make_blog, make_entry, make_station, make_user


def test_dashboard_needs_login(client):
    response = client.get("/dashboard")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_new_member_is_shown_what_to_do_first(client, auth):
    make_user("somchai")
    auth.login("somchai")

    response = client.get("/dashboard")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "เริ่มต้นใช้งานศาลา" in html
    assert 'href="/blogs/new">สร้างบล็อกแรกของคุณ' in html
    assert 'href="/c">เข้าร่วมชุมชน' in html
    assert "ยังไม่มีบล็อก" in html
    assert "ไม่มีฉบับร่างค้างอยู่" in html
    assert "ยังไม่ได้เผยแพร่บันทึก" in html
    assert "ยังไม่มีบันทึกจากคนที่คุณติดตาม" in html
    assert "คำขอที่รอคุณพิจารณา" not in html


def test_dashboard_lists_blogs_drafts_and_entries(client, auth):
    somchai = make_user("somchai")
    malee = make_user("malee")
    own = make_blog(somchai, "chumphon-km", title="บันทึก KM ชุมพร")
    shared = make_blog(malee, "er-cop", title="CoP ห้องฉุกเฉิน")
    add_coauthor(shared, "somchai")
    db.session.commit()
    make_entry(own, title="บันทึกที่เผยแพร่แล้ว")
    draft = make_entry(own, title="ร่างกำหนดการเวที", publish=False)
    make_entry(shared, malee, title="บันทึกของมาลี")
    auth.login("somchai")

    html = client.get("/dashboard").get_data(as_text=True)

    assert "บันทึก KM ชุมพร" in html and 'href="/b/chumphon-km/write"' in html
    assert "CoP ห้องฉุกเฉิน" in html and 'href="/b/er-cop/write"' in html
    assert f'href="/posts/{draft.number}/edit">ร่างกำหนดการเวที' in html
    assert "บันทึกที่เผยแพร่แล้ว" in html
    assert "บันทึกของมาลี" not in html
    assert 'href="/blogs/new">สร้างบล็อกแรกของคุณ' not in html
    # The co-author mark follows can('manage_blog'): on Malee's blog, not on his own.
    items = html[html.index('id="blogs-heading"') :].split("<li>")
    own_item = next(item for item in items if 'href="/b/chumphon-km"' in item)
    shared_item = next(item for item in items if 'href="/b/er-cop"' in item)
    assert "ผู้เขียนร่วม" not in own_item and "ผู้เขียนร่วม" in shared_item


def test_a_removed_coauthor_no_longer_sees_their_draft_in_that_blog(client, auth):
    owner = make_user("somchai")
    malee = make_user("malee")
    blog = make_blog(owner, "team-km")
    add_coauthor(blog, "malee")
    draft = make_entry(blog, malee, title="ร่างในบล็อกทีม", publish=False)
    make_entry(make_blog(malee, "malee-own"), malee, title="ร่างในบล็อกตัวเอง", publish=False)
    auth.login("malee")
    assert f'href="/posts/{draft.number}/edit"' in client.get("/dashboard").text

    remove_coauthor(blog, malee)
    db.session.commit()
    html = client.get("/dashboard").text
    assert "ร่างในบล็อกทีม" not in html
    assert "ร่างในบล็อกตัวเอง" in html
    assert client.get(f"/posts/{draft.number}/edit").status_code == 404


def test_dashboard_shows_entries_from_people_followed(client, auth):
    somchai = make_user("somchai")
    malee = make_user("malee")
    wichai = make_user("wichai")
    make_entry(make_blog(malee, "er-cop"), title="เรื่องเล่าจากห้องฉุกเฉิน")
    make_entry(make_blog(wichai, "kru-wichai"), title="สะท้อนคิดหลังสอน")
    make_entry(make_blog(malee, "malee-drafts"), title="ร่างของมาลี", publish=False)
    follow(somchai, malee)
    db.session.commit()
    auth.login("somchai")

    html = client.get("/dashboard").get_data(as_text=True)

    assert "จากคนที่คุณติดตาม" in html
    assert "เรื่องเล่าจากห้องฉุกเฉิน" in html
    assert "สะท้อนคิดหลังสอน" not in html
    assert "ร่างของมาลี" not in html


def test_moderator_sees_pending_requests_with_links_to_the_members_page(client, auth):
    somchai = make_user("somchai")
    malee = make_user("malee", display_name="มาลี ศรีสุข")
    wichai = make_user("wichai", display_name="วิชัย ทองมา")
    station = make_station(somchai, join_policy="approval")
    join_station(station, malee)
    db.session.commit()
    open_station = make_station(somchai, "Open-Station", name="ชุมชนเปิด")
    join_station(open_station, wichai)
    submit_blog(open_station, make_blog(wichai, "kru-wichai", title="ห้องเรียนครูวิชัย"), wichai)
    db.session.commit()
    auth.login("somchai")

    html = client.get("/dashboard").get_data(as_text=True)

    assert "คำขอที่รอคุณพิจารณา (2)" in html
    assert "มาลี ศรีสุข ขอเข้าร่วม ชุมชนคนทำ KM ชุมพร" in html
    assert "วิชัย ทองมา ส่งบล็อก “ห้องเรียนครูวิชัย” เข้า ชุมชนเปิด" in html
    assert 'href="/c/Chumphon-KM-Station/members"' in html
    assert 'href="/c/Open-Station/members"' in html


def test_members_without_moderation_see_no_requests(client, auth):
    somchai = make_user("somchai")
    malee = make_user("malee")
    station = make_station(somchai, join_policy="approval")
    join_station(station, malee)
    db.session.commit()
    auth.login("malee")

    html = client.get("/dashboard").get_data(as_text=True)

    assert "คำขอที่รอคุณพิจารณา" not in html
