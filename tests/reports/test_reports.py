"""Members report entries and comments; one open report per member and item."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.comments.services import add_comment, hide_comment
from app.errors import Conflict
from app.extensions import db
from app.models import Report
from app.reports import services as report_services
from tests.admin.helpers import make_cast
from tests.csrf_client import csrf_protected_client, page_token
from tests.factories import make_entry


@pytest.fixture
def cast(app):
    return make_cast()


def _reports() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(select(Report).order_by(Report.id)))


def test_a_member_reports_an_entry(client, auth, cast):
    auth.login("malee")
    page = client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    assert f'href="/posts/{cast.entry.number}/report"' in page

    form = client.get(f"/posts/{cast.entry.number}/report")
    assert form.status_code == 200 and "สแปมหรือโฆษณา" in form.get_data(as_text=True)
    response = client.post(
        f"/posts/{cast.entry.number}/report", data={"reason": "spam", "details": "  ขายของ  "}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "ส่งรายงานถึงผู้ดูแลระบบแล้ว" in response.get_data(as_text=True)
    (report,) = _reports()
    assert (report.target_type, report.target_id, report.reason, report.details) == (
        "entry",
        cast.entry.id,
        "spam",
        "ขายของ",
    )
    assert report.reporter_id == cast.reader.id and report.target_author_id == cast.writer.id
    assert report.status == "open" and report.resolved_at is None


def test_a_member_reports_a_comment(client, auth, cast):
    auth.login("admin")
    page = client.get(f"/posts/{cast.others_entry.number}").get_data(as_text=True)
    assert f'href="/comments/{cast.comment.id}/report"' in page
    response = client.post(f"/comments/{cast.comment.id}/report", data={"reason": "abuse"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{cast.others_entry.number}#comment-{cast.comment.id}")
    (report,) = _reports()
    assert (report.target_type, report.target_id, report.target_author_id) == (
        "comment",
        cast.comment.id,
        cast.writer.id,
    )


def test_a_second_open_report_is_refused(client, auth, cast):
    auth.login("malee")
    client.post(f"/posts/{cast.entry.number}/report", data={"reason": "spam"})
    page = client.get(f"/posts/{cast.entry.number}/report").get_data(as_text=True)
    assert "คุณรายงานรายการนี้ไว้แล้ว" in page and 'name="reason"' not in page
    response = client.post(f"/posts/{cast.entry.number}/report", data={"reason": "abuse"})
    assert response.status_code == 409
    assert "คุณรายงานรายการนี้ไว้แล้ว" in response.get_data(as_text=True)
    assert len(_reports()) == 1


def test_a_closed_report_lets_the_member_report_again(client, auth, cast):
    auth.login("malee")
    client.post(f"/posts/{cast.entry.number}/report", data={"reason": "spam"})
    auth.logout()
    auth.login("admin")
    client.post(f"/admin/reports/{_reports()[0].id}/dismiss")
    auth.logout()
    auth.login("malee")
    assert client.post(f"/posts/{cast.entry.number}/report", data={"reason": "spam"}).status_code == 302
    assert [report.status for report in _reports()] == ["dismissed", "open"]


def test_guests_are_sent_to_sign_in(client, cast):
    for url in (f"/posts/{cast.entry.number}/report", f"/comments/{cast.comment.id}/report"):
        for method in ("GET", "POST"):
            response = client.open(url, method=method, data={"reason": "spam"})
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert "/report" not in client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    assert _reports() == []


def test_nobody_reports_their_own_content(client, auth, cast):
    auth.login("somchai")
    page = client.get(f"/posts/{cast.entry.number}").get_data(as_text=True)
    assert "/report" not in page
    assert client.post(f"/posts/{cast.entry.number}/report", data={"reason": "spam"}).status_code == 403
    assert client.post(f"/comments/{cast.comment.id}/report", data={"reason": "spam"}).status_code == 403
    assert _reports() == []


def test_unknown_and_invisible_items_are_404(client, auth, cast):
    draft = make_entry(cast.entry.blog, title="ร่าง", publish=False)
    auth.login("malee")
    assert client.get("/posts/99999/report").status_code == 404
    assert client.get("/comments/99999/report").status_code == 404
    assert client.post(f"/posts/{draft.number}/report", data={"reason": "spam"}).status_code == 404
    assert _reports() == []


def test_a_hidden_comment_cannot_be_reported(client, auth, cast):
    hide_comment(cast.comment)
    db.session.commit()
    auth.login("admin")
    assert client.post(f"/comments/{cast.comment.id}/report", data={"reason": "spam"}).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "กรุณาเลือกเหตุผลที่รายงาน"),
        ({"reason": "nonsense"}, "กรุณาเลือกเหตุผลที่รายงาน"),
        ({"reason": "other", "details": "ก" * 2001}, "รายละเอียดยาวได้ไม่เกิน 2,000 ตัวอักษร"),
    ],
)
def test_a_bad_report_form_writes_nothing(client, auth, cast, data, message):
    auth.login("malee")
    response = client.post(f"/posts/{cast.entry.number}/report", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _reports() == []


def test_reporting_needs_the_csrf_token(app, cast):
    client = csrf_protected_client(app, login="malee")
    url = f"/posts/{cast.entry.number}/report"
    assert client.post(url, data={"reason": "spam"}).status_code == 400
    assert _reports() == []
    token = page_token(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"reason": "spam", "csrf_token": token}).status_code == 302
    assert len(_reports()) == 1


def test_each_comment_has_its_own_labelled_report_link(client, auth, cast):
    add_comment(cast.others_entry, "อีกความเห็นหนึ่ง", user=cast.admin)
    db.session.commit()
    auth.login("malee")
    page = client.get(f"/posts/{cast.others_entry.number}").get_data(as_text=True)
    assert page.count('/report"') == 2
    assert 'aria-label="รายงานความเห็นของ สมชาย ใจดี"' in page
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_the_database_refuses_a_second_open_report_that_slips_past_the_check(cast, monkeypatch):
    report_services.report_entry(cast.reader, cast.entry, "spam")
    db.session.commit()
    monkeypatch.setattr(report_services, "open_report_by", lambda *args: None)  # as if two requests raced
    with pytest.raises(Conflict):
        report_services.report_entry(cast.reader, cast.entry, "abuse")
    db.session.commit()
    assert [report.reason for report in _reports()] == ["spam"]
