"""The report form members fill in about an entry or a comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.reports.services import DETAILS_MAX_LENGTH, REASON_LABELS


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("เหตุผลที่รายงาน"),
        choices=[SelectChoice(code, label) for code, label in REASON_LABELS.items()],
        validators=[InputRequired(_l("กรุณาเลือกเหตุผลที่รายงาน"))],
        invalid_choice_message=_l("กรุณาเลือกเหตุผลที่รายงาน"),
    )
    details = TextAreaField(
        _l("รายละเอียดเพิ่มเติม (ไม่บังคับ)"),
        validators=[Length(max=DETAILS_MAX_LENGTH, message=_l("รายละเอียดยาวได้ไม่เกิน 2,000 ตัวอักษร"))],
        render_kw={"rows": 4},
    )
