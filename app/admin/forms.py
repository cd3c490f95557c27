"""Forms for suspending and restoring accounts. The service checks the meaning (who may be suspended)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        _l("เหตุผลที่ระงับบัญชี"),
        validators=[
            DataRequired(_l("กรุณาระบุเหตุผลที่ระงับบัญชี")),
            Length(max=1000, message=_l("เหตุผลยาวได้ไม่เกิน 1,000 ตัวอักษร")),
        ],
        render_kw={"rows": 4},
    )
    confirm = BooleanField(
        _l("ยืนยัน: ซ่อนเนื้อหาทั้งหมดของบัญชีนี้และไม่ให้เข้าสู่ระบบ"),
        validators=[DataRequired(_l("กรุณาติ๊กยืนยันก่อนระงับบัญชี"))],
    )
    # The report that led here, resolved together with the suspension.
    report_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class RestoreForm(FlaskForm):
    confirm = BooleanField(
        _l("ยืนยัน: ให้บัญชีนี้เข้าสู่ระบบได้และแสดงเนื้อหาอีกครั้ง"),
        validators=[DataRequired(_l("กรุณาติ๊กยืนยันก่อนยกเลิกการระงับ"))],
    )
