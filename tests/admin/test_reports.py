"""Administrators see members' reports and act on them: resolve, dismiss, hide the comment, suspend the author."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Report, User
from app.reports.services import report_comment, report_entry
from tests.admin.helpers import make_cast
from tests.factories import make_user


@pytest.fixture
def cast(app):
    return make_cast()


@pytest.fixture
def reports(cast):
    """Two open reports: malee about somchai's entry, and malee about somchai's comment."""
    entry_report = report_entry(cast.reader, cast.entry, "spam", "ขายของในบันทึก")
    comment_report = report_comment(cast.reader, cast.comment, "abuse")
    db.session.commit()
    return entry_report, comment_report


def _report(report_id: int) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report_id)


def test_the_open_reports_are_listed_with_links_and_counts(client, auth, cast, reports):
    auth.login("admin")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="badge">2<span class="visually-hidden"> รายงานที่รอดำเนินการ</span>' in home

    page = client.get("/admin/reports").get_data(as_text=True)

    assert "รอดำเนินการ (2)" in page and "จัดการแล้ว (0)" in page
    assert f'href="/posts/{cast.entry.number}"' in page
    assert f'href="/posts/{cast.others_entry.number}#comment-{cast.comment.id}"' in page
    assert "ขายของในบันทึก" in page and "สแปมหรือโฆษณา" in page
    assert cast.comment.body_text in page


def test_resolve_and_dismiss_close_a_report_and_record_who(client, auth, cast, reports):
    entry_report, comment_report = reports
    auth.login("admin")

    response = client.post(f"/admin/reports/{entry_report.id}/resolve", follow_redirects=True)
    assert "บันทึกว่าจัดการรายงานแล้ว" in response.get_data(as_text=True)
    client.post(f"/admin/reports/{comment_report.id}/dismiss")

    resolved, dismissed = _report(entry_report.id), _report(comment_report.id)
    assert (resolved.status, dismissed.status) == ("resolved", "dismissed")
    assert resolved.resolved_by_id == dismissed.resolved_by_id == cast.admin.id
    assert resolved.resolved_at is not None
    page = client.get("/admin/reports").get_data(as_text=True)
    assert "ไม่มีรายงานในสถานะนี้" in page
    assert "รายงานหมายเลข" in client.get("/admin/reports?status=all").get_data(as_text=True)
    assert "รายงานที่รอดำเนินการ</span>" not in client.get("/").get_data(as_text=True)


def test_a_closed_report_cannot_be_closed_again(client, auth, cast, reports):
    entry_report, _ = reports
    auth.login("admin")
    client.post(f"/admin/reports/{entry_report.id}/dismiss")
    response = client.post(f"/admin/reports/{entry_report.id}/resolve", follow_redirects=True)
    assert "รายงานนี้ได้รับการจัดการไปแล้ว" in response.get_data(as_text=True)
    assert _report(entry_report.id).status == "dismissed"


def test_hiding_the_reported_comment_closes_every_report_about_it(client, auth, cast, reports):
    _, comment_report = reports
    second = report_comment(make_user("wichai"), cast.comment, "spam")
    db.session.commit()
    auth.login("admin")

    client.post(f"/admin/reports/{comment_report.id}/hide-comment")

    assert db.session.get(Comment, cast.comment.id).is_hidden is True
    assert _report(comment_report.id).status == _report(second.id).status == "resolved"
    auth.logout()
    assert cast.comment.body_text not in client.get(f"/posts/{cast.others_entry.number}").get_data(as_text=True)


def test_hide_comment_on_an_entry_report_is_refused(client, auth, cast, reports):
    entry_report, _ = reports
    auth.login("admin")
    response = client.post(f"/admin/reports/{entry_report.id}/hide-comment", follow_redirects=True)
    assert "ไม่พบความเห็นที่ถูกรายงาน" in response.get_data(as_text=True)
    assert _report(entry_report.id).status == "open"


def test_suspending_the_author_from_a_report_closes_their_reports(client, auth, cast, reports):
    entry_report, comment_report = reports
    auth.login("admin")
    page = client.get("/admin/reports").get_data(as_text=True)
    link = f"/admin/users/{cast.writer.id}?report={entry_report.id}"
    assert link in page.replace("&amp;", "&")
    form = client.get(link).get_data(as_text=True)
    assert f'value="{entry_report.id}"' in form and f"จากรายงานหมายเลข {entry_report.id}" in form

    response = client.post(
        f"/admin/users/{cast.writer.id}/suspend",
        data={"reason": "สแปม", "confirm": "y", "report_id": str(entry_report.id)},
    )

    assert response.headers["Location"].endswith("/admin/reports")
    assert db.session.get(User, cast.writer.id).is_suspended is True
    assert _report(entry_report.id).status == _report(comment_report.id).status == "resolved"


def test_a_deleted_target_still_shows_in_the_list(client, auth, cast, reports):
    db.session.delete(db.session.get(Comment, cast.comment.id))
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/reports")
    assert page.status_code == 200
    assert "ความเห็นที่ถูกลบไปแล้ว" in page.get_data(as_text=True)


def test_the_report_list_is_paginated_open_first(client, auth, cast):
    reporters = [make_user(f"reader{n:02d}") for n in range(31)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for n, reporter in enumerate(reporters):
        report_entry(reporter, cast.entry, "spam").created_at = start + timedelta(minutes=n)
    db.session.commit()
    oldest = db.session.scalar(select(Report).order_by(Report.created_at))
    auth.login("admin")
    client.post(f"/admin/reports/{oldest.id}/dismiss")
    everything = client.get("/admin/reports?status=all").get_data(as_text=True)
    assert f'id="report-{oldest.id}"' not in everything and "/admin/reports?status=all&amp;page=2" in everything
    last_page = client.get("/admin/reports?status=all&page=2").get_data(as_text=True)
    assert f'id="report-{oldest.id}"' in last_page
