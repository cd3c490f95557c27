"""The entry editor and the delete confirmation. Meaning (body size, tag rules) is checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.licenses import DEFAULT_LICENSE, LICENSES
from app.models import STATUS_DRAFT, STATUS_PUBLISHED
from app.submissions import SubmissionKeyField


def license_choices() -> list[SelectChoice]:
    """Each license by its label; the editor shows what the chosen one allows beside the list."""
    return [SelectChoice(lic.code, str(lic.label)) for lic in LICENSES]


class EntryForm(FlaskForm):
    title = StringField(
        _l("ชื่อบันทึก"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อบันทึก")),
            Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร")),
        ],
    )
    body = TextAreaField(
        _l("เนื้อหา"),
        validators=[DataRequired(_l("กรุณาเขียนเนื้อหาบันทึก"))],
        render_kw={"rows": 20, "class": "editor"},
    )
    tags = StringField(
        _l("คำสำคัญ"),
        validators=[Length(max=1000, message=_l("คำสำคัญยาวเกินไป"))],
        render_kw={"autocomplete": "off", "list": "tag-suggestions", "placeholder": _l("เช่น การจัดการความรู้, KM, ชุมพร")},
    )
    # The service checks the code (with a Thai message), so WTForms' English "Not a valid choice" never shows.
    license = SelectField(_l("สัญญาอนุญาต"), default=DEFAULT_LICENSE, validate_choice=False)
    status = RadioField(
        _l("สถานะ"),
        choices=[
            SelectChoice(STATUS_PUBLISHED, _l("เผยแพร่")),
            SelectChoice(STATUS_DRAFT, _l("บันทึกร่าง (เห็นเฉพาะผู้เขียนและเจ้าของบล็อก)")),
        ],
        default=STATUS_PUBLISHED,
        validators=[InputRequired(_l("กรุณาเลือกสถานะ"))],
        invalid_choice_message=_l("กรุณาเลือกสถานะ"),
    )
    comments_enabled = BooleanField(_l("เปิดรับความเห็น"), default=True)
    # Only a new entry's form uses it: saving an edit twice changes nothing the first save did not.
    submission_key = SubmissionKeyField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.license.choices = license_choices()

    @property
    def publish(self) -> bool:
        return self.status.data == STATUS_PUBLISHED


class DeleteEntryForm(FlaskForm):
    confirm = BooleanField(
        _l("ฉันเข้าใจว่าบันทึกนี้และความเห็นทั้งหมดจะถูกลบถาวร"),
        validators=[DataRequired(_l("กรุณาทำเครื่องหมายยืนยันก่อนลบบันทึก"))],
    )
