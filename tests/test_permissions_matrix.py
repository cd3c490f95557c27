"""Who may do what: every role against every action, through HTTP, asserting the exact status.

Each case gets a fresh world, so an allowed action never changes what the next case sees.
Roles: anonymous, an unrelated member, a commenter, the entry's author (a co-author of the blog), another
co-author, the blog's owner, a station moderator and the station's owner.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.blogs.services import add_coauthor
from app.comments.services import add_comment
from app.extensions import db
from app.stations.services import approve_member, join_station, set_moderator, submit_blog
from tests.factories import make_blog, make_entry, make_station, make_user

ROLES = ("anonymous", "member", "commenter", "author", "coauthor", "owner", "moderator", "station_owner")


@dataclass
class World:
    entry: int
    draft: int
    comment: int
    pending: int


@pytest.fixture
def world(app) -> World:
    users = {name: make_user(name) for name in ROLES if name != "anonymous"}
    applicant = make_user("applicant")
    blog = make_blog(users["owner"], "agency", title="บล็อกสำนักงานจังหวัด")
    add_coauthor(blog, "author")
    add_coauthor(blog, "coauthor")
    entry = make_entry(blog, users["author"], title="บันทึก ลปรร. ครั้งที่ ๑", body="เนื้อหา KM")
    draft = make_entry(blog, users["author"], title="ร่างบันทึก", publish=False)
    comment = add_comment(entry, "ขอบคุณครับ", user=users["commenter"])
    pending = add_comment(entry, "โปรโมชัน http://a.example http://b.example http://c.example", guest_name="แขก")
    assert pending.is_pending
    station = make_station(users["station_owner"], join_policy="approval")
    for name in ("moderator", "owner"):
        join_station(station, users[name])
        approve_member(station, users[name])
    set_moderator(station, users["moderator"], True)
    submit_blog(station, blog, users["owner"])
    station_blog = make_blog(applicant, "applicant-blog", title="บล็อกผู้สมัคร")
    join_station(station, applicant)
    db.session.commit()
    approve_member(station, applicant)
    submit_blog(station, station_blog, applicant)
    from app.stations.services import approve_blog

    approve_blog(station, blog)
    join_station(station, make_user("newcomer"))
    db.session.commit()
    return World(entry=entry.number, draft=draft.number, comment=comment.id, pending=pending.id)


ENTRY_FORM = {"title": "บันทึกใหม่", "body": "เนื้อหา", "tags": "km", "license": "cc-by", "status": "published"}

# action name -> (method, path template, form data, {role: status}); roles left out expect `default`.
ACTIONS: dict[str, tuple[str, str, dict, dict[str, int], int]] = {
    "write form": ("GET", "/b/agency/write", {}, {"anonymous": 302, "author": 200, "coauthor": 200, "owner": 200}, 403),
    "write entry": (
        "POST",
        "/b/agency/write",
        ENTRY_FORM,
        {"anonymous": 302, "author": 302, "coauthor": 302, "owner": 302},
        403,
    ),
    "edit form": ("GET", "/posts/{entry}/edit", {}, {"anonymous": 302, "author": 200, "owner": 200}, 403),
    "edit entry": ("POST", "/posts/{entry}/edit", ENTRY_FORM, {"anonymous": 302, "author": 302, "owner": 302}, 403),
    "delete entry": (
        "POST",
        "/posts/{entry}/delete",
        {"confirm": "y"},
        {"anonymous": 302, "author": 302, "owner": 302},
        403,
    ),
    "read entry": ("GET", "/posts/{entry}", {}, {}, 200),
    "read draft": ("GET", "/posts/{draft}", {}, {"author": 200, "owner": 200}, 404),
    "edit blog": (
        "POST",
        "/b/agency/edit",
        {"title": "ชื่อใหม่", "description": ""},
        {"anonymous": 302, "owner": 302},
        403,
    ),
    "add co-author": ("POST", "/b/agency/authors", {"username": "member"}, {"anonymous": 302, "owner": 302}, 403),
    "remove co-author": ("POST", "/b/agency/authors/coauthor/remove", {}, {"anonymous": 302, "owner": 302}, 403),
    "delete blog": ("POST", "/b/agency/delete", {"confirm": "y"}, {"anonymous": 302, "owner": 302}, 403),
    "comment": ("POST", "/posts/{entry}/comments", {"body": "ความเห็น", "guest_name": "แขก"}, {}, 302),
    "hide comment": ("POST", "/comments/{comment}/hide", {}, {"author": 302, "owner": 302}, 403),
    "delete comment": ("POST", "/comments/{comment}/delete", {}, {"commenter": 302, "author": 302, "owner": 302}, 403),
    "moderation queue": ("GET", "/moderation", {}, {"anonymous": 302}, 200),
    "approve comment": (
        "POST",
        "/moderation/comments/{pending}/approve",
        {},
        {"anonymous": 302, "author": 302, "owner": 302, "moderator": 302, "station_owner": 302},
        403,
    ),
    "reject comment": (
        "POST",
        "/moderation/comments/{pending}/reject",
        {},
        {"anonymous": 302, "author": 302, "owner": 302, "moderator": 302, "station_owner": 302},
        403,
    ),
    "edit station": (
        "POST",
        "/c/Chumphon-KM-Station/edit",
        {"name": "ชุมชนใหม่", "description": "", "join_policy": "approval"},
        {"anonymous": 302, "station_owner": 302},
        403,
    ),
    "name moderator": (
        "POST",
        "/c/Chumphon-KM-Station/members/owner/moderator",
        {"on": "1"},
        {"anonymous": 302, "station_owner": 302},
        403,
    ),
    "approve member": (
        "POST",
        "/c/Chumphon-KM-Station/members/newcomer/approve",
        {},
        {"anonymous": 302, "moderator": 302, "station_owner": 302},
        403,
    ),
    "approve blog": (
        "POST",
        "/c/Chumphon-KM-Station/blogs/applicant-blog/approve",
        {},
        {"anonymous": 302, "moderator": 302, "station_owner": 302},
        403,
    ),
    "remove blog from station": (
        "POST",
        "/c/Chumphon-KM-Station/blogs/agency/remove",
        {},
        {"anonymous": 302, "owner": 302, "moderator": 302, "station_owner": 302},
        403,
    ),
    "follow the author": ("POST", "/u/author/follow", {}, {"anonymous": 302, "author": 400}, 302),
    "dashboard": ("GET", "/dashboard", {}, {"anonymous": 302}, 200),
}

CASES = [pytest.param(action, role, id=f"{action}-{role}") for action in ACTIONS for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CASES)
def test_who_may_do_what(client, auth, world, action, role):
    method, path, data, statuses, default = ACTIONS[action]
    if role != "anonymous":
        assert auth.login(role).status_code == 302
    url = path.format(entry=world.entry, draft=world.draft, comment=world.comment, pending=world.pending)
    response = client.open(url, method=method, data=data)
    expected = statuses.get(role, default)
    assert response.status_code == expected, (action, role, response.headers.get("Location"))
    if expected == 302 and role == "anonymous" and action not in ("comment",):
        assert "/login" in response.headers["Location"]
