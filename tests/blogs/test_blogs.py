"""Blogs through HTTP: creating, showing, editing, co-authors, deleting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.blogs.services import blogs_writable_by, create_blog
from app.extensions import db
from app.models import Blog, BlogAuthor, Comment, Entry, User
from app.permissions import can
from tests.factories import make_blog, make_entry, make_user


def blog_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Blog))


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def somchai(app):
    return make_user("somchai", display_name="สมชาย ใจดี")


@pytest.fixture
def blog(somchai):
    return make_blog(somchai, "KM-Notes", title="บันทึกการจัดการความรู้", description="บรรทัดแรก\nบรรทัดสอง")


def new_blog_form(**overrides) -> dict:
    data = {
        "slug": "km-chumphon",
        "title": "  KM  ชุมพร ",
        "description": "บล็อกของทีม",
        "allow_guest_comments": "y",
    }
    data.update(overrides)
    return data


# Creating ------------------------------------------------------------------------------------------------


def test_new_blog_requires_login(client):
    response = client.get("/blogs/new")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_create_blog_through_the_form(client, auth, somchai):
    auth.login("somchai")
    assert client.get("/blogs/new").status_code == 200

    response = client.post("/blogs/new", data=new_blog_form())

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/km-chumphon")
    blog = db.session.scalar(select(Blog))
    assert (blog.slug, blog.slug_key, blog.title) == ("km-chumphon", "km-chumphon", "KM ชุมพร")
    assert blog.owner_id == somchai.id
    assert blog.allow_guest_comments is True


def test_create_blog_keeps_slug_case_and_guest_comment_choice(client, auth, somchai):
    auth.login("somchai")
    client.post("/blogs/new", data=new_blog_form(slug="KM-Chumphon", allow_guest_comments=None))
    blog = db.session.scalar(select(Blog))
    assert (blog.slug, blog.slug_key, blog.allow_guest_comments) == ("KM-Chumphon", "km-chumphon", False)


@pytest.mark.parametrize("slug", ["KM-Notes", "km-notes", "KM-NOTES", " km-notes "])
def test_taken_slug_in_any_case_is_a_conflict(client, auth, blog, slug):
    auth.login("somchai")
    response = client.post("/blogs/new", data=new_blog_form(slug=slug))
    assert response.status_code == 409
    assert "มีผู้ใช้แล้ว" in text(response)
    assert blog_count() == 1


@pytest.mark.parametrize(
    "slug",
    ["ab", "-abc", "_abc", "a" * 61, "บล็อกของฉัน", "has space", "a.b.c", "slash/es", "ümlaut"],
)
def test_invalid_slug_is_refused(client, auth, somchai, slug):
    auth.login("somchai")
    response = client.post("/blogs/new", data=new_blog_form(slug=slug))
    assert response.status_code == 400
    assert "ที่อยู่บล็อกต้องยาว 3–60 ตัว" in text(response)
    assert blog_count() == 0


@pytest.mark.parametrize("slug", ["abc", "a" * 60, "1st-blog", "km_notes_2567", "A-b_C"])
def test_valid_slugs_are_accepted(client, auth, somchai, slug):
    auth.login("somchai")
    assert client.post("/blogs/new", data=new_blog_form(slug=slug)).status_code == 302
    assert db.session.scalar(select(Blog.slug)) == slug


@pytest.mark.parametrize("slug", ["new", "Edit", "FEED", "admin", "write"])
def test_reserved_slug_is_refused(client, auth, somchai, slug):
    auth.login("somchai")
    response = client.post("/blogs/new", data=new_blog_form(slug=slug))
    assert response.status_code == 400
    assert "คำสงวน" in text(response)
    assert blog_count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "กรุณากรอกชื่อบล็อก"),
        ("title", "   ", "กรุณากรอกชื่อบล็อก"),
        ("title", "ก" * 201, "ยาวได้ไม่เกิน 200 ตัวอักษร"),
        ("description", "ข" * 2001, "ยาวได้ไม่เกิน 2,000 ตัวอักษร"),
        ("slug", "", "กรุณากรอกที่อยู่บล็อก"),
    ],
)
def test_invalid_fields_are_shown_beside_the_field(client, auth, somchai, field, value, message):
    auth.login("somchai")
    response = client.post("/blogs/new", data=new_blog_form(**{field: value}))
    assert response.status_code == 400
    assert message in text(response)
    assert f'id="{field}-err"' in text(response)
    assert blog_count() == 0


def test_a_member_may_own_several_blogs(client, auth, blog, somchai):
    auth.login("somchai")
    assert client.post("/blogs/new", data=new_blog_form(slug="second-blog")).status_code == 302
    assert [b.slug for b in db.session.scalars(select(Blog).where(Blog.owner_id == somchai.id))] == [
        "KM-Notes",
        "second-blog",
    ]


# Showing -------------------------------------------------------------------------------------------------


def test_unknown_blog_is_404(client, auth, somchai):
    assert client.get("/b/no-such-blog").status_code == 404
    assert client.get("/b/no-such-blog/feed.atom").status_code == 404
    auth.login("somchai")
    assert client.get("/b/no-such-blog/edit").status_code == 404
    assert client.post("/b/no-such-blog/delete", data={"confirm": "y"}).status_code == 404


@pytest.mark.parametrize("path", ["/b/km-notes", "/b/KM-NOTES", "/b/kM-nOtEs"])
def test_other_slug_case_redirects_to_the_canonical_url(client, blog, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/b/KM-Notes")


def test_case_redirect_keeps_the_page_argument(client, blog):
    response = client.get("/b/km-notes?page=2")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/b/KM-Notes?page=2")


def test_blog_page_shows_title_description_owner_and_feed_link(client, blog):
    page = text(client.get("/b/KM-Notes"))
    assert "บันทึกการจัดการความรู้" in page
    assert "บรรทัดแรก<br>บรรทัดสอง" in page
    assert 'href="/u/somchai"' in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "/b/KM-Notes/feed.atom" in page
    assert "บล็อกนี้ยังไม่มีบันทึกที่เผยแพร่" in page


def test_description_is_plain_text(client, somchai):
    make_blog(somchai, "plain", description="<script>alert(1)</script> **ไม่หนา**")
    page = text(client.get("/b/plain"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


def test_write_button_only_for_authors(client, auth, blog):
    write_link = 'href="/b/KM-Notes/write"'
    assert write_link not in text(client.get("/b/KM-Notes"))
    make_user("somsri")
    auth.login("somsri")
    assert write_link not in text(client.get("/b/KM-Notes"))
    auth.logout()
    auth.login("somchai")
    assert write_link in text(client.get("/b/KM-Notes"))


def test_blog_page_lists_published_entries_newest_first_without_drafts(client, blog):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    make_entry(blog, title="บันทึกเก่า", published_at=start)
    make_entry(blog, title="บันทึกใหม่", published_at=start + timedelta(days=3))
    make_entry(blog, title="ร่างลับ", publish=False)
    page = text(client.get("/b/KM-Notes"))
    assert page.index("บันทึกใหม่") < page.index("บันทึกเก่า")
    assert "ร่างลับ" not in page


def test_entries_of_suspended_authors_are_not_listed(client, blog):
    writer = make_user("writer")
    db.session.add(BlogAuthor(blog_id=blog.id, user_id=writer.id))
    db.session.commit()
    make_entry(blog, writer, title="บันทึกของคนถูกระงับ")
    writer.is_suspended = True
    db.session.commit()
    assert "บันทึกของคนถูกระงับ" not in text(client.get("/b/KM-Notes"))


def test_blog_page_paginates(client, app, blog):
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(11):
        make_entry(blog, title=f"บันทึกวันที่ {day + 1:02d}", published_at=start + timedelta(days=day))
    per_page = app.config["ENTRIES_PER_PAGE"]
    assert per_page == 10

    first = text(client.get("/b/KM-Notes"))
    assert "บันทึกวันที่ 11" in first and "บันทึกวันที่ 02" in first
    assert "บันทึกวันที่ 01" not in first
    assert "/b/KM-Notes?page=2" in first

    second = client.get("/b/KM-Notes?page=2")
    assert second.status_code == 200
    assert "บันทึกวันที่ 01" in text(second)
    assert "บันทึกวันที่ 11" not in text(second)


def test_a_page_past_the_end_is_404(client, blog):
    make_entry(blog)
    assert client.get("/b/KM-Notes?page=99").status_code == 404


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²"])
def test_a_page_that_is_not_a_whole_number_from_1_is_400(client, blog, page):
    make_entry(blog)
    assert client.get(f"/b/KM-Notes?page={page}").status_code == 400


def test_a_blank_page_number_is_the_first_page(client, blog):
    make_entry(blog)
    assert client.get("/b/KM-Notes?page=").status_code == 200


def test_blog_page_shows_the_stations_it_belongs_to(client, blog, somchai):
    from app.stations.services import submit_blog
    from tests.factories import make_station

    station = make_station(somchai, "chumphon-km", name="ชุมชนคนทำ KM ชุมพร")
    make_station(somchai, "other-station", name="ชุมชนอื่นที่ไม่ได้ส่งบล็อก")
    submit_blog(station, blog, somchai)  # the station owner's own submission is accepted at once
    db.session.commit()
    page = text(client.get("/b/KM-Notes"))
    assert "ชุมชนคนทำ KM ชุมพร" in page and 'href="/c/chumphon-km"' in page
    assert "ชุมชนอื่นที่ไม่ได้ส่งบล็อก" not in page


# Editing -------------------------------------------------------------------------------------------------


def test_owner_edits_title_description_and_guest_comments(client, auth, blog):
    auth.login("somchai")
    form = client.get("/b/KM-Notes/edit")
    assert form.status_code == 200
    assert "บันทึกการจัดการความรู้" in text(form)

    response = client.post("/b/km-notes/edit", data={"title": "ชื่อใหม่", "description": "คำอธิบายใหม่"})
    assert response.status_code == 302
    db.session.expire_all()
    blog = db.session.get(Blog, blog.id)
    assert (blog.title, blog.description, blog.allow_guest_comments) == ("ชื่อใหม่", "คำอธิบายใหม่", False)
    assert blog.slug == "KM-Notes"


def test_edit_with_empty_title_is_400_and_changes_nothing(client, auth, blog):
    auth.login("somchai")
    response = client.post("/b/KM-Notes/edit", data={"title": "", "description": "x"})
    assert response.status_code == 400
    assert "กรุณากรอกชื่อบล็อก" in text(response)
    db.session.expire_all()
    assert db.session.get(Blog, blog.id).description == "บรรทัดแรก\nบรรทัดสอง"


def test_description_line_endings_are_normalised_before_the_length_check(client, auth, blog):
    auth.login("somchai")
    lines = "\r\n".join(["ก" * 99] * 20)  # 1,980 letters + 19 newlines: 2,018 characters as sent
    response = client.post("/b/KM-Notes/edit", data={"title": "ชื่อ", "description": lines})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Blog, blog.id).description == "\n".join(["ก" * 99] * 20)

    response = client.post("/b/KM-Notes/edit", data={"title": "ชื่อ", "description": "ข" * 2001})
    assert response.status_code == 400
    assert "คำอธิบายยาวได้ไม่เกิน 2,000 ตัวอักษร" in text(response)


def test_update_blog_changes_only_what_is_given(blog):
    from app.blogs.services import update_blog

    update_blog(blog, allow_guest_comments=False)
    db.session.commit()
    assert (blog.title, blog.allow_guest_comments) == ("บันทึกการจัดการความรู้", False)


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/b/KM-Notes/edit", None),
        ("post", "/b/KM-Notes/edit", {"title": "ยึดบล็อก"}),
        ("get", "/b/KM-Notes/authors", None),
        ("post", "/b/KM-Notes/authors", {"username": "somsri"}),
        ("post", "/b/KM-Notes/authors/coauthor/remove", None),
        ("get", "/b/KM-Notes/delete", None),
        ("post", "/b/KM-Notes/delete", {"confirm": "y"}),
    ],
)
@pytest.mark.parametrize("who", ["somsri", "coauthor"])
def test_only_the_owner_manages_the_blog(client, auth, blog, method, path, data, who):
    make_user("somsri")
    coauthor = make_user("coauthor")
    db.session.add(BlogAuthor(blog_id=blog.id, user_id=coauthor.id))
    db.session.commit()
    auth.login(who)

    response = getattr(client, method)(path, data=data)

    assert response.status_code == 403
    db.session.expire_all()
    blog = db.session.get(Blog, blog.id)
    assert blog is not None and blog.title == "บันทึกการจัดการความรู้"
    assert [user.username for user in blog.coauthors] == ["coauthor"]


def test_guests_are_sent_to_login_for_management_pages(client, blog):
    for path in ("/b/KM-Notes/edit", "/b/KM-Notes/authors", "/b/KM-Notes/delete"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# Co-authors ----------------------------------------------------------------------------------------------


def test_owner_adds_and_removes_a_coauthor(client, auth, blog):
    somsri = make_user("Somsri", display_name="สมศรี")
    assert not can(somsri, "write_in_blog", blog)
    auth.login("somchai")

    response = client.post("/b/KM-Notes/authors", data={"username": "somsri"})
    assert response.status_code == 302
    db.session.expire_all()
    assert can(db.session.get(User, somsri.id), "write_in_blog", blog)
    page = text(client.get("/b/KM-Notes"))
    assert 'href="/u/Somsri"' in page and "สมศรี" in page
    assert "สมศรี" in text(client.get("/b/KM-Notes/authors"))

    response = client.post("/b/KM-Notes/authors/somsri/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(BlogAuthor)) == 0
    assert not can(db.session.get(User, somsri.id), "write_in_blog", blog)


def test_coauthor_can_write_and_their_entries_show(client, auth, blog):
    auth.login("somchai")
    somsri = make_user("somsri", display_name="สมศรี")
    client.post("/b/KM-Notes/authors", data={"username": "somsri"})
    make_entry(blog, db.session.get(User, somsri.id), title="บันทึกของผู้เขียนร่วม")
    assert "บันทึกของผู้เขียนร่วม" in text(client.get("/b/KM-Notes"))


@pytest.mark.parametrize(
    ("username", "status", "message"),
    [
        ("nobody", 400, "ไม่พบสมาชิกชื่อผู้ใช้ “nobody”"),
        ("somchai", 400, "เจ้าของบล็อกเขียนบันทึกในบล็อกได้อยู่แล้ว"),
        ("SOMCHAI", 400, "เจ้าของบล็อกเขียนบันทึกในบล็อกได้อยู่แล้ว"),
        ("coauthor", 409, "เป็นผู้เขียนร่วมของบล็อกนี้อยู่แล้ว"),
        ("", 400, "กรุณากรอกชื่อผู้ใช้"),
    ],
)
def test_adding_a_coauthor_errors(client, auth, blog, username, status, message):
    coauthor = make_user("coauthor")
    db.session.add(BlogAuthor(blog_id=blog.id, user_id=coauthor.id))
    db.session.commit()
    auth.login("somchai")

    response = client.post("/b/KM-Notes/authors", data={"username": username})

    assert response.status_code == status
    assert message in text(response)
    assert db.session.scalar(select(func.count()).select_from(BlogAuthor)) == 1


def test_suspended_member_cannot_be_added(client, auth, blog):
    make_user("banned").is_suspended = True
    db.session.commit()
    auth.login("somchai")
    response = client.post("/b/KM-Notes/authors", data={"username": "banned"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BlogAuthor)) == 0


def test_removing_someone_who_is_not_a_coauthor_is_404(client, auth, blog):
    make_user("somsri")
    auth.login("somchai")
    assert client.post("/b/KM-Notes/authors/somsri/remove").status_code == 404
    assert client.post("/b/KM-Notes/authors/nobody/remove").status_code == 404


def test_remove_is_post_only(client, auth, blog):
    auth.login("somchai")
    assert client.get("/b/KM-Notes/authors/somsri/remove").status_code == 405


def test_blogs_writable_by_lists_owned_and_coauthored(blog, somchai):
    somsri = make_user("somsri")
    own = make_blog(somsri, "somsri-blog", title="ก บล็อกของสมศรี")
    make_blog(make_user("other"), "other-blog")
    db.session.add(BlogAuthor(blog_id=blog.id, user_id=somsri.id))
    db.session.commit()
    assert [b.slug for b in blogs_writable_by(somsri)] == ["somsri-blog", "KM-Notes"]
    assert [b.slug for b in blogs_writable_by(somchai)] == ["KM-Notes"]
    assert own in blogs_writable_by(somsri)


# Deleting ------------------------------------------------------------------------------------------------


def test_delete_needs_the_confirm_box(client, auth, blog):
    auth.login("somchai")
    page = client.get("/b/KM-Notes/delete")
    assert page.status_code == 200
    assert "ลบบล็อก" in text(page)

    response = client.post("/b/KM-Notes/delete", data={})
    assert response.status_code == 400
    assert "กรุณาทำเครื่องหมายยืนยัน" in text(response)
    assert blog_count() == 1


def test_deleting_a_blog_deletes_its_entries_comments_and_coauthors(client, auth, blog):
    from app.comments.services import add_comment

    other_blog = make_blog(blog.owner, "keep-me")
    kept = make_entry(other_blog, title="อยู่ต่อ", tags="km")
    coauthor = make_user("coauthor")
    db.session.add(BlogAuthor(blog_id=blog.id, user_id=coauthor.id))
    db.session.commit()
    entry = make_entry(blog, tags="km, ลปรร")
    make_entry(blog, publish=False)
    add_comment(entry, "ขอบคุณค่ะ", guest_name="ผู้อ่าน")
    db.session.commit()
    auth.login("somchai")

    response = client.post("/b/km-notes/delete", data={"confirm": "y"})

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Blog.slug)).all() == ["keep-me"]
    assert db.session.scalars(select(Entry.id)).all() == [kept.id]
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(BlogAuthor)) == 0
    assert client.get("/b/KM-Notes").status_code == 404


def test_create_blog_service_rejects_taken_slug_without_writing(somchai, blog):
    from app.errors import Conflict

    with pytest.raises(Conflict) as caught:
        create_blog(somchai, "km-NOTES", "อีกบล็อก")
    assert caught.value.field == "slug"
    db.session.rollback()
    assert blog_count() == 1
