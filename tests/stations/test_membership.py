"""Joining, leaving, approving members and naming moderators."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import StationMember
from tests.stations.helpers import post_and_follow

SLUG = "Chumphon-KM-Station"
APPROVAL_SLUG = "Nan-Teachers"


def _member_list(html: str) -> str:
    """The active-members section of the members page (the header also names the signed-in user)."""
    return html.split('id="members-heading"', 1)[1]


def _row(station, user) -> StationMember | None:
    db.session.expire_all()
    return db.session.get(StationMember, (station.id, user.id))


def test_join_open_station_makes_a_member(client, auth, people, open_station):
    auth.login("malee")
    response = post_and_follow(client, f"/c/{SLUG}/join")
    assert response.status_code == 200
    assert "เข้าร่วมชุมชน" in response.text and "แล้ว" in response.text
    row = _row(open_station, people["malee"])
    assert (row.role, row.status) == ("member", "active")
    assert "ออกจากชุมชน" in response.text
    assert "คุณmalee" in _member_list(client.get(f"/c/{SLUG}/members").text)


def test_join_requires_login(client, people, open_station):
    response = client.post(f"/c/{SLUG}/join")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _row(open_station, people["malee"]) is None


def test_joining_twice_is_an_error(client, auth, people, open_station):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    response = client.post(f"/c/{SLUG}/join")
    assert response.status_code == 400
    assert "เป็นสมาชิกของชุมชนนี้อยู่แล้ว" in response.text
    assert db.session.scalar(select(func.count()).select_from(StationMember)) == 2


def test_join_by_approval_then_moderator_approves(client, auth, people, approval_station):
    auth.login("malee")
    response = post_and_follow(client, f"/c/{APPROVAL_SLUG}/join")
    assert "รอผู้ดูแลชุมชนอนุมัติ" in response.text
    assert _row(approval_station, people["malee"]).status == "pending"
    page = client.get(f"/c/{APPROVAL_SLUG}")
    assert "คำขอเข้าร่วมของคุณกำลังรอผู้ดูแลอนุมัติ" in page.text
    assert "ขอเข้าร่วมชุมชน" not in page.text

    again = client.post(f"/c/{APPROVAL_SLUG}/join")
    assert again.status_code == 400 and "กำลังรอการอนุมัติ" in again.text

    # A pending person is not a member yet: not listed, cannot approve others.
    assert "คุณmalee" not in _member_list(client.get(f"/c/{APPROVAL_SLUG}/members").text)
    assert client.post(f"/c/{APPROVAL_SLUG}/members/malee/approve").status_code == 403
    auth.logout()

    auth.login("somchai")
    members_page = client.get(f"/c/{APPROVAL_SLUG}/members")
    assert "คำขอเข้าร่วมที่รออนุมัติ" in members_page.text
    assert f"/c/{APPROVAL_SLUG}/members/malee/approve" in members_page.text
    response = client.post(f"/c/{APPROVAL_SLUG}/members/malee/approve")
    assert response.status_code == 302
    assert _row(approval_station, people["malee"]).status == "active"


def test_moderator_rejects_request(client, auth, people, approval_station):
    auth.login("malee")
    client.post(f"/c/{APPROVAL_SLUG}/join")
    auth.logout()
    auth.login("somchai")
    assert client.post(f"/c/{APPROVAL_SLUG}/members/malee/reject").status_code == 302
    assert _row(approval_station, people["malee"]) is None
    # Nothing pending any more: approving now is a 404 with a message, and nothing changes.
    response = client.post(f"/c/{APPROVAL_SLUG}/members/malee/approve")
    assert response.status_code == 404
    assert "ไม่พบคำขอเข้าร่วม" in response.text
    assert _row(approval_station, people["malee"]) is None


def test_non_moderator_cannot_approve(client, auth, people, approval_station):
    auth.login("malee")
    client.post(f"/c/{APPROVAL_SLUG}/join")
    auth.logout()
    auth.login("prasit")
    assert client.post(f"/c/{APPROVAL_SLUG}/members/malee/approve").status_code == 403
    assert client.post(f"/c/{APPROVAL_SLUG}/members/malee/reject").status_code == 403
    assert "คำขอเข้าร่วมที่รออนุมัติ" not in client.get(f"/c/{APPROVAL_SLUG}/members").text
    assert _row(approval_station, people["malee"]).status == "pending"


def test_pending_person_withdraws_request(client, auth, people, approval_station):
    auth.login("malee")
    client.post(f"/c/{APPROVAL_SLUG}/join")
    response = post_and_follow(client, f"/c/{APPROVAL_SLUG}/leave")
    assert "ยกเลิกคำขอเข้าร่วมแล้ว" in response.text
    assert _row(approval_station, people["malee"]) is None


def test_member_leaves(client, auth, people, open_station):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    response = post_and_follow(client, f"/c/{SLUG}/leave")
    assert "ออกจากชุมชน" in response.text
    assert _row(open_station, people["malee"]) is None
    assert client.post(f"/c/{SLUG}/leave").status_code == 400


def test_owner_cannot_leave(client, auth, people, open_station):
    auth.login("somchai")
    page = client.get(f"/c/{SLUG}")
    assert f"/c/{SLUG}/leave" not in page.text
    response = client.post(f"/c/{SLUG}/leave")
    assert response.status_code == 403
    assert "เจ้าของชุมชนออกจากชุมชนไม่ได้" in response.text
    row = _row(open_station, people["somchai"])
    assert (row.role, row.status) == ("owner", "active")


def test_switching_to_open_accepts_pending_requests(client, auth, people, approval_station):
    auth.login("malee")
    client.post(f"/c/{APPROVAL_SLUG}/join")
    auth.logout()
    auth.login("somchai")
    client.post(f"/c/{APPROVAL_SLUG}/edit", data={"name": "ครูน่าน", "join_policy": "open"})
    assert _row(approval_station, people["malee"]).status == "active"


def test_owner_names_and_unnames_moderator(client, auth, people, open_station):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    auth.logout()
    auth.login("somchai")
    assert "แต่งตั้งเป็นผู้ดูแล" in client.get(f"/c/{SLUG}/members").text
    assert client.post(f"/c/{SLUG}/members/malee/moderator", data={"on": "1"}).status_code == 302
    assert _row(open_station, people["malee"]).role == "moderator"
    assert "ยกเลิกการเป็นผู้ดูแล" in client.get(f"/c/{SLUG}/members").text
    assert client.post(f"/c/{SLUG}/members/malee/moderator", data={"on": "0"}).status_code == 302
    assert _row(open_station, people["malee"]).role == "member"


def test_moderator_flag_must_be_explicit(client, auth, people, open_station):
    auth.login("malee")
    client.post(f"/c/{SLUG}/join")
    auth.logout()
    auth.login("somchai")
    assert client.post(f"/c/{SLUG}/members/malee/moderator", data={"on": "yes"}).status_code == 400
    assert _row(open_station, people["malee"]).role == "member"


def test_only_active_members_can_be_moderators(client, auth, people, approval_station):
    auth.login("malee")
    client.post(f"/c/{APPROVAL_SLUG}/join")
    auth.logout()
    auth.login("somchai")
    for username in ("malee", "prasit"):
        response = client.post(f"/c/{APPROVAL_SLUG}/members/{username}/moderator", data={"on": "1"})
        assert response.status_code == 400
        assert "ผู้ดูแลต้องเป็นสมาชิกของชุมชน" in response.text
    assert _row(approval_station, people["malee"]).role == "member"
    assert _row(approval_station, people["prasit"]) is None
    assert client.post(f"/c/{APPROVAL_SLUG}/members/nobody/moderator", data={"on": "1"}).status_code == 404


def test_moderator_cannot_name_moderators(client, auth, people, open_station):
    for name in ("malee", "prasit"):
        auth.login(name)
        client.post(f"/c/{SLUG}/join")
        auth.logout()
    auth.login("somchai")
    client.post(f"/c/{SLUG}/members/malee/moderator", data={"on": "1"})
    auth.logout()

    auth.login("malee")
    assert "แต่งตั้งเป็นผู้ดูแล" not in client.get(f"/c/{SLUG}/members").text
    response = client.post(f"/c/{SLUG}/members/prasit/moderator", data={"on": "1"})
    assert response.status_code == 403
    assert _row(open_station, people["prasit"]).role == "member"
    assert client.post(f"/c/{SLUG}/members/somchai/moderator", data={"on": "0"}).status_code == 403


def test_moderator_approves_join_requests(client, auth, people, approval_station):
    for name in ("malee", "prasit"):
        auth.login(name)
        client.post(f"/c/{APPROVAL_SLUG}/join")
        auth.logout()
    auth.login("somchai")
    client.post(f"/c/{APPROVAL_SLUG}/members/malee/approve")
    client.post(f"/c/{APPROVAL_SLUG}/members/malee/moderator", data={"on": "1"})
    auth.logout()
    auth.login("malee")
    assert client.post(f"/c/{APPROVAL_SLUG}/members/prasit/approve").status_code == 302
    assert _row(approval_station, people["prasit"]).status == "active"


def test_guest_sees_join_button_only_when_signed_in(client, auth, people, open_station):
    assert f"/c/{SLUG}/join" not in client.get(f"/c/{SLUG}").text
    auth.login("malee")
    assert f"/c/{SLUG}/join" in client.get(f"/c/{SLUG}").text
