"""Sala on a 360 px phone: nothing wider than the screen, and the search box and the menu within reach."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import MOBILE
from tests.browser.helpers import create_blog, no_horizontal_overflow, register, unique, write_entry

WIDTH = MOBILE["width"]
WIDE_TABLE = """ตารางสรุปงบประมาณ

| โครงการ | หน่วยงานที่รับผิดชอบ | งบประมาณที่ได้รับจัดสรร (บาท) | ผลการดำเนินงานไตรมาสที่หนึ่ง | หมายเหตุ |
| --- | --- | --- | --- | --- |
| พัฒนาศักยภาพบุคลากรด้านการจัดการความรู้ | สำนักงานสาธารณสุขจังหวัดชุมพร | 1,250,000 | ดำเนินการแล้วร้อยละเจ็ดสิบห้า | ต่อเนื่อง |

https://example.org/a/very/long/address/that/should/wrap/instead/of/widening/the/page/on/a/small/phone
"""


def _menu_and_search_within_reach(page: Page) -> None:
    """Every header menu item can be clicked (after opening a menu button, if the design has one)."""
    items = page.locator("header nav a, header nav button")
    if not items.first.is_visible():
        page.locator("header button[aria-expanded]").first.click()
    assert items.count() > 0
    for index in range(items.count()):
        items.nth(index).click(trial=True)
    search_box = page.locator("#site-search-q")
    search_box.click(trial=True)
    box = search_box.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def test_home_and_entry_fit_a_360px_phone_for_writer_and_reader(contexts, screenshot):
    writer = contexts.new(mobile=True).new_page()
    register(writer, unique("phone"), "คุณใช้มือถือ ทำงานนอกสถานที่")
    slug = unique("blog")
    create_blog(writer, slug, "บันทึกจากภาคสนามด้วยโทรศัพท์มือถือ")
    number = write_entry(writer, slug, "สรุปงบประมาณโครงการพัฒนาศักยภาพบุคลากร", WIDE_TABLE, tags="งบประมาณ")
    reader = contexts.new(mobile=True).new_page()

    for page, who in ((writer, "writer"), (reader, "reader")):
        for path, name in (("/", "home"), (f"/posts/{number}", "entry")):
            page.goto(path)
            no_horizontal_overflow(page, WIDTH)
            _menu_and_search_within_reach(page)
            if who == "reader":
                screenshot(page, f"mobile-{name}")

    reader.locator("#site-search-q").fill("งบประมาณ")
    reader.locator("#site-search-q").press("Enter")
    expect(reader).to_have_url(re.compile(r"/search\?q="))
    expect(reader.locator(f"ol.search-hits a[href='/posts/{number}']")).to_be_visible()
    no_horizontal_overflow(reader, WIDTH)
