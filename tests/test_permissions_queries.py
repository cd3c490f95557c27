"""Permission checks a page repeats for each item ask the database once, and never give a stale answer."""

from __future__ import annotations

from app.extensions import db
from app.permissions import can
from app.stations.services import approve_member, join_station
from tests.factories import make_blog, make_station, make_user
from tests.perf.query_counter import count_queries


def test_a_missing_membership_is_asked_about_once_per_request(app):
    owner, reader = make_user("owner"), make_user("reader")
    station = make_station(owner)
    assert (reader.is_suspended, station.owner_id) == (False, owner.id)  # loaded after the factories' commits
    with app.test_request_context("/c/Chumphon-KM-Station"), count_queries(db.engine) as log:
        answers = [can(reader, "moderate_station", station) for _ in range(5)]
        answers.append(can(reader, "join_station", station))
    assert answers == [False] * 5 + [True]
    assert log.count == 1


def test_joining_in_the_same_request_is_seen_at_once(app):
    owner, reader = make_user("owner"), make_user("reader")
    make_blog(reader, "reader-notes")
    station = make_station(owner, join_policy="approval")
    with app.test_request_context("/c/Chumphon-KM-Station/join"):
        assert can(reader, "join_station", station)
        join_station(station, reader)
        assert not can(reader, "join_station", station)
        assert can(reader, "leave_station", station)
        assert not can(reader, "submit_blog_to_station", station)
        approve_member(station, reader)
        assert can(reader, "submit_blog_to_station", station)
        db.session.rollback()
        assert can(reader, "join_station", station)


def test_outside_a_request_nothing_is_remembered(app):
    owner, reader = make_user("owner"), make_user("reader")
    station = make_station(owner)
    assert can(reader, "join_station", station)
    with count_queries(db.engine) as log:
        can(reader, "join_station", station)
        can(reader, "join_station", station)
    assert log.count == 2
