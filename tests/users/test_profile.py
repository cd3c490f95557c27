"""The profile page /u/<username>."""

from __future__ import annotations

from app.blogs.services import add_coauthor
from app.extensions import db
from app.text.dates import thai_date
from tests.factories import make_blog, make_entry, make_user


def test_profile_shows_who_they_are(client):
    user = make_user("somchai", display_name="สมชาย ใจดี")
    user.affiliation = "สำนักงานจังหวัดชุมพร"
    user.bio = "คุณอำนวยประจำจังหวัด\nชอบฟัง <b>เรื่องเล่า</b>"
    db.session.commit()

    response = client.get("/u/somchai")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "สมชาย ใจดี" in html
    assert "@somchai" in html
    assert "สำนักงานจังหวัดชุมพร" in html
    assert "คุณอำนวยประจำจังหวัด<br>ชอบฟัง &lt;b&gt;เรื่องเล่า&lt;/b&gt;" in html
    assert thai_date(user.created_at, with_time=False) in html


def test_profile_lists_owned_and_coauthored_blogs(client):
    somchai = make_user("somchai")
    malee = make_user("malee")
    make_blog(somchai, "chumphon-km", title="บันทึก KM ชุมพร")
    shared = make_blog(malee, "er-cop", title="CoP ห้องฉุกเฉิน")
    add_coauthor(shared, "somchai")
    db.session.commit()
    make_blog(malee, "malee-only", title="บล็อกส่วนตัวของมาลี")

    html = client.get("/u/somchai").get_data(as_text=True)

    assert "บันทึก KM ชุมพร" in html
    assert "CoP ห้องฉุกเฉิน" in html
    assert "ผู้เขียนร่วม" in html
    assert "บล็อกส่วนตัวของมาลี" not in html


def test_profile_lists_published_entries_newest_first_without_drafts(client):
    somchai = make_user("somchai")
    blog = make_blog(somchai)
    make_entry(blog, title="บันทึกแรก")
    make_entry(blog, title="บันทึกที่สอง")
    make_entry(blog, title="ร่างที่ยังไม่เผยแพร่", publish=False)

    html = client.get("/u/somchai").get_data(as_text=True)

    assert html.index("บันทึกที่สอง") < html.index("บันทึกแรก")
    assert "ร่างที่ยังไม่เผยแพร่" not in html


def test_profile_entries_are_paginated(app, client):
    app.config["ENTRIES_PER_PAGE"] = 2
    somchai = make_user("somchai")
    blog = make_blog(somchai)
    for number in range(1, 4):
        make_entry(blog, title=f"บันทึกลำดับ {number}")

    first = client.get("/u/somchai").get_data(as_text=True)
    second = client.get("/u/somchai?page=2").get_data(as_text=True)

    assert "บันทึกลำดับ 3" in first and "บันทึกลำดับ 2" in first
    assert "บันทึกลำดับ 1" not in first
    assert 'href="/u/somchai?page=2"' in first
    assert "บันทึกลำดับ 1" in second
    assert client.get("/u/somchai?page=3").status_code == 404


def test_empty_profile_says_so(client):
    make_user("somchai")

    html = client.get("/u/somchai").get_data(as_text=True)

    assert "ยังไม่มีบล็อก" in html
    assert "ยังไม่มีบันทึกที่เผยแพร่" in html


def test_username_lookup_ignores_case_and_redirects_to_the_canonical_spelling(client):
    make_user("SomChai")

    response = client.get("/u/somchai?page=1")

    assert response.status_code == 301
    assert response.headers["Location"] == "/u/SomChai?page=1"
    assert client.get("/u/SomChai").status_code == 200


def test_follower_lists_redirect_to_the_canonical_spelling_too(client):
    make_user("somchai")

    for suffix in ("followers", "following"):
        response = client.get(f"/u/SOMCHAI/{suffix}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"/u/somchai/{suffix}"


def test_unknown_user_is_404(client):
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/nobody/followers").status_code == 404


def test_suspended_member_profile_is_404_for_others(client, auth):
    suspended = make_user("somchai")
    make_user("malee")
    suspended.is_suspended = True
    db.session.commit()

    assert client.get("/u/somchai").status_code == 404
    auth.login("malee")
    assert client.get("/u/somchai").status_code == 404
    assert client.get("/u/somchai/followers").status_code == 404


def test_administrators_still_see_a_suspended_profile(client, auth):
    suspended = make_user("somchai")
    make_user("admin", is_admin=True)
    suspended.is_suspended = True
    db.session.commit()
    auth.login("admin")

    response = client.get("/u/somchai")

    assert response.status_code == 200
    assert "บัญชีนี้ถูกระงับ" in response.get_data(as_text=True)


def test_own_profile_offers_edit_instead_of_follow(client, auth):
    make_user("somchai")
    auth.login("somchai")

    html = client.get("/u/somchai").get_data(as_text=True)

    assert 'href="/account/profile"' in html
    assert 'action="/u/somchai/follow"' not in html


def test_guest_sees_a_login_link_instead_of_the_follow_button(client):
    make_user("somchai")

    html = client.get("/u/somchai").get_data(as_text=True)

    assert 'href="/login?next=/u/somchai"' in html
    assert 'action="/u/somchai/follow"' not in html
    assert 'href="/account/profile"' not in html


def test_profile_buttons_follow_who_is_reading(client, auth):
    """can('edit_profile') and can('follow_user') decide: the member edits their own, follows anyone else's."""
    somchai = make_user("somchai")
    make_user("malee")
    make_blog(somchai)
    edit_link, follow_form, write_link = (
        'href="/account/profile"',
        'action="/u/somchai/follow"',
        'class="button" href="/write"',
    )

    guest = client.get("/u/somchai").get_data(as_text=True)
    assert 'href="/login?next=/u/somchai"' in guest
    assert edit_link not in guest and follow_form not in guest

    auth.login("somchai")
    own = client.get("/u/somchai").get_data(as_text=True)
    assert edit_link in own and write_link in own and follow_form not in own
    auth.logout()

    auth.login("malee")
    other = client.get("/u/somchai").get_data(as_text=True)
    assert follow_form in other and edit_link not in other and write_link not in other
