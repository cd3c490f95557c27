"""The Markdown editor in Chromium: toolbar, preview, image upload, local drafts, tag suggestions, license help."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.helpers import create_blog, png_bytes, register, submit, unique

FORMATTING_BUTTONS = ("bold", "heading", "list", "table", "link", "image", "quote")
THAI = re.compile(r"[\u0e00-\u0e7f]")
MARKDOWN_TABLE = re.compile(r"^.*\|.*\n\|?\s*:?-{3,}:?\s*\|", re.MULTILINE)
UPLOADED_IMAGE = re.compile(r"!\[[^\]]*\]\(/uploads/[^)\s]+\)")


def _open_editor(page: Page) -> str:
    """Register, create a blog and open its editor; returns the editor's path."""
    register(page, unique("writer"), "คุณเขียน ทดสอบ")
    slug = unique("blog")
    create_blog(page, slug, "บล็อกทดลองตัวแก้ไข")
    path = f"/b/{slug}/write"
    page.goto(path)
    return path


def test_toolbar_table_and_image_upload_preview_then_publish(page: Page, screenshot):
    _open_editor(page)
    toolbar = page.locator("div.md-toolbar[role=toolbar]")
    for name in FORMATTING_BUTTONS:
        button = toolbar.locator(f"button[type=button][data-md={name}]")
        expect(button).to_have_count(1)
        expect(button).to_have_accessible_name(THAI)

    page.locator("#title").fill("ตารางงานและแผนผังห้องประชุม")
    body = page.locator("#body")
    body.fill("แผนงานเดือนนี้\n\n")
    body.press("Control+End")
    toolbar.locator("button[data-md=table]").click()
    expect(body).to_have_value(MARKDOWN_TABLE)

    body.press("Control+End")
    body.press_sequentially("\n\n")
    with page.expect_file_chooser() as chooser_info:
        page.locator("button[type=button][data-md=upload]").click()
    chooser = chooser_info.value
    assert chooser.element.get_attribute("id") == "image-upload"
    with page.expect_response(lambda r: r.url.endswith("/uploads") and r.request.method == "POST") as upload:
        chooser.set_files(files=[{"name": "แผนผัง.png", "mimeType": "image/png", "buffer": png_bytes()}])
    assert upload.value.status == 201, upload.value.text()
    expect(body).to_have_value(UPLOADED_IMAGE)
    expect(body).to_have_value(MARKDOWN_TABLE)

    page.locator("button[data-md=preview]").click()
    preview = page.locator("#md-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("aria-live", "polite")
    expect(preview.locator("table")).to_have_count(1)
    expect(preview.locator("img[src^='/uploads/']")).to_have_count(1)
    screenshot(page, "editor-preview")

    page.locator("input[name=status][value=published]").check()
    submit(page)
    expect(page).to_have_url(re.compile(r"/posts/\d+$"))
    expect(page.locator("article .entry-body table")).to_have_count(1)
    expect(page.locator("article .entry-body img[src^='/uploads/']")).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector(\"article .entry-body img[src^='/uploads/']\");"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )


def test_local_draft_is_offered_back_after_a_reload_and_cleared_after_saving(page: Page):
    path = _open_editor(page)
    key = f"sala-draft:{path}"
    page.locator("#body").press_sequentially("ร่างบันทึกที่ยังเขียนไม่เสร็จ ไฟดับพอดี")
    page.wait_for_function("key => (localStorage.getItem(key) || '').includes('ไฟดับพอดี')", arg=key)

    page.reload()
    notice = page.locator("#draft-restore")
    expect(notice).to_be_visible()
    # The contract names the restore button first, then the discard button.
    notice.locator("button").first.click()
    expect(page.locator("#body")).to_have_value(re.compile("ร่างบันทึกที่ยังเขียนไม่เสร็จ ไฟดับพอดี"))

    page.locator("#title").fill("บันทึกที่กู้จากร่าง")
    submit(page)
    expect(page).to_have_url(re.compile(r"/posts/\d+$"))
    # drafts.js runs once the saved entry's page has loaded, which can be a moment after the URL changed.
    page.wait_for_function("key => localStorage.getItem(key) === null", arg=key)
    page.goto(path)
    expect(page.locator("#draft-restore")).to_be_hidden()


def test_tag_field_suggests_existing_tags_and_license_help_follows_the_choice(page: Page, live_server):
    tag = "การจัดการความรู้ชุมชน"
    with live_server.app_context():
        author = factories.make_user(unique("tagger"), display_name="คุณแท็ก คำสำคัญ")
        factories.make_entry(factories.make_blog(author, unique("tags")), tags=tag)
    _open_editor(page)

    tags = page.locator("#tags")
    expect(tags).to_have_attribute("list", "tag-suggestions")
    tags.press_sequentially("การจัดการความรู้ชุ")
    expect(page.locator(f"datalist#tag-suggestions option[value='{tag}']")).to_have_count(1)

    help_text = page.locator("#license-help")
    expect(help_text).to_have_text(THAI)
    before = help_text.inner_text()
    licenses = page.locator("select#license option").evaluate_all("options => options.map(o => o.value)")
    current = page.locator("select#license").input_value()
    page.locator("select#license").select_option(next(code for code in licenses if code != current))
    expect(help_text).not_to_have_text(before)
    expect(help_text).to_have_text(THAI)
