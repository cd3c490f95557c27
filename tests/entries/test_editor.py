"""The entry editor: its markup (toolbar, preview, drafts, tag suggestions, license help) and POST /preview."""

from __future__ import annotations

import re

import pytest

from app.licenses import LICENSES, LICENSES_BY_CODE
from app.models import Entry
from tests.csrf_client import csrf_protected_client, page_token
from tests.entries.conftest import entry_form
from tests.factories import make_entry

TOOLBAR_ACTIONS = ("bold", "heading", "list", "table", "link", "image", "quote")
ATTRS = r'(?:[^>"]|"[^"]*")*'  # the rest of a start tag, quoted values may hold ">"


def html(response) -> str:
    return response.get_data(as_text=True)


def preview(client, body, **kwargs):
    return client.post("/preview", json={"body": body}, **kwargs)


# ---------- POST /preview ----------


def test_preview_renders_markdown_like_saving_does(client, auth, cast):
    auth.login("somchai")
    body = "## หัวข้อ\n\n**ตัวหนา** และ [ลิงก์](https://example.org)\n\n| ก | ข |\n| --- | --- |\n| 1 | 2 |"
    response = preview(client, body)
    assert response.status_code == 200
    rendered = response.get_json()["html"]
    assert "<h2>หัวข้อ</h2>" in rendered
    assert "<strong>ตัวหนา</strong>" in rendered
    assert '<a href="https://example.org" rel="nofollow noopener">ลิงก์</a>' in rendered
    assert "<table>" in rendered and "<td>1</td>" in rendered

    client.post("/b/km-notes/write", data=entry_form(body=body))
    from app.extensions import db

    assert db.session.scalar(db.select(Entry.body_html)) == rendered


def test_preview_is_sanitised(client, auth, cast):
    auth.login("somchai")
    body = 'ก่อน<script>alert("xss")</script>หลัง <img src="x" onerror="alert(1)"> [x](javascript:alert(1))'
    rendered = preview(client, body).get_json()["html"]
    assert "<script" not in rendered
    assert "alert" not in rendered
    assert "onerror" not in rendered
    assert "javascript:" not in rendered
    assert "ก่อน" in rendered and "หลัง" in rendered


def test_preview_takes_a_form_field_too(client, auth, cast):
    auth.login("somchai")
    response = client.post("/preview", data={"body": "*เอียง*"})
    assert response.get_json() == {"html": "<p><em>เอียง</em></p>"}


def test_empty_preview_is_empty(client, auth, cast):
    auth.login("somchai")
    assert preview(client, "  \n").get_json() == {"html": ""}


@pytest.mark.parametrize("payload", [{"text": "x"}, {"body": 5}, ["body"]])
def test_preview_without_a_text_body_is_400(client, auth, cast, payload):
    auth.login("somchai")
    response = client.post("/preview", json=payload)
    assert response.status_code == 400
    assert response.get_json()["error"] == "ไม่พบเนื้อหาที่จะแสดงตัวอย่าง"


def test_preview_over_the_entry_limit_is_413_in_thai(app, client, auth, cast):
    auth.login("somchai")
    limit = app.config["MAX_ENTRY_BODY_BYTES"]
    assert preview(client, "ก" * (limit // 3)).status_code == 200
    response = preview(client, "ก" * (limit // 3 + 1))
    assert response.status_code == 413
    assert response.get_json()["error"].startswith("เนื้อหายาวเกินไป: ได้ไม่เกิน 200 KB")


def test_preview_needs_login(client, cast):
    response = preview(client, "**x**")
    assert response.status_code == 401
    assert response.get_json() == {"error": "กรุณาเข้าสู่ระบบก่อน"}


def test_preview_needs_the_csrf_token(app, cast):
    client = csrf_protected_client(app, login="somchai")
    refused = preview(client, "**x**")
    assert refused.status_code == 400
    assert "แบบฟอร์มหมดอายุ" in refused.get_json()["error"]
    token = page_token(html(client.get("/b/km-notes/write")))
    accepted = preview(client, "**x**", headers={"X-CSRFToken": token})
    assert accepted.get_json() == {"html": "<p><strong>x</strong></p>"}


def test_preview_only_answers_post(client, auth, cast):
    auth.login("somchai")
    assert client.get("/preview").status_code == 405


# ---------- the editor page ----------


@pytest.fixture
def editor_page(client, auth, cast) -> str:
    auth.login("somchai")
    response = client.get("/b/km-notes/write")
    assert response.status_code == 200
    return html(response)


def test_editor_loads_its_script_and_styles_without_inline_code(editor_page):
    head = editor_page.split("</head>")[0]
    assert re.search(r'<script src="/static/js/editor\.js" defer></script>', head)
    assert '<link rel="stylesheet" href="/static/css/editor.css">' in head
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', head)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", editor_page), "inline script"
    assert not re.search(r"\son[a-z]+=", editor_page), "inline event handler"
    assert ' style="' not in editor_page


def test_editor_has_the_toolbar(editor_page):
    toolbar = re.search(
        r'<div class="md-toolbar" role="toolbar" aria-label="[^"]+" aria-controls="body" hidden>(.*?)</div>',
        editor_page,
        re.S,
    )
    assert toolbar
    for action in (*TOOLBAR_ACTIONS, "upload", "preview"):
        button = re.search(rf'<button type="button"{ATTRS}data-md="{action}"{ATTRS}>', toolbar.group(1))
        assert button, action
        assert re.search(r'aria-label="[\u0e00-\u0e7f][^"]*"', button.group(0)), action
        assert re.search(r'title="[^"]+"', button.group(0)), action
    assert 'aria-label="ตัวหนา (Ctrl+B)"' in toolbar.group(1)
    assert 'data-md="preview" aria-pressed="false" aria-controls="md-preview"' in toolbar.group(1)
    assert re.search(
        r'<input type="file" id="image-upload" accept="image/jpeg,image/png,image/webp,image/gif"[^>]*hidden>',
        editor_page,
    )
    assert not re.search(r'<input type="file"[^>]*\sname=', editor_page), "the file must not go with the form"


def test_editor_has_the_preview_region_and_draft_notice(editor_page):
    assert re.search(
        r'<div id="md-preview" class="md-preview" role="region"[^>]*aria-live="polite" hidden>', editor_page
    )
    assert '<textarea aria-describedby="body-hint" class="editor" id="body" name="body"' in editor_page
    notice = re.search(r'<div id="draft-restore".*?</div>\s*</div>', editor_page, re.S).group(0)
    assert " hidden>" in notice.split("\n")[0]
    assert 'data-draft="restore"' in notice and 'data-draft="discard"' in notice
    form = re.search(r"<form [^>]*data-editor[^>]*>", editor_page).group(0)
    assert 'action="/b/km-notes/write"' in form
    assert 'data-preview-url="/preview"' in form
    assert 'data-upload-url="/uploads"' in form
    assert 'data-suggest-url="/tags/suggest"' in form
    assert 'data-max-upload-bytes="10485760"' in form
    assert 'data-text-upload-too-large="ไฟล์ใหญ่เกินไป: รูปภาพแต่ละไฟล์ต้องไม่เกิน 10 MB"' in form
    assert '<input type="hidden" name="draft_token" id="draft-token" value="">' in editor_page


def test_tag_field_uses_the_suggestion_list(editor_page):
    assert re.search(r'<input[^>]*id="tags"[^>]*list="tag-suggestions"', editor_page)
    assert '<datalist id="tag-suggestions"></datalist>' in editor_page


def test_license_picker_explains_the_chosen_license(editor_page):
    assert re.search(r'<select aria-describedby="license-help license-hint" id="license" name="license">', editor_page)
    default = LICENSES_BY_CODE["all-rights-reserved"]
    assert f'<p class="license-help" id="license-help" aria-live="polite">{default.summary}</p>' in editor_page
    # Without JavaScript every meaning is one click away.
    details = re.search(r'<details class="license-list">(.*?)</details>', editor_page, re.S).group(1)
    for lic in LICENSES:
        assert f'data-license-code="{lic.code}"' in details
        assert f"<span data-license-summary>{lic.summary}</span>" in details
        assert f'<option{" selected" if lic.code == default.code else ""} value="{lic.code}">{lic.label}</option>' in (
            editor_page
        )


def test_edit_page_explains_the_entrys_license(client, auth, cast):
    entry = make_entry(cast.blog, license="cc-by-sa")
    auth.login("somchai")
    page = html(client.get(f"/posts/{entry.number}/edit"))
    summary = LICENSES_BY_CODE["cc-by-sa"].summary
    assert f'<p class="license-help" id="license-help" aria-live="polite">{summary}</p>' in page
    assert f'action="/posts/{entry.number}/edit"' in page


def test_body_errors_are_announced_with_the_field(client, auth, cast):
    auth.login("somchai")
    page = html(client.post("/b/km-notes/write", data=entry_form(body="")))
    assert 'aria-describedby="body-err body-hint"' in page
    assert 'aria-invalid="true"' in page
    assert '<ul class="errors" id="body-err">' in page


# ---------- local drafts: the server confirms which were saved ----------


def saved_drafts(page: str) -> list[str]:
    return re.search(r'data-saved-drafts="([^"]*)"', page).group(1).split()


def test_a_successful_save_confirms_the_drafts_token(client, auth, cast):
    auth.login("somchai")
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == []
    response = client.post("/b/km-notes/write", data=entry_form(draft_token="tok-first-1234"))
    assert response.status_code == 302
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == ["tok-first-1234"]

    entry = make_entry(cast.blog, title="อีกเรื่อง")
    data = entry_form(title="แก้แล้ว", draft_token="tok-edit-5678")
    assert client.post(f"/posts/{entry.number}/edit", data=data).status_code == 302
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == ["tok-first-1234", "tok-edit-5678"]


def test_a_refused_save_does_not_confirm_the_token(client, auth, cast):
    auth.login("somchai")
    page = client.post("/b/km-notes/write", data=entry_form(title="", draft_token="tok-refused-1234"))
    assert page.status_code == 400
    assert saved_drafts(html(page)) == []
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == []


def test_only_well_formed_tokens_are_kept_and_only_the_last_ten(client, auth, cast):
    auth.login("somchai")
    client.post("/b/km-notes/write", data=entry_form(draft_token='"><script>'))
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == []
    for n in range(12):
        client.post("/b/km-notes/write", data=entry_form(title=f"เรื่อง {n}", draft_token=f"token-{n:04d}"))
    assert saved_drafts(html(client.get("/b/km-notes/write"))) == [f"token-{n:04d}" for n in range(2, 12)]
