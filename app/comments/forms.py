"""The comment form: members fill in the body only; guests also give a name and, optionally, an email.

`website` is a honeypot: hidden from people (templates/comments/_form.html), filled in by form-filling bots.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.submissions import SubmissionKeyField

BODY_MAX_LENGTH = 10_000
GUEST_NAME_MAX_LENGTH = 100
GUEST_EMAIL_MAX_LENGTH = 254


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("ความเห็น"),
        validators=[
            DataRequired(_l("กรุณาเขียนความเห็น")),
            Length(max=BODY_MAX_LENGTH, message=_l("ความเห็นยาวได้ไม่เกิน 10,000 ตัวอักษร")),
        ],
        render_kw={"rows": 6},
    )
    # Members comment as themselves: the view removes both guest fields from their form.
    guest_name = StringField(
        _l("ชื่อ"),
        validators=[Length(max=GUEST_NAME_MAX_LENGTH, message=_l("ชื่อยาวได้ไม่เกิน 100 ตัวอักษร"))],
        render_kw={"autocomplete": "name"},
    )
    guest_email = EmailField(
        _l("อีเมล (ไม่บังคับ)"),
        validators=[
            Optional(),
            Email(_l("รูปแบบอีเมลไม่ถูกต้อง")),
            Length(max=GUEST_EMAIL_MAX_LENGTH, message=_l("อีเมลยาวได้ไม่เกิน 254 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "email"},
    )

    website = StringField(
        _l("เว้นช่องนี้ว่างไว้ (ช่องนี้มีไว้กันสแปม)"),
        validators=[Length(max=2000)],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )

    submission_key = SubmissionKeyField()

    def validate_guest_name(self, field: Field) -> None:
        """A guest must give a name (the field only exists on a guest's form)."""
        if not (field.data or "").strip():
            raise ValidationError(_l("กรุณากรอกชื่อของคุณ"))
