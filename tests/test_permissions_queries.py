"""Permission checks a page repeats for each item ask the database once, and never give a stale answer; a rule's
SQL form agrees with `can`, and rules templates ask (profiles) answer as documented."""

from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.extensions import db
from app.models import Station
from app.permissions import can, moderated_stations
from app.stations.services import approve_member, join_station, set_moderator
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


def test_the_moderated_stations_query_agrees_with_can(app):
    """One rule, asked two ways: the SQL condition lists exactly the stations `can` lets each person moderate."""
    names = ("owner", "moderator", "member", "waiting", "outsider", "suspended")
    people = {name: make_user(name) for name in names}
    station = make_station(people["owner"], join_policy="approval")
    other = make_station(people["outsider"], "Other-Station", name="ชุมชนอื่น")
    for name in ("moderator", "member", "waiting", "suspended"):
        join_station(station, people[name])
    for name in ("moderator", "member", "suspended"):
        approve_member(station, people[name])
    set_moderator(station, people["moderator"], True)
    set_moderator(station, people["suspended"], True)
    people["suspended"].is_suspended = True
    db.session.commit()
    expected = {"owner": {station.id}, "moderator": {station.id}, "outsider": {other.id}}

    for name, person in [*people.items(), ("anonymous", AnonymousUserMixin())]:
        in_sql = set(db.session.scalars(select(Station.id).where(moderated_stations(person))))
        by_can = {each.id for each in (station, other) if can(person, "moderate_station", each)}
        assert in_sql == by_can == expected.get(name, set()), name


def test_profiles_are_seen_and_edited_by_whom_the_rules_say(app):
    member, other, admin = make_user("member"), make_user("other"), make_user("admin", is_admin=True)
    banned = make_user("banned")
    banned.is_suspended = True
    db.session.commit()
    anonymous = AnonymousUserMixin()

    assert all(can(viewer, "view_profile", member) for viewer in (anonymous, other, admin, member))
    assert [can(viewer, "view_profile", banned) for viewer in (anonymous, other, member, admin)] == [
        False,
        False,
        False,
        True,
    ]
    assert [can(viewer, "edit_profile", member) for viewer in (anonymous, other, admin, member)] == [
        False,
        False,
        False,
        True,
    ]
    assert not can(banned, "edit_profile", banned)


def test_administrators_suspend_whom_suspension_refusal_lets_them(app):
    admin, other_admin = make_user("admin", is_admin=True), make_user("chief", is_admin=True)
    member, neighbour, banned = make_user("member"), make_user("neighbour"), make_user("banned")
    banned.is_suspended = True
    db.session.commit()

    assert can(admin, "suspend_user", member)
    assert [can(admin, "suspend_user", person) for person in (admin, other_admin, banned)] == [False] * 3
    assert not can(neighbour, "suspend_user", member)
    assert not can(AnonymousUserMixin(), "suspend_user", member)
