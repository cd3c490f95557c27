"""Forms for creating and managing blogs. Slug rules live in app.blogs.services.validate_slug."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class BlogSettingsForm(FlaskForm):
    """What the owner may change after the blog exists."""

    title = StringField(
        _l("ชื่อบล็อก"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อบล็อก")),
            Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร")),
        ],
    )
    # The 2,000-character limit is checked by the service, after line endings are normalised.
    description = TextAreaField(_l("คำอธิบายบล็อก"), render_kw={"rows": 5})
    allow_guest_comments = BooleanField(_l("ให้ผู้ที่ไม่ได้เป็นสมาชิกแสดงความเห็นได้"), default=True)


class NewBlogForm(BlogSettingsForm):
    slug = StringField(
        _l("ที่อยู่บล็อก (ภาษาอังกฤษ)"),
        validators=[DataRequired(_l("กรุณากรอกที่อยู่บล็อก"))],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class CoauthorForm(FlaskForm):
    username = StringField(
        _l("ชื่อผู้ใช้ของผู้เขียนร่วม"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อผู้ใช้")),
            Length(max=31, message=_l("ชื่อผู้ใช้ยาวเกินไป")),
        ],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )


class DeleteBlogForm(FlaskForm):
    confirm = BooleanField(
        _l("ฉันเข้าใจว่าบันทึกและความเห็นทั้งหมดในบล็อกนี้จะถูกลบถาวร"),
        validators=[DataRequired(_l("กรุณาทำเครื่องหมายยืนยันก่อนลบบล็อก"))],
    )
