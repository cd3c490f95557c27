"""A member's way through Sala in a real browser: register, blog, write, station, comments and search."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.helpers import create_blog, log_in, register, submit, unique, write_entry

TABLE_BODY = """ผลการประชุมแลกเปลี่ยนเรียนรู้ของทีมงาน

| กิจกรรม | ผู้รับผิดชอบ | กำหนดเสร็จ |
| --- | --- | --- |
| ถอดบทเรียนโครงการ | คุณสมศรี | มีนาคม |
| จัดเวทีชุมชน | คุณประเสริฐ | เมษายน |
"""


def test_new_member_registers_creates_a_blog_and_publishes_an_entry_with_a_table(page: Page):
    username = unique("writer")
    register(page, username, "สมชาย ใจดี")
    expect(page.locator("main h1")).to_contain_text("สมชาย ใจดี")
    # A new member's dashboard says what to do first; follow it.
    page.locator("main .getting-started a[href='/blogs/new']").click()
    expect(page).to_have_url(re.compile(r"/blogs/new$"))

    slug = unique("km")
    create_blog(page, slug, "บันทึกทีม KM ชุมพร")
    expect(page.locator("main h1")).to_have_text("บันทึกทีม KM ชุมพร")

    number = write_entry(page, slug, "สรุปเวทีแลกเปลี่ยนเรียนรู้", TABLE_BODY, tags="การจัดการความรู้, ชุมพร")
    expect(page.locator(".flashes")).to_contain_text("เผยแพร่บันทึกแล้ว")
    table = page.locator("article .entry-body table")
    expect(table.locator("th")).to_have_text(["กิจกรรม", "ผู้รับผิดชอบ", "กำหนดเสร็จ"])
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("ถอดบทเรียนโครงการ")
    expect(page.locator("article ul.tags a")).to_have_text(["#การจัดการความรู้", "#ชุมพร"])

    page.goto("/")
    expect(page.locator(f"main a[href='/posts/{number}']")).to_have_text("สรุปเวทีแลกเปลี่ยนเรียนรู้")


def test_blog_submitted_to_a_station_reaches_its_feed_once_the_moderator_approves(contexts, live_server):
    owner_name, station_slug = unique("mod"), unique("station")
    with live_server.app_context():
        owner = factories.make_user(owner_name, display_name="คุณวิภา ผู้ดูแล")
        factories.make_station(owner, station_slug, name="ชุมชนคนทำ KM ภาคใต้")

    writer = contexts.new().new_page()
    register(writer, unique("writer"), "คุณมานะ")
    blog_slug = unique("blog")
    create_blog(writer, blog_slug, "บล็อกงานส่งเสริมการเกษตร")
    number = write_entry(writer, blog_slug, "ปลูกผักปลอดสารในโรงเรียน", "ครูและนักเรียนช่วยกันปลูกผัก")

    writer.goto(f"/c/{station_slug}")
    writer.locator("main form[action$='/join'] button").click()
    expect(writer.locator(".flashes")).to_contain_text("เข้าร่วมชุมชน")
    writer.locator(f"main a[href='/c/{station_slug}/submit']").first.click()
    writer.locator("#blog").select_option(blog_slug)
    submit(writer)
    expect(writer.locator(".flashes")).to_contain_text("รอผู้ดูแลอนุมัติ")
    feed = writer.locator("main section.entries")
    expect(feed.locator(f"a[href='/posts/{number}']")).to_have_count(0)

    moderator = contexts.new().new_page()
    log_in(moderator, owner_name)
    pending = moderator.locator("main .pending-requests")
    expect(pending).to_contain_text("บล็อกงานส่งเสริมการเกษตร")
    pending.get_by_role("link", name="พิจารณา").click()
    expect(moderator).to_have_url(re.compile(rf"/c/{station_slug}/members$"))
    moderator.locator(f"form[action='/c/{station_slug}/blogs/{blog_slug}/approve'] button").click()
    expect(moderator.locator(".flashes")).to_contain_text("รับบล็อก “บล็อกงานส่งเสริมการเกษตร” เข้าชุมชนแล้ว")

    writer.goto(f"/c/{station_slug}")
    expect(feed.locator(f"a[href='/posts/{number}']")).to_have_text("ปลูกผักปลอดสารในโรงเรียน")
    writer.goto(f"/posts/{number}")
    expect(writer.locator("article .stations")).to_contain_text("ชุมชนคนทำ KM ภาคใต้")


def test_guest_comments_on_a_blog_that_allows_guests_and_not_after_the_owner_turns_it_off(contexts):
    author = contexts.new().new_page()
    register(author, unique("writer"), "คุณสุดา")
    blog_slug = unique("blog")
    create_blog(author, blog_slug, "บล็อกห้องสมุดชุมชน")
    number = write_entry(author, blog_slug, "มุมอ่านหนังสือของเด็ก", "ชวนเด็กมาอ่านหนังสือทุกวันเสาร์")
    author.goto(f"/b/{blog_slug}/edit")
    expect(author.locator("#allow_guest_comments")).to_be_checked()

    guest = contexts.new().new_page()
    guest.goto(f"/posts/{number}")
    # The entry page is kept for every guest alike: guests write on the form's own page.
    guest.locator("#comment-form a", has_text="เขียนความเห็นในฐานะผู้เยี่ยมชม").click()
    expect(guest).to_have_url(re.compile(rf"/posts/{number}/comments$"))
    form = guest.locator("form#comment-form")
    expect(form.locator("input[name=submission_key]")).not_to_have_value("")
    form.locator("#guest_name").fill("ครูแดง")
    form.locator("#guest_email").fill("daeng@example.org")
    form.locator("#body").fill("ขอบคุณที่แบ่งปันค่ะ จะลองทำที่โรงเรียนบ้าง")
    form.locator("button[type=submit]").click()
    expect(guest).to_have_url(re.compile(rf"/posts/{number}#comment-\d+$"))
    comment = guest.locator("#comments article.comment")
    expect(comment).to_have_count(1)
    expect(comment.locator(".comment-author")).to_have_text("ครูแดง")
    expect(comment.locator(".guest-marker")).to_be_visible()
    expect(comment.locator(".comment-body")).to_have_text("ขอบคุณที่แบ่งปันค่ะ จะลองทำที่โรงเรียนบ้าง")
    expect(comment).not_to_contain_text("daeng@example.org")

    author.locator("#allow_guest_comments").uncheck()
    submit(author)
    expect(author.locator(".flashes")).to_contain_text("บันทึกการตั้งค่าบล็อกแล้ว")
    guest.reload()
    expect(guest.locator("#comment-form")).to_have_count(0)
    expect(guest.locator("#comments")).to_contain_text("บล็อกนี้รับความเห็นจากสมาชิกเท่านั้น")


def test_reader_searches_a_thai_word_and_opens_the_result(contexts):
    author = contexts.new().new_page()
    register(author, unique("writer"), "คุณชาตรี")
    blog_slug = unique("blog")
    create_blog(author, blog_slug, "บล็อกสวนผลไม้")
    title = "เก็บเกี่ยวทุเรียนหมอนทองอย่างไรให้ได้คุณภาพ"
    number = write_entry(author, blog_slug, title, "เกษตรกรเล่าวิธีดูทุเรียนที่แก่จัดก่อนตัดลงจากต้น")

    reader = contexts.new().new_page()
    reader.goto("/")
    reader.locator("#site-search-q").fill("ทุเรียน")
    reader.locator("#site-search-q").press("Enter")
    expect(reader).to_have_url(re.compile(r"/search\?q="))
    hit = reader.locator("ol.search-hits li.search-hit").filter(has=reader.locator(f"a[href='/posts/{number}']"))
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text("ทุเรียน")
    hit.locator(f"h3 a[href='/posts/{number}']").click()
    expect(reader).to_have_url(re.compile(rf"/posts/{number}$"))
    expect(reader.locator("h1.entry-title")).to_have_text(title)
