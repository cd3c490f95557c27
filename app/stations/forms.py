"""Forms for creating and editing stations, submitting a blog and naming moderators."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from app.models.station import JOIN_APPROVAL, JOIN_OPEN

SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,59}$"


def _join_policy_field() -> RadioField:
    return RadioField(
        _l("วิธีรับสมาชิก"),
        choices=[
            SelectChoice(JOIN_OPEN, _l("เปิด: ใครก็เข้าร่วมได้ทันที")),
            SelectChoice(JOIN_APPROVAL, _l("ต้องได้รับอนุมัติจากผู้ดูแลก่อน")),
        ],
        default=JOIN_OPEN,
        invalid_choice_message=_l("กรุณาเลือกวิธีรับสมาชิก"),
        validators=[DataRequired(_l("กรุณาเลือกวิธีรับสมาชิก"))],
    )


class StationEditForm(FlaskForm):
    name = StringField(
        _l("ชื่อชุมชน"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อชุมชน")),
            Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร")),
        ],
    )
    description = TextAreaField(
        _l("คำอธิบาย"),
        validators=[Length(max=5000, message=_l("ยาวได้ไม่เกิน 5,000 ตัวอักษร"))],
        render_kw={"rows": 5},
    )
    join_policy = _join_policy_field()


class StationForm(StationEditForm):
    slug = StringField(
        _l("ชื่อย่อสำหรับลิงก์ (ภาษาอังกฤษ)"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อย่อ")),
            Regexp(
                SLUG_PATTERN,
                message=_l("ใช้ตัวอักษรอังกฤษ ตัวเลข - หรือ _ ยาว 3–60 ตัว ขึ้นต้นด้วยตัวอักษรหรือตัวเลข"),
            ),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class SubmitBlogForm(FlaskForm):
    """The choices are the submitter's own blogs, set by the view."""

    blog = SelectField(
        _l("บล็อกของคุณ"),
        validators=[DataRequired(_l("กรุณาเลือกบล็อก"))],
        invalid_choice_message=_l("เลือกได้เฉพาะบล็อกที่คุณเป็นเจ้าของ"),
    )


class ModeratorForm(FlaskForm):
    on = HiddenField(validators=[AnyOf(("1", "0"), message=_l("คำสั่งไม่ถูกต้อง"))])
