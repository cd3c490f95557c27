"""Forms for registering, signing in and managing one's account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

USERNAME_PATTERN = r"^[A-Za-z0-9_-]{3,30}$"
PASSWORD_MIN_LENGTH = 8


def email_field(label) -> EmailField:
    """An email address: required, well-formed, at most 254 characters (RFC 5321)."""
    return EmailField(
        label,
        validators=[
            DataRequired(_l("กรุณากรอกอีเมล")),
            Email(_l("รูปแบบอีเมลไม่ถูกต้อง")),
            Length(max=254, message=_l("อีเมลยาวได้ไม่เกิน 254 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "email"},
    )


class RegisterForm(FlaskForm):
    username = StringField(
        _l("ชื่อผู้ใช้ (ภาษาอังกฤษ)"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อผู้ใช้")),
            Regexp(USERNAME_PATTERN, message=_l("ใช้ตัวอักษรอังกฤษ ตัวเลข - หรือ _ ยาว 3–30 ตัว")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    display_name = StringField(
        _l("ชื่อที่แสดง"),
        validators=[DataRequired(_l("กรุณากรอกชื่อที่แสดง")), Length(max=100, message=_l("ยาวได้ไม่เกิน 100 ตัวอักษร"))],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("อีเมล"))
    password = PasswordField(
        _l("รหัสผ่าน"),
        validators=[
            DataRequired(_l("กรุณากรอกรหัสผ่าน")),
            Length(min=PASSWORD_MIN_LENGTH, max=200, message=_l("รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("ยืนยันรหัสผ่าน"),
        validators=[EqualTo("password", message=_l("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    login = StringField(
        _l("ชื่อผู้ใช้หรืออีเมล"),
        validators=[
            DataRequired(_l("กรุณากรอกชื่อผู้ใช้หรืออีเมล")),
            Length(max=254, message=_l("ยาวได้ไม่เกิน 254 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("รหัสผ่าน"),
        validators=[DataRequired(_l("กรุณากรอกรหัสผ่าน")), Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร"))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("จดจำฉันไว้ในเครื่องนี้"))


class ResetPasswordForm(FlaskForm):
    """A new password, typed twice (also the second half of ChangePasswordForm)."""

    new_password = PasswordField(
        _l("รหัสผ่านใหม่"),
        validators=[
            DataRequired(_l("กรุณากรอกรหัสผ่านใหม่")),
            Length(min=PASSWORD_MIN_LENGTH, max=200, message=_l("รหัสผ่านต้องยาวอย่างน้อย 8 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("ยืนยันรหัสผ่านใหม่"),
        validators=[EqualTo("new_password", message=_l("รหัสผ่านทั้งสองช่องไม่ตรงกัน"))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("รหัสผ่านปัจจุบัน"),
        validators=[
            DataRequired(_l("กรุณากรอกรหัสผ่านปัจจุบัน")),
            Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("อีเมลที่ใช้สมัคร"))


class EmailForm(FlaskForm):
    email = email_field(_l("อีเมล"))
    current_password = PasswordField(
        _l("รหัสผ่านปัจจุบัน"),
        validators=[
            DataRequired(_l("กรุณากรอกรหัสผ่านปัจจุบัน")),
            Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร")),
        ],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("ชื่อที่แสดง"),
        validators=[DataRequired(_l("กรุณากรอกชื่อที่แสดง")), Length(max=100, message=_l("ยาวได้ไม่เกิน 100 ตัวอักษร"))],
    )
    affiliation = StringField(_l("สังกัด"), validators=[Length(max=200, message=_l("ยาวได้ไม่เกิน 200 ตัวอักษร"))])
    bio = TextAreaField(_l("แนะนำตัวสั้น ๆ"), validators=[Length(max=2000, message=_l("ยาวได้ไม่เกิน 2,000 ตัวอักษร"))])
