"""Every form field on every page has a label a screen reader can announce."""

from __future__ import annotations

import pytest

from tests.factories import make_blog, make_entry, make_station, make_user
from tests.ui.html_tree import Element, page, parse_html

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


@pytest.fixture
def world(app):
    owner = make_user("somchai")
    blog = make_blog(owner, "km-notes")
    entry = make_entry(blog, title="ลปรร. ครั้งแรก", tags="KM")
    make_station(owner)
    return {"entry": entry}


def _unlabelled(doc: Element) -> list[str]:
    label_targets = {label.attrs["for"] for label in doc.find_all("label") if label.attrs.get("for")}
    missing = []
    for control in doc.iter():
        if control.tag not in ("input", "select", "textarea"):
            continue
        if control.tag == "input" and control.attrs.get("type", "text") in UNLABELLED_TYPES:
            continue
        if control.attrs.get("aria-label") or control.attrs.get("aria-labelledby"):
            continue
        if control.attrs.get("id") in label_targets:
            continue
        if any(ancestor.tag == "label" for ancestor in control.ancestors()):
            continue
        missing.append(f"<{control.tag} name={control.attrs.get('name')!r} id={control.attrs.get('id')!r}>")
    return missing


GUEST_PAGES = ["/", "/login", "/register", "/search", "/search?q=KM", "/no-such-page", "/c", "/tags"]
MEMBER_PAGES = [
    "/dashboard",
    "/blogs/new",
    "/b/km-notes/write",
    "/b/km-notes/edit",
    "/b/km-notes/authors",
    "/b/km-notes/delete",
    "/c/new",
    "/c/Chumphon-KM-Station/edit",
    "/c/Chumphon-KM-Station/submit",
    "/c/Chumphon-KM-Station/members",
    "/account/profile",
    "/account/password",
]


@pytest.mark.parametrize("path", GUEST_PAGES)
def test_guest_pages(client, world, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert _unlabelled(page(response)) == []


def test_the_guest_comment_form_page(client, world):
    doc = page(client.get(f"/posts/{world['entry'].number}/comments"))
    assert doc.find("form", id="comment-form") is not None
    assert _unlabelled(doc) == []


@pytest.mark.parametrize("path", MEMBER_PAGES + ["/posts/{number}/edit", "/posts/{number}/delete"])
def test_member_pages(client, auth, world, path):
    auth.login("somchai")
    response = client.get(path.format(number=world["entry"].number))
    assert response.status_code == 200
    doc = page(response)
    assert doc.find_all("input") or doc.find_all("textarea")
    assert _unlabelled(doc) == []


def test_the_audit_catches_a_bare_field():
    doc = parse_html(
        '<form><label for="a">A</label><input id="a"><input name="b"><label><input name="c"></label>'
        '<label>ไม่ผูก</label><textarea id="d"></textarea><input type="hidden" name="e"></form>'
    )
    assert _unlabelled(doc) == ["<input name='b' id=None>", "<textarea name=None id='d'>"]
