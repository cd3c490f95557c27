"""Service functions other areas call: pending requests, moderated stations, active stations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.errors import Conflict, DomainError, Forbidden
from app.extensions import db
from app.stations import services
from tests.factories import make_blog, make_entry, make_station


def test_pending_requests_for_moderator(people, open_station, approval_station):
    somchai, malee, prasit, wipa = (people[name] for name in ("somchai", "malee", "prasit", "wipa"))
    services.join_station(approval_station, malee)
    services.join_station(open_station, prasit)
    services.set_moderator(open_station, prasit, True)
    services.join_station(open_station, wipa)
    wipa_blog = make_blog(wipa, "wipa-notes", title="บันทึกวิภา")
    services.submit_blog(open_station, wipa_blog, wipa)
    db.session.commit()

    owner_view = services.pending_requests_for_moderator(somchai)
    assert [(r.kind, r.station.slug, r.user.username, r.blog and r.blog.slug) for r in owner_view] == [
        ("member", "Nan-Teachers", "malee", None),
        ("blog", "Chumphon-KM-Station", "wipa", "wipa-notes"),
    ]
    moderator_view = services.pending_requests_for_moderator(prasit)
    assert [(r.kind, r.station.slug) for r in moderator_view] == [("blog", "Chumphon-KM-Station")]
    assert services.pending_requests_for_moderator(wipa) == []
    assert services.pending_requests_for_moderator(malee) == []

    services.approve_blog(open_station, wipa_blog)
    services.approve_member(approval_station, malee)
    assert services.pending_requests_for_moderator(somchai) == []


def test_stations_moderated_by(people, open_station, approval_station):
    services.join_station(open_station, people["malee"])
    services.set_moderator(open_station, people["malee"], True)
    # By name: "ครูน่าน" sorts before "ชุมชนคนทำ KM ชุมพร".
    assert services.stations_moderated_by(people["somchai"]) == [approval_station, open_station]
    assert services.stations_moderated_by(people["malee"]) == [open_station]
    assert services.stations_moderated_by(people["prasit"]) == []


def test_active_stations_orders_by_latest_entry_then_members(people, open_station, approval_station):
    quiet = make_station(people["somchai"], "Quiet-Station", name="ชุมชนเงียบ")
    services.join_station(quiet, people["malee"])
    services.join_station(quiet, people["prasit"])
    old_blog = make_blog(people["somchai"], "old-blog", title="บล็อกเก่า")
    new_blog = make_blog(people["somchai"], "new-blog", title="บล็อกใหม่")
    make_entry(old_blog, published_at=datetime(2023, 1, 1, tzinfo=UTC))
    make_entry(new_blog, published_at=datetime(2024, 1, 1, tzinfo=UTC))
    services.submit_blog(open_station, old_blog, people["somchai"])
    services.submit_blog(approval_station, new_blog, people["somchai"])
    db.session.commit()
    assert services.active_stations(3) == [approval_station, open_station, quiet]
    assert services.active_stations(1) == [approval_station]


def test_station_entries_query_is_one_select(people, open_station):
    blog = make_blog(people["somchai"], "somchai-km")
    services.submit_blog(open_station, blog, people["somchai"])
    entry = make_entry(blog)
    assert list(db.session.scalars(services.station_entries_query(open_station))) == [entry]


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda p, s: services.join_station(s, p["somchai"]), DomainError),
        (lambda p, s: services.leave_station(s, p["somchai"]), Forbidden),
        (lambda p, s: services.leave_station(s, p["malee"]), DomainError),
        (lambda p, s: services.set_moderator(s, p["somchai"], False), DomainError),
        (lambda p, s: services.set_moderator(s, p["malee"], True), DomainError),
        (lambda p, s: services.approve_member(s, p["malee"]), DomainError),
        (lambda p, s: services.create_station(p["malee"], "chumphon-KM-station", "ซ้ำ"), Conflict),
        (lambda p, s: services.create_station(p["malee"], "ok-slug", "ชื่อ", join_policy="x"), DomainError),
    ],
)
def test_service_rules(people, open_station, call, error):
    with pytest.raises(error):
        call(people, open_station)


def test_counts_leave_out_pending_and_suspended(people, open_station, approval_station):
    services.join_station(open_station, people["malee"])
    services.join_station(open_station, people["prasit"])
    services.join_station(approval_station, people["wipa"])
    people["prasit"].is_suspended = True
    db.session.commit()
    assert services.member_count(open_station) == 2
    assert services.station_counts([open_station, approval_station]) == {
        open_station.id: (2, 0),
        approval_station.id: (1, 0),
    }
