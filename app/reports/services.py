"""Reports about entries and comments: filing them and handling them. Add and flush; never commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.comments.services import hide_comment
from app.errors import Conflict, DomainError
from app.extensions import db
from app.models import Comment, Entry, Report, User
from app.models.report import (
    REASON_ABUSE,
    REASON_COPYRIGHT,
    REASON_ILLEGAL,
    REASON_OTHER,
    REASON_PRIVACY,
    REASON_SPAM,
    REASONS,
    REPORT_DISMISSED,
    REPORT_OPEN,
    REPORT_RESOLVED,
    REPORT_STATUSES,
    TARGET_COMMENT,
    TARGET_ENTRY,
)
from app.models.types import utcnow
from app.text.normalize import normalize_text

DETAILS_MAX_LENGTH = 2000

REASON_LABELS = {
    REASON_SPAM: _l("สแปมหรือโฆษณา"),
    REASON_ABUSE: _l("หยาบคาย คุกคาม หรือสร้างความเกลียดชัง"),
    REASON_ILLEGAL: _l("ผิดกฎหมายหรือเป็นอันตราย"),
    REASON_COPYRIGHT: _l("ละเมิดลิขสิทธิ์"),
    REASON_PRIVACY: _l("เปิดเผยข้อมูลส่วนตัวของผู้อื่น"),
    REASON_OTHER: _l("อื่น ๆ"),
}

STATUS_LABELS = {
    REPORT_OPEN: _l("รอดำเนินการ"),
    REPORT_RESOLVED: _l("จัดการแล้ว"),
    REPORT_DISMISSED: _l("ไม่ดำเนินการ"),
}


@dataclass(frozen=True)
class ReportTarget:
    """What a report is about, resolved from (target_type, target_id); both None once it was deleted."""

    entry: Entry | None
    comment: Comment | None

    @property
    def author(self) -> User | None:
        if self.comment is not None:
            return self.comment.author
        return self.entry.author if self.entry is not None else None


def _clean_details(details: str | None) -> str:
    text = normalize_text(details or "").strip()
    if len(text) > DETAILS_MAX_LENGTH:
        raise DomainError(_l("รายละเอียดยาวได้ไม่เกิน 2,000 ตัวอักษร"), field="details")
    return text


def open_report_by(reporter: User, target_type: str, target_id: int) -> Report | None:
    """The reporter's open report about this item, if any."""
    return db.session.scalar(
        select(Report).where(
            Report.reporter_id == reporter.id,
            Report.target_type == target_type,
            Report.target_id == target_id,
            Report.status == REPORT_OPEN,
        )
    )


def _file(reporter: User, target_type: str, target_id: int, author: User | None, reason: str, details: str) -> Report:
    if reason not in REASONS:
        raise DomainError(_l("กรุณาเลือกเหตุผลที่รายงาน"), field="reason")
    if open_report_by(reporter, target_type, target_id) is not None:
        raise Conflict(_l("คุณรายงานรายการนี้ไว้แล้ว ผู้ดูแลระบบกำลังตรวจสอบ"))
    report = Report(
        reporter=reporter,
        target_type=target_type,
        target_id=target_id,
        target_author=author,
        reason=reason,
        details=_clean_details(details),
        status=REPORT_OPEN,
    )
    try:
        # A savepoint: a report filed at the same moment by a second request trips the unique index instead.
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:
        raise Conflict(_l("คุณรายงานรายการนี้ไว้แล้ว ผู้ดูแลระบบกำลังตรวจสอบ")) from None
    return report


def report_entry(reporter: User, entry: Entry, reason: str, details: str = "") -> Report:
    """File `reporter`'s report about an entry; Conflict when they already have one open about it."""
    return _file(reporter, TARGET_ENTRY, entry.id, entry.author, reason, details)


def report_comment(reporter: User, comment: Comment, reason: str, details: str = "") -> Report:
    """File `reporter`'s report about a comment; Conflict when they already have one open about it."""
    return _file(reporter, TARGET_COMMENT, comment.id, comment.author, reason, details)


def target_of(report: Report) -> ReportTarget:
    if report.target_type == TARGET_COMMENT:
        comment = db.session.get(Comment, report.target_id)
        return ReportTarget(entry=comment.entry if comment else None, comment=comment)
    return ReportTarget(entry=db.session.get(Entry, report.target_id), comment=None)


def reports_query(status: str | None) -> Select:
    """Reports with the given status (all when None): open ones first, then the newest."""
    stmt = select(Report).options(
        joinedload(Report.reporter), joinedload(Report.target_author), joinedload(Report.resolved_by)
    )
    if status is not None:
        stmt = stmt.where(Report.status == status)
    open_first = case((Report.status == REPORT_OPEN, 0), else_=1)
    return stmt.order_by(open_first, Report.created_at.desc(), Report.id.desc())


def count_by_status() -> dict[str, int]:
    """How many reports have each status (every status present, zero included)."""
    rows = db.session.execute(select(Report.status, func.count()).group_by(Report.status))
    counts = dict.fromkeys(REPORT_STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def open_report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Report).where(Report.status == REPORT_OPEN)) or 0


def _close(report: Report, admin: User | None, status: str) -> None:
    if not report.is_open:
        raise DomainError(_l("รายงานนี้ได้รับการจัดการไปแล้ว"))
    report.status = status
    report.resolved_by = admin
    report.resolved_at = utcnow()


def resolve_report(report: Report, admin: User) -> None:
    """Mark the report handled: the administrator acted on it."""
    _close(report, admin, REPORT_RESOLVED)
    db.session.flush()


def dismiss_report(report: Report, admin: User) -> None:
    """Close the report without action: nothing against the rules was found."""
    _close(report, admin, REPORT_DISMISSED)
    db.session.flush()


def _resolve_open_about(target_type: str, target_id: int, admin: User) -> int:
    """Resolve every open report about one item (several members may have reported it); returns how many."""
    stmt = select(Report).where(
        Report.target_type == target_type, Report.target_id == target_id, Report.status == REPORT_OPEN
    )
    reports = list(db.session.scalars(stmt))
    for report in reports:
        _close(report, admin, REPORT_RESOLVED)
    db.session.flush()
    return len(reports)


def hide_reported_comment(report: Report, admin: User) -> Comment:
    """Hide the reported comment from readers and resolve every open report about it."""
    if not report.is_open:
        raise DomainError(_l("รายงานนี้ได้รับการจัดการไปแล้ว"))
    comment = target_of(report).comment
    if comment is None:
        raise DomainError(_l("ไม่พบความเห็นที่ถูกรายงาน อาจถูกลบไปแล้ว"))
    hide_comment(comment)
    _resolve_open_about(TARGET_COMMENT, comment.id, admin)
    return comment


def resolve_reports_against(author: User, admin: User | None) -> int:
    """Resolve every open report about content `author` wrote: done when their account is suspended.

    `admin` is None when the suspension came from the command line.
    """
    reports = list(
        db.session.scalars(select(Report).where(Report.target_author_id == author.id, Report.status == REPORT_OPEN))
    )
    for report in reports:
        _close(report, admin, REPORT_RESOLVED)
    db.session.flush()
    return len(reports)


def find_report(report_id: int) -> Report | None:
    return db.session.get(Report, report_id)
