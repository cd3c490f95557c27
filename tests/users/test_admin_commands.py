"""`flask users make-admin / revoke-admin / suspend / restore`."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Report, User
from app.reports.services import report_entry
from tests.factories import make_blog, make_entry, make_user


@pytest.fixture
def malee(app):
    return make_user("Malee")


def _malee() -> User:
    db.session.expire_all()
    return db.session.get(User, 1)


def test_make_admin_and_revoke_admin(runner, client, auth, malee):
    result = runner.invoke(args=["users", "make-admin", "malee"])
    assert result.exit_code == 0, result.output
    assert "Malee เป็นผู้ดูแลระบบแล้ว" in result.stdout
    assert _malee().is_admin is True
    auth.login("malee")
    assert client.get("/admin/").status_code == 200

    again = runner.invoke(args=["users", "make-admin", "Malee"])
    assert again.exit_code == 0 and "เป็นผู้ดูแลระบบอยู่แล้ว" in again.stdout

    result = runner.invoke(args=["users", "revoke-admin", "MALEE"])
    assert result.exit_code == 0 and "ถอนสิทธิ์ผู้ดูแลระบบของ Malee แล้ว" in result.stdout
    assert _malee().is_admin is False
    assert client.get("/admin/").status_code == 403
    again = runner.invoke(args=["users", "revoke-admin", "malee"])
    assert again.exit_code == 0 and "ไม่ได้เป็นผู้ดูแลระบบ" in again.stdout


@pytest.mark.parametrize("command", ["make-admin", "revoke-admin", "restore"])
def test_unknown_user_exits_non_zero(runner, malee, command):
    result = runner.invoke(args=["users", command, "nobody"])
    assert result.exit_code == 1
    assert "ไม่พบผู้ใช้ “nobody”" in result.output


def test_suspend_and_restore_from_the_shell(runner, client, auth, malee):
    result = runner.invoke(args=["users", "suspend", "malee", "--reason", "สแปม"])
    assert result.exit_code == 0, result.output
    user = _malee()
    assert user.is_suspended and user.suspended_reason == "สแปม" and user.suspended_by is None
    assert auth.login("malee").status_code == 401

    assert runner.invoke(args=["users", "suspend", "malee", "--reason", "ซ้ำ"]).exit_code == 1
    make_admin = runner.invoke(args=["users", "make-admin", "malee"])
    assert make_admin.exit_code == 1 and "ต้องยกเลิกการระงับก่อน" in make_admin.output
    assert _malee().is_admin is False

    result = runner.invoke(args=["users", "restore", "malee"])
    assert result.exit_code == 0 and "ยกเลิกการระงับบัญชี Malee แล้ว" in result.stdout
    assert auth.login("malee").status_code == 302
    again = runner.invoke(args=["users", "restore", "malee"])
    assert again.exit_code == 1 and "บัญชีนี้ไม่ได้ถูกระงับ" in again.output


def test_suspending_from_the_shell_closes_the_reports_about_the_account(runner, malee):
    reader = make_user("wichai")
    entry = make_entry(make_blog(malee, "malee-notes"))
    report = report_entry(reader, entry, "spam")
    db.session.commit()

    result = runner.invoke(args=["users", "suspend", "malee", "--reason", "สแปม"])

    assert result.exit_code == 0 and "ปิดรายงานที่เกี่ยวข้อง 1 รายการ" in result.stdout
    db.session.expire_all()
    closed = db.session.get(Report, report.id)
    assert closed.status == "resolved" and closed.resolved_by_id is None and closed.resolved_at is not None


def test_an_administrator_is_not_suspended_from_the_shell_either(runner, malee):
    runner.invoke(args=["users", "make-admin", "malee"])
    result = runner.invoke(args=["users", "suspend", "malee", "--reason", "x"])
    assert result.exit_code == 1 and "ต้องถอนสิทธิ์ผู้ดูแลระบบก่อน" in result.output
    assert _malee().is_suspended is False


def test_suspend_needs_a_reason(runner, malee):
    result = runner.invoke(args=["users", "suspend", "malee", "--reason", "  "])
    assert result.exit_code == 1 and "กรุณาระบุเหตุผลที่ระงับบัญชี" in result.output
    assert _malee().is_suspended is False
