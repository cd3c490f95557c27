"""Pages kept for an audience (app/page_cache/pages.py): rendered once for readers who see the same page, served
to each member with their own parts (navigation, name, CSRF token: app/page_cache/parts.py), and never what
another reader may not see.
"""

from __future__ import annotations

import re

import pytest

from app import reads
from app.comments.services import add_comment, hide_comment
from app.extensions import db
from app.models import Entry
from tests.cache.conftest import BATCHED_READS, CACHE_STATUS
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": True, "PAGE_CACHE_CHECK": False, **BATCHED_READS}


@pytest.fixture
def scene(app):
    """Somchai's entry with a comment by Malee; Prasert and Wipa are members who have not commented."""
    somchai = make_user("somchai", display_name="สมชาย เจ้าของบล็อก")
    malee = make_user("malee", display_name="มาลี ผู้แสดงความเห็น")
    prasert = make_user("prasert", display_name="ประเสริฐ ผู้อ่าน")
    wipa = make_user("wipa", display_name="วิภา ผู้อ่าน")
    entry = make_entry(make_blog(somchai, "km-notes"), title="ถอดบทเรียนเวที KM", tags="km")
    comment = add_comment(entry, "ขอบคุณที่แบ่งปันค่ะ", user=malee, ip_address="198.51.100.7")
    db.session.commit()
    return {"somchai": somchai, "malee": malee, "prasert": prasert, "wipa": wipa, "entry": entry, "comment": comment}


def signed_in(app, username: str):
    """A client of its own, signed in through the real form (with its CSRF token), its welcome flash shown."""
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post("/login", data={"login": username, "password": "password123", "csrf_token": token})
    assert response.status_code == 302
    client.get("/dashboard")  # takes the flash message, which is never kept for an audience
    return client


def page(client, path: str) -> tuple[str | None, str]:
    response = client.get(path)
    response.close()  # a read is written once the response is closed
    assert response.status_code == 200, path
    return response.headers.get(CACHE_STATUS), response.get_data(as_text=True)


def tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))


def test_a_member_gets_the_page_of_their_audience_with_their_own_name_and_token(app, scene):
    path = f"/posts/{scene['entry'].number}"
    prasert, wipa = signed_in(app, "prasert"), signed_in(app, "wipa")
    status, first = page(prasert, path)
    assert status == "miss"
    status, second = page(wipa, path)
    assert status == "hit"
    assert "วิภา ผู้อ่าน" in second and "ประเสริฐ" not in second
    assert "แสดงความเห็นในนาม วิภา ผู้อ่าน" in second
    assert "<sala-part" not in second
    assert tokens(second) and not tokens(second) & tokens(first)
    # Her token is hers: the comment form of the assembled page works.
    token = next(iter(tokens(second)))
    response = wipa.post(f"{path}/comments", data={"body": "ได้ความรู้มากค่ะ", "csrf_token": token})
    assert response.status_code == 302
    assert "ได้ความรู้มากค่ะ" in page(prasert, path)[1]


def test_a_member_who_commented_gets_the_kept_page_with_her_own_buttons(app, scene):
    path, comment_id = f"/posts/{scene['entry'].number}", scene["comment"].id
    delete_action = f'action="/comments/{comment_id}/delete"'
    report_link = f'href="/comments/{comment_id}/report"'
    page(signed_in(app, "prasert"), path)
    malee = signed_in(app, "malee")
    status, malees = page(malee, path)
    assert status == "hit"  # the page kept for her audience, her comment's buttons filled in as hers
    assert delete_action in malees and report_link not in malees
    _, wipas = page(signed_in(app, "wipa"), path)
    assert delete_action not in wipas and report_link in wipas
    # The button carries her own token: it deletes her comment.
    token = re.search(delete_action + r'.*?name="csrf_token" value="([^"]+)"', malees, re.DOTALL).group(1)
    assert malee.post(f"/comments/{comment_id}/delete", data={"csrf_token": token}).status_code == 302
    assert "ขอบคุณที่แบ่งปันค่ะ" not in page(signed_in(app, "wipa"), path)[1]


def test_a_page_a_member_who_commented_rendered_is_kept_without_her_buttons(app, scene):
    path, comment_id = f"/posts/{scene['entry'].number}", scene["comment"].id
    delete_action = f'action="/comments/{comment_id}/delete"'
    report_link = f'href="/comments/{comment_id}/report"'
    malee = signed_in(app, "malee")
    status, malees = page(malee, path)
    assert status == "miss" and delete_action in malees and report_link not in malees
    assert page(malee, path)[0] == "hit"
    status, praserts = page(signed_in(app, "prasert"), path)
    assert status == "hit" and delete_action not in praserts and report_link in praserts


def test_hidden_comments_stay_with_those_who_moderate(app, scene):
    hide_comment(scene["comment"])
    db.session.commit()
    path = f"/posts/{scene['entry'].number}"
    _, owners = page(signed_in(app, "somchai"), path)
    assert "ขอบคุณที่แบ่งปันค่ะ" in owners and "แสดงความเห็นนี้" in owners
    for reader in ("prasert", "wipa"):
        _, readers = page(signed_in(app, reader), path)
        assert "ขอบคุณที่แบ่งปันค่ะ" not in readers
    assert "ขอบคุณที่แบ่งปันค่ะ" not in page(app.test_client(), path)[1]


def test_a_change_retires_the_page_kept_for_an_audience(app, scene):
    path = f"/posts/{scene['entry'].number}"
    prasert = signed_in(app, "prasert")
    page(prasert, path)
    assert page(prasert, path)[0] == "hit"
    add_comment(scene["entry"], "ความเห็นใหม่จากวิภา", user=scene["wipa"])
    db.session.commit()
    status, html = page(prasert, path)
    assert status == "miss" and "ความเห็นใหม่จากวิภา" in html


def test_guests_share_one_page_and_every_read_counts(app, scene):
    path = f"/posts/{scene['entry'].number}"
    statuses = []
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        guest = app.test_client()
        response = guest.get(path, environ_base={"REMOTE_ADDR": address})
        response.close()
        statuses.append(response.headers.get(CACHE_STATUS))
        assert "เข้าสู่ระบบ" in response.get_data(as_text=True)
    assert statuses == ["miss", "hit", "hit"]
    prasert = signed_in(app, "prasert")
    assert page(prasert, path)[0] == "miss"  # members are another audience
    assert page(signed_in(app, "wipa"), path)[0] == "hit"
    assert reads.flush() == 5


def test_the_author_reading_their_own_entry_adds_no_read(app, scene):
    path = f"/posts/{scene['entry'].number}"
    entry_id = scene["entry"].id
    somchai = signed_in(app, "somchai")
    page(somchai, path)
    assert page(somchai, path)[0] == "hit"
    reads.flush()
    db.session.expire_all()
    assert db.session.get(Entry, entry_id).read_count == 0


def test_a_member_with_a_flash_message_gets_a_page_rendered_for_them(app, scene):
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post("/login", data={"login": "prasert", "password": "password123", "csrf_token": token})
    response = client.get("/")
    assert CACHE_STATUS not in response.headers
    assert 'class="flash' in response.get_data(as_text=True)


def test_a_station_page_is_kept_for_members_in_the_same_role(app, scene):
    from app.stations.services import approve_blog, create_station, join_station, submit_blog

    station = create_station(scene["somchai"], "km-station", "ชุมชนคนทำ KM", "")
    for name in ("malee", "prasert", "wipa"):
        join_station(station, scene[name])
    blog = make_blog(scene["malee"], "malee-notes")
    submit_blog(station, blog, scene["malee"])
    approve_blog(station, blog)
    db.session.commit()
    remove = 'action="/c/km-station/blogs/malee-notes/remove"'
    owner = signed_in(app, "somchai")
    page(owner, "/c/km-station")
    status, owners = page(owner, "/c/km-station")
    assert status == "hit" and "/c/km-station/edit" in owners and remove in owners  # she moderates
    page(signed_in(app, "prasert"), "/c/km-station")
    status, wipas = page(signed_in(app, "wipa"), "/c/km-station")
    assert status == "hit" and "/c/km-station/edit" not in wipas and remove not in wipas
    # Members who own a blog (and may submit it) are an audience of their own; Malee's blog is in the station.
    make_blog(scene["wipa"], "wipa-notes")
    db.session.commit()
    page(signed_in(app, "wipa"), "/c/km-station")
    status, malees = page(signed_in(app, "malee"), "/c/km-station")
    assert status == "hit" and remove in malees  # her own blog's button, on the page kept for members
    status, wipas = page(signed_in(app, "wipa"), "/c/km-station")
    assert status == "hit" and remove not in wipas and "/c/km-station/submit" in wipas
    _, outsiders = page(app.test_client(), "/c/km-station")
    assert remove not in outsiders


def test_with_the_page_cache_off_every_page_is_rendered(app, scene):
    app.config["PAGE_CACHE"] = False
    path = f"/posts/{scene['entry'].number}"
    for client in (app.test_client(), app.test_client(), signed_in(app, "prasert")):
        assert page(client, path)[0] is None


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens (each reader's own) and its read count (documented to lag on kept pages)."""
    html = re.sub(r"อ่าน: \d+", "อ่าน: n", html)
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', html)


# Every page the page cache keeps, by endpoint (the first test checks that none is missing).
CACHED_PAGES = {
    "main.home": "/",
    "entries.show": "/posts/{number}",
    "blogs.show": "/b/km-notes",
    "blogs.feed": "/b/km-notes/feed.atom",
    "tags.index": "/tags",
    "tags.show": "/tags/km",
    "tags.feed": "/tags/km/feed.atom",
    "users.profile": "/u/somchai",
    "users.followers": "/u/somchai/followers",
    "users.following": "/u/somchai/following",
    "stations.index": "/c",
    "stations.show": "/c/km-station",
    "stations.feed": "/c/km-station/feed.atom",
    "search.index": "/search?q=KM",
}


def test_the_list_names_every_cached_page(app):
    from app.page_cache.pages import CACHED_VIEW_ATTRIBUTE

    marked = {name for name, view in app.view_functions.items() if getattr(view, CACHED_VIEW_ATTRIBUTE, False)}
    assert marked == set(CACHED_PAGES)


@pytest.mark.parametrize("endpoint", sorted(CACHED_PAGES))
def test_no_reader_ever_gets_another_readers_page(app, scene, endpoint):
    """Each reader (owner, commenter, members, administrator, guest), after readers of every kind have been
    served first, gets byte for byte (but for CSRF tokens) the page rendered for them alone with the cache off."""
    from app.stations.services import approve_blog, create_station, join_station, submit_blog

    station = create_station(scene["somchai"], "km-station", "ชุมชนคนทำ KM", "")
    submit_blog(station, scene["entry"].blog, scene["somchai"])
    for name in ("malee", "wipa"):  # members of the station; Malee's blog is in it, Prasert is not a member
        join_station(station, scene[name])
    blog = make_blog(scene["malee"], "malee-notes")
    submit_blog(station, blog, scene["malee"])
    approve_blog(station, blog)
    make_user("admin", display_name="ผู้ดูแลระบบ", is_admin=True)
    db.session.commit()
    path = CACHED_PAGES[endpoint].format(number=scene["entry"].number)
    readers = {name: signed_in(app, name) for name in ("somchai", "malee", "prasert", "wipa", "admin")}
    readers["guest"] = app.test_client()
    kept = {}
    for _ in range(2):  # the second round is served from what the first kept
        for name, client in readers.items():
            kept[name] = page(client, path)
    assert "hit" in {status for status, _ in kept.values()}
    app.config["PAGE_CACHE"] = False
    for name, client in readers.items():
        status, fresh = page(client, path)
        assert status is None
        assert _without_tokens(kept[name][1]) == _without_tokens(fresh), name


def test_each_session_of_a_member_gets_its_own_token_in_her_remembered_buttons(app, scene):
    """A kept page remembers what its readers' own parts rendered as, with the session's token left to fill."""
    path, comment_id = f"/posts/{scene['entry'].number}", scene["comment"].id
    delete_action = f'action="/comments/{comment_id}/delete"'
    page(signed_in(app, "prasert"), path)
    phone, laptop = signed_in(app, "malee"), signed_in(app, "malee")
    found = {}
    for name, client in (("phone", phone), ("laptop", laptop), ("phone again", phone)):
        status, html = page(client, path)
        assert status == "hit" and delete_action in html
        found[name] = re.search(delete_action + r'.*?name="csrf_token" value="([^"]+)"', html, re.DOTALL).group(1)
    assert found["phone"] != found["laptop"]
    assert laptop.post(f"/comments/{comment_id}/delete", data={"csrf_token": found["laptop"]}).status_code == 302


def test_a_members_audience_is_worked_out_once_until_something_changes(app, scene, monkeypatch):
    from app.stations import routes
    from app.stations.services import create_station, find_station, join_station

    create_station(scene["somchai"], "km-station", "ชุมชนคนทำ KM", "")
    db.session.commit()
    asked = []
    audience = routes.station_page_audience
    monkeypatch.setattr(
        routes, "station_page_audience", lambda user, station: asked.append(1) or audience(user, station)
    )
    wipa = signed_in(app, "wipa")
    page(wipa, "/c/km-station")
    status, outside = page(wipa, "/c/km-station")
    assert status == "hit" and len(asked) == 1 and 'action="/c/km-station/join"' in outside
    join_station(find_station("km-station"), scene["wipa"])
    db.session.commit()
    status, inside = page(wipa, "/c/km-station")
    assert len(asked) == 2 and 'action="/c/km-station/join"' not in inside and 'action="/c/km-station/leave"' in inside


def test_a_members_hit_reads_nothing_from_the_database(app, scene, monkeypatch):
    """The sign-in is remembered while nothing changes (app/auth/signins.py): the page and the sign-in each read
    the generation, and nothing else."""
    from app.extensions import cache
    from app.page_cache import store
    from tests.perf.query_counter import count_queries

    path = f"/posts/{scene['entry'].number}"
    prasert = signed_in(app, "prasert")
    page(prasert, path)
    page(prasert, path)
    generation_reads = []
    get = cache.get
    monkeypatch.setattr(cache, "get", lambda key: generation_reads.append(key) or get(key))
    with count_queries(db.engine) as log:
        status, html = page(prasert, path)

    assert status == "hit" and "ประเสริฐ ผู้อ่าน" in html
    assert log.count == 0, log.summary()
    assert generation_reads == [store.GENERATION_KEY, store.GENERATION_KEY]
