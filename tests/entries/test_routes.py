"""Writing, editing and deleting entries through HTTP, and who may do it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.database import thai_order
from app.extensions import db
from app.models import Entry, Tag
from tests.entries.conftest import entry_form, page_text
from tests.factories import make_blog, make_entry, make_user


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Entry))


def only_entry() -> Entry:
    db.session.expire_all()
    return db.session.scalars(select(Entry)).one()


# --- writing -------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_for_every_write_action(client, cast):
    entry = make_entry(cast.blog)
    for method, url in [
        ("get", "/write"),
        ("get", "/b/km-notes/write"),
        ("post", "/b/km-notes/write"),
        ("get", f"/posts/{entry.number}/edit"),
        ("post", f"/posts/{entry.number}/edit"),
        ("get", f"/posts/{entry.number}/delete"),
        ("post", f"/posts/{entry.number}/delete"),
    ]:
        data = entry_form(title="แอบเขียน") if method == "post" else None
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert entry_count() == 1
    assert only_entry().title == "ลปรร. ครั้งแรกของทีม KM"


@pytest.mark.parametrize(
    ("who", "status"),
    [("somchai", 302), ("malee", 302), ("prasert", 403)],
)
def test_who_may_write_in_a_blog(client, auth, cast, who, status):
    auth.login(who)
    assert client.get("/b/km-notes/write").status_code == (200 if status == 302 else 403)
    response = client.post("/b/km-notes/write", data=entry_form(title=f"บันทึกของ {who}"))
    assert response.status_code == status
    if status == 302:
        entry = only_entry()
        assert response.headers["Location"] == f"/posts/{entry.number}"
        assert entry.author.username == who
        assert entry.blog_id == cast.blog.id
        assert entry.is_published and entry.published_at is not None
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert f"บันทึกของ {who}" in page_text(page)
    else:
        assert entry_count() == 0


def test_write_form_offers_licenses_status_and_comments(client, auth, cast):
    auth.login("somchai")
    text = page_text(client.get("/b/km-notes/write"))
    labels = ["ชื่อบันทึก", "เนื้อหา", "คำสำคัญ", "สัญญาอนุญาต", "เผยแพร่", "บันทึกร่าง", "เปิดรับความเห็น"]
    for label in labels:
        assert label in text
    assert "ครีเอทีฟคอมมอนส์ แสดงที่มา (CC BY) นำไปใช้ ดัดแปลง และใช้เชิงพาณิชย์ได้" in text
    assert "อุทิศเป็นสาธารณสมบัติ (CC0)" in text
    assert "คั่นแต่ละคำด้วยเครื่องหมายจุลภาค" in text


def test_unknown_blog_write_form_is_404(client, auth, cast):
    auth.login("somchai")
    assert client.get("/b/no-such-blog/write").status_code == 404
    assert client.post("/b/no-such-blog/write", data=entry_form()).status_code == 404


def test_write_picker_sends_a_member_without_blogs_to_create_one(client, auth, cast):
    make_user("newbie")
    auth.login("newbie")
    response = client.get("/write")
    assert response.status_code == 302
    assert response.headers["Location"] == "/blogs/new"
    assert "สร้างบล็อกของคุณก่อน" in page_text(client.get("/blogs/new"))


def test_write_picker_goes_straight_to_the_only_blog(client, auth, cast):
    auth.login("prasert")
    make_blog(cast.stranger, "prasert-blog", title="บล็อกประเสริฐ")
    response = client.get("/write")
    assert response.status_code == 302
    assert response.headers["Location"] == "/b/prasert-blog/write"


def test_write_picker_lists_every_writable_blog(client, auth, cast):
    make_blog(cast.coauthor, "malee-blog", title="บล็อกมาลี")
    auth.login("malee")
    response = client.get("/write")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'href="/b/km-notes/write"' in body
    assert 'href="/b/malee-blog/write"' in body
    # Only the blog she does not own (can('manage_blog') is false) is marked as co-authored.
    items = body.split("<li>")
    assert "(ผู้เขียนร่วม)" in next(item for item in items if 'href="/b/km-notes/write"' in item)
    assert "(ผู้เขียนร่วม)" not in next(item for item in items if 'href="/b/malee-blog/write"' in item)


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"title": ""}, "กรุณากรอกชื่อบันทึก"),
        ({"title": "ก" * 201}, "ยาวได้ไม่เกิน 200 ตัวอักษร"),
        ({"body": "   "}, "กรุณาเขียนเนื้อหาบันทึก"),
        ({"license": "gpl"}, "ไม่รู้จักสัญญาอนุญาตนี้"),
        ({"tags": ", ".join(f"tag{i}" for i in range(11))}, "ใส่คำสำคัญได้ไม่เกิน 10 คำ"),
        ({"tags": "ก" * 51}, "ยาวเกิน 50 ตัวอักษร"),
        ({"status": None}, "กรุณาเลือกสถานะ"),
        ({"status": "live"}, "กรุณาเลือกสถานะ"),
    ],
)
def test_invalid_entries_are_refused_beside_the_field(client, auth, cast, overrides, field_message):
    auth.login("somchai")
    response = client.post("/b/km-notes/write", data=entry_form(**overrides))
    assert response.status_code == 400
    assert field_message in page_text(response)
    assert 'class="errors"' in response.get_data(as_text=True)
    assert entry_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0


def test_body_over_the_limit_is_refused_and_nothing_is_written(client, auth, cast, app):
    limit = app.config["MAX_ENTRY_BODY_BYTES"]
    assert limit == 200 * 1024
    auth.login("somchai")
    response = client.post("/b/km-notes/write", data=entry_form(body="a" * (limit + 1), tags="km, ชุมพร"))
    assert response.status_code == 400
    assert "เนื้อหายาวเกินไป: ได้ไม่เกิน 200 KB" in page_text(response)
    assert entry_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Tag)) == 0
    # Thai letters are three bytes each: 68,267 of them are under 205,000 characters but over the limit.
    thai = "ก" * (limit // 3 + 1)
    assert client.post("/b/km-notes/write", data=entry_form(body=thai)).status_code == 400
    # Exactly at the limit is fine, and the refused attempts used up no entry numbers.
    response = client.post("/b/km-notes/write", data=entry_form(body="a" * limit))
    assert response.status_code == 302
    assert only_entry().number == 1


def test_tags_are_normalised_and_shared(client, auth, cast):
    auth.login("somchai")
    client.post("/b/km-notes/write", data=entry_form(tags="#KM, km , ชุมพร，การจัดการความรู้"))
    auth.logout()
    auth.login("malee")
    client.post("/b/km-notes/write", data=entry_form(title="บันทึกที่สอง", tags="KM"))
    names = db.session.scalars(select(Tag.name).order_by(thai_order(Tag.name))).all()
    assert names == ["การจัดการความรู้", "ชุมพร", "km"]  # Thai dictionary order, Thai before Latin
    first = db.session.scalars(select(Entry).where(Entry.number == 1)).one()
    assert [tag.name for tag in first.tags] == ["การจัดการความรู้", "ชุมพร", "km"]
    body = client.get("/posts/1").get_data(as_text=True)
    assert 'href="/tags/km"' in body
    assert "#km" in body


def test_draft_is_seen_only_by_its_author_and_the_blog_owner(client, auth, cast):
    auth.login("malee")
    response = client.post("/b/km-notes/write", data=entry_form(title="ร่างของมาลี", status="draft"))
    assert response.status_code == 302
    entry = only_entry()
    assert not entry.is_published and entry.published_at is None
    url = f"/posts/{entry.number}"
    page = client.get(url)
    assert page.status_code == 200
    assert "ร่าง — ยังไม่เผยแพร่" in page_text(page)
    auth.logout()
    assert client.get(url).status_code == 404
    auth.login("prasert")
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/edit").status_code == 404
    assert client.post(f"{url}/delete", data={"confirm": "y"}).status_code == 404
    auth.logout()
    auth.login("somchai")
    assert client.get(url).status_code == 200


def test_a_draft_by_the_owner_is_hidden_from_co_authors(client, auth, cast):
    entry = make_entry(cast.blog, cast.owner, publish=False)
    auth.login("malee")
    assert client.get(f"/posts/{entry.number}").status_code == 404


def test_publishing_a_draft_sets_published_at_then(client, auth, cast):
    entry = make_entry(cast.blog, cast.owner, publish=False)
    assert entry.published_at is None
    auth.login("somchai")
    response = client.post(f"/posts/{entry.number}/edit", data=entry_form(status="published"))
    assert response.status_code == 302
    entry = only_entry()
    assert entry.is_published
    assert entry.published_at is not None and entry.published_at >= entry.created_at
    auth.logout()
    assert client.get(f"/posts/{entry.number}").status_code == 200


# --- editing and deleting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "editor", "status"),
    [
        ("somchai", "somchai", 302),  # the author
        ("malee", "malee", 302),  # a co-author, on their own entry
        ("malee", "somchai", 302),  # the blog's owner, on a co-author's entry
        ("somchai", "malee", 403),  # a co-author may not edit the owner's entry
        ("malee", "prasert", 403),  # a member with no part in the blog
        ("somchai", "prasert", 403),
    ],
)
def test_who_may_edit_an_entry(client, auth, cast, author, editor, status):
    people = {"somchai": cast.owner, "malee": cast.coauthor}
    entry = make_entry(cast.blog, people[author], title="ชื่อเดิม", tags="km")
    number, created = entry.number, entry.created_at
    auth.login(editor)
    assert client.get(f"/posts/{number}/edit").status_code == (200 if status == 302 else 403)
    response = client.post(f"/posts/{number}/edit", data=entry_form(title="ชื่อใหม่", body="**ตัวหนา**", tags="ชุมพร"))
    assert response.status_code == status
    entry = only_entry()
    if status == 302:
        assert response.headers["Location"] == f"/posts/{number}"
        assert (entry.title, entry.number, entry.author.username) == ("ชื่อใหม่", number, author)
        assert "<strong>ตัวหนา</strong>" in entry.body_html
        assert [tag.name for tag in entry.tags] == ["ชุมพร"]
        assert entry.updated_at > created
    else:
        assert entry.title == "ชื่อเดิม"
        assert [tag.name for tag in entry.tags] == ["km"]


def test_edit_form_is_filled_with_the_entry(client, auth, cast):
    entry = make_entry(
        cast.blog, title="ชื่อเดิม", body="บรรทัดแรก", tags="KM, ชุมพร", license="cc-by-sa", comments_enabled=False
    )
    auth.login("somchai")
    body = client.get(f"/posts/{entry.number}/edit").get_data(as_text=True)
    assert 'value="ชื่อเดิม"' in body
    assert "บรรทัดแรก</textarea>" in body
    assert 'value="ชุมพร, km"' in body
    assert '<option selected value="cc-by-sa">' in body
    assert 'id="comments_enabled" name="comments_enabled" type="checkbox" value="y">' in body


def test_invalid_edit_changes_nothing(client, auth, cast, app):
    entry = make_entry(cast.blog, title="ชื่อเดิม", body="เดิม", tags="km")
    auth.login("somchai")
    too_big = "a" * (app.config["MAX_ENTRY_BODY_BYTES"] + 1)
    data = entry_form(title="ใหม่", body=too_big, tags="x")
    response = client.post(f"/posts/{entry.number}/edit", data=data)
    assert response.status_code == 400
    entry = only_entry()
    assert (entry.title, entry.body_markdown, [t.name for t in entry.tags]) == ("ชื่อเดิม", "เดิม", ["km"])


@pytest.mark.parametrize(
    ("author", "deleter", "status"),
    [
        ("somchai", "somchai", 302),
        ("malee", "malee", 302),
        ("malee", "somchai", 302),
        ("somchai", "malee", 403),
        ("somchai", "prasert", 403),
    ],
)
def test_who_may_delete_an_entry(client, auth, cast, author, deleter, status):
    people = {"somchai": cast.owner, "malee": cast.coauthor}
    entry = make_entry(cast.blog, people[author])
    number = entry.number
    auth.login(deleter)
    assert client.get(f"/posts/{number}/delete").status_code == (200 if status == 302 else 403)
    response = client.post(f"/posts/{number}/delete", data={"confirm": "y"})
    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"] == "/b/km-notes"
        assert entry_count() == 0
        assert client.get(f"/posts/{number}").status_code == 404
    else:
        assert entry_count() == 1


def test_delete_needs_the_confirmation_box(client, auth, cast):
    entry = make_entry(cast.blog)
    auth.login("somchai")
    page = client.get(f"/posts/{entry.number}/delete")
    assert page.status_code == 200
    assert "ฉันเข้าใจว่าบันทึกนี้และความเห็นทั้งหมดจะถูกลบถาวร" in page_text(page)
    response = client.post(f"/posts/{entry.number}/delete", data={})
    assert response.status_code == 400
    assert "กรุณาทำเครื่องหมายยืนยันก่อนลบบันทึก" in page_text(response)
    assert entry_count() == 1


def test_deleting_takes_comments_and_tag_links_with_it(client, auth, cast):
    from app.comments.services import add_comment

    entry = make_entry(cast.blog, tags="km")
    add_comment(entry, "ขอบคุณครับ", user=cast.stranger)
    db.session.commit()
    auth.login("somchai")
    assert client.post(f"/posts/{entry.number}/delete", data={"confirm": "y"}).status_code == 302
    from app.models import Comment, entry_tags

    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
    assert db.session.scalar(select(func.count()).select_from(entry_tags)) == 0


# --- numbers -------------------------------------------------------------------------------------


def test_numbers_are_sequential_and_never_reused(client, auth, cast):
    auth.login("somchai")
    numbers = []
    for i in range(3):
        response = client.post("/b/km-notes/write", data=entry_form(title=f"บันทึก {i}"))
        numbers.append(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert numbers == [1, 2, 3]
    client.post("/posts/3/delete", data={"confirm": "y"})
    client.post("/posts/2/delete", data={"confirm": "y"})
    response = client.post("/b/km-notes/write", data=entry_form(title="บันทึกใหม่"))
    assert response.headers["Location"] == "/posts/4"
    assert client.get("/posts/1").status_code == 200
    assert client.get("/posts/2").status_code == 404
    assert client.get("/posts/4").status_code == 200


def test_editing_keeps_the_number(client, auth, cast):
    make_entry(cast.blog)
    second = make_entry(cast.blog)
    auth.login("somchai")
    client.post(f"/posts/{second.number}/edit", data=entry_form(title="แก้แล้ว"))
    db.session.expire_all()
    assert db.session.scalar(select(Entry.number).where(Entry.title == "แก้แล้ว")) == 2


@pytest.mark.parametrize("url", ["/posts/001", "/posts/%E0%B9%91"])
def test_other_spellings_of_a_number_redirect_to_the_one_address(client, cast, url):
    make_entry(cast.blog)
    response = client.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == "/posts/1"


@pytest.mark.parametrize(
    "url",
    [
        "/posts/999",
        "/posts/0",
        "/posts/abc",
        "/posts/-1",
        "/posts/1.5",
        "/posts/99999999999999999999999",
        "/posts/2147483648",
        "/posts/999/edit",
        "/posts/abc/edit",
        "/posts/999/delete",
    ],
)
def test_unknown_numbers_are_404(client, auth, cast, url):
    make_entry(cast.blog)
    auth.login("somchai")
    assert client.get(url).status_code == 404


def test_forms_carry_a_csrf_token_and_posts_without_it_are_refused(app, client, auth, cast):
    entry = make_entry(cast.blog)
    auth.login("somchai")
    app.config["WTF_CSRF_ENABLED"] = True
    for url in ["/b/km-notes/write", f"/posts/{entry.number}/edit", f"/posts/{entry.number}/delete"]:
        assert 'name="csrf_token"' in client.get(url).get_data(as_text=True), url
    assert client.post("/b/km-notes/write", data=entry_form(title="ปลอม")).status_code == 400
    assert client.post(f"/posts/{entry.number}/delete", data={"confirm": "y"}).status_code == 400
    assert entry_count() == 1
