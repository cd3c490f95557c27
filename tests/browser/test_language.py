"""Switching the interface language in Chromium: the footer switcher, the cookie, Accept-Language, dates."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.helpers import create_blog, register, unique, write_entry

THAI = re.compile(r"[\u0e00-\u0e7f]")
ONE_YEAR = 365 * 24 * 3600


def test_switching_to_english_and_back_is_remembered_and_changes_dates(contexts):
    page = contexts.new().new_page()
    page.goto("/tags")
    expect(page.locator("html")).to_have_attribute("lang", "th")
    page.locator("footer nav.lang-switch a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"/tags$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    search_button = page.locator("header form[role=search] button[type=submit]")
    expect(search_button).to_have_text(re.compile("search", re.IGNORECASE))
    expect(page.locator("a.skip-link")).to_have_text(re.compile("skip", re.IGNORECASE))
    expect(page.locator("header nav a[href='/c']")).not_to_have_text(THAI)

    cookie = next(c for c in page.context.cookies() if c["name"] == "sala_lang")
    assert cookie["value"] == "en"
    assert cookie["sameSite"] == "Lax"
    assert cookie["expires"] - datetime.now().timestamp() > ONE_YEAR - 24 * 3600

    # Remembered: a member who registers and writes keeps the English interface, with Common Era dates.
    register(page, unique("writer"), "คุณภาษา")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    slug = unique("blog")
    create_blog(page, slug, "บล็อกสองภาษา")
    number = write_entry(page, slug, "บันทึกทดลองสลับภาษา", "เนื้อหาภาษาไทย")
    year = datetime.now(ZoneInfo("Asia/Bangkok")).year
    written = page.locator("article .entry-meta time").first
    expect(written).to_contain_text(str(year))
    expect(written).not_to_contain_text(str(year + 543))

    page.locator("footer nav.lang-switch a[hreflang=th]").click()
    expect(page).to_have_url(re.compile(rf"/posts/{number}$"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
    expect(search_button).to_have_text("ค้นหา")
    expect(written).to_contain_text(str(year + 543))


def test_english_browser_gets_english_until_it_chooses_thai(contexts):
    page = contexts.new(locale="en-US").new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("footer nav.lang-switch a[hreflang=th]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "th")
