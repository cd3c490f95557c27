"""A comment with too many links waits in the queue; the entry's author approves it in the browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import create_blog, register, unique, write_entry

SPAM = "ดูเพิ่มที่ http://a.example http://b.example http://c.example"


def test_a_guest_comment_with_many_links_waits_until_the_author_approves_it(contexts):
    author = contexts.new().new_page()
    register(author, unique("writer"), "คุณสุดา")
    blog_slug = unique("blog")
    create_blog(author, blog_slug, "บล็อกสวนผักคนเมือง")
    number = write_entry(author, blog_slug, "ปลูกผักบนดาดฟ้า", "เริ่มจากกระถางสามใบ")

    guest = contexts.new().new_page()
    guest.goto(f"/posts/{number}")
    guest.locator("#comment-form a", has_text="เขียนความเห็นในฐานะผู้เยี่ยมชม").click()
    form = guest.locator("form#comment-form")
    expect(form.locator("#website")).not_to_be_in_viewport()  # off-screen, out of sight
    form.locator("#guest_name").fill("ครูแดง")
    form.locator("#guest_email").focus()
    guest.keyboard.press("Tab")
    expect(form.locator("#body")).to_be_focused()  # the honeypot is skipped by the keyboard
    form.locator("#body").fill(SPAM)
    form.locator("button[type=submit]").click()
    expect(guest).to_have_url(re.compile(rf"/posts/{number}#comments$"))
    expect(guest.locator(".flashes")).to_contain_text("จะแสดงเมื่อเจ้าของบันทึกหรือผู้ดูแลอนุมัติ")
    expect(guest.locator("#comments article.comment")).to_have_count(0)

    author.goto("/dashboard")
    author.locator("main .pending-comments a[href='/moderation']").click()
    item = author.locator("main .moderation-queue article.comment")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("มีลิงก์เกินจำนวนที่กำหนด")
    item.get_by_role("button", name="อนุมัติ").click()
    expect(author.locator(".flashes")).to_contain_text("อนุมัติความเห็นแล้ว")
    expect(author.locator("main .empty")).to_contain_text("ไม่มีความเห็นที่รออนุมัติ")

    guest.reload()
    expect(guest.locator("#comments article.comment .comment-author")).to_have_text("ครูแดง")
    expect(guest.locator("#comments-heading")).to_have_text("ความเห็น (1)")
