"""Registering, signing in and out, and account settings."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    after_this_request,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from app.auth import limits, services, signins
from app.auth.forms import (
    ChangePasswordForm,
    EmailForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.extensions import db
from app.forms_util import refusals
from app.urls import safe_next_url

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limits.register_per_ip
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    with refusals(form):
        if form.validate_on_submit():
            user = services.register_member(
                form.username.data, form.email.data, form.display_name.data, form.password.data
            )
            signins.start_session(user)
            db.session.commit()
            services.send_registration_mail(user)
            login_user(user)
            _welcome(user.unconfirmed_email)
            return redirect(url_for("main.dashboard"))
    # A refusal names a field of this form, so it is a 400 like the form's own checks (a taken username too).
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


def _welcome(email: str) -> None:
    """The same whether or not the address already has an account (services.register_member)."""
    flash(_("ยินดีต้อนรับสู่ศาลา เริ่มต้นด้วยการสร้างบล็อกของคุณ"), "success")
    flash(
        _(
            "เราส่งอีเมลไปที่ %(email)s แล้ว กรุณาเปิดอ่านเพื่อยืนยันที่อยู่อีเมล ระหว่างนี้เข้าสู่ระบบด้วยชื่อผู้ใช้",
            email=email,
        ),
        "info",
    )


@bp.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests):
    """Over a limit: registration comes back with what was typed (but the passwords), other pages say wait."""
    if request.endpoint != "auth.register":
        return render_template("errors/429.html", error=error), 429
    message = _("มีการสมัครสมาชิกจากเครือข่ายนี้ถี่เกินไป กรุณารอสักครู่แล้วกดสมัครอีกครั้ง ข้อมูลที่กรอกไว้ยังอยู่ในแบบฟอร์ม")
    return render_template("auth/register.html", form=RegisterForm(), message=message), 429


def _no_referrer(response: Response) -> Response:
    """The token is in the URL: keep it out of Referer headers sent to other pages and hosts."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/email/confirm/<token>")
def confirm_email(token: str):
    """A link that no longer works is a refusal, answered by the app's error page (with this header too)."""
    after_this_request(_no_referrer)
    services.confirm_email(token)
    db.session.commit()
    flash(_("ยืนยันอีเมลแล้ว ใช้อีเมลนี้เข้าสู่ระบบและตั้งรหัสผ่านใหม่ได้"), "success")
    return redirect(url_for("main.dashboard" if current_user.is_authenticated else "auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limits.login_per_ip
@limits.login_per_account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is not None:
            signins.start_session(user)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("เข้าสู่ระบบแล้ว"), "success")
            return redirect(safe_next_url(request.args.get("next"), url_for("main.dashboard")))
        flash(_("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        signins.end_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("ออกจากระบบแล้ว"), "info")
    return redirect(url_for("main.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    with refusals(form):
        if form.validate_on_submit():
            services.change_password(current_user, form.current_password.data, form.new_password.data)
            user = current_user._get_current_object()
            signins.start_session(user)
            db.session.commit()
            login_user(user)
            flash(_("เปลี่ยนรหัสผ่านแล้ว อุปกรณ์อื่นที่เข้าสู่ระบบไว้จะต้องเข้าสู่ระบบใหม่"), "success")
            return redirect(url_for("main.dashboard"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limits.email_requests_per_account
def change_email():
    """Give a new address, or have the confirmation link for one sent again (it expires)."""
    form = EmailForm(email=current_user.unconfirmed_email or current_user.email)
    with refusals(form):
        if form.validate_on_submit():
            user = current_user._get_current_object()
            services.request_email(user, form.email.data, form.current_password.data)
            db.session.commit()
            services.send_registration_mail(user)
            message = _("เราส่งอีเมลไปที่ %(email)s แล้ว กรุณาเปิดอ่านเพื่อยืนยันที่อยู่อีเมล", email=form.email.data.strip())
            flash(message, "info")
            return redirect(url_for("auth.change_email"))
    status = 400 if form.errors else 200
    return render_template("auth/email.html", form=form), status


RESET_SENT_MESSAGE = _l("หากอีเมลนี้ลงทะเบียนไว้ เราได้ส่งลิงก์สำหรับตั้งรหัสผ่านใหม่ไปแล้ว กรุณาตรวจสอบกล่องจดหมาย")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limits.reset_per_ip
@limits.reset_per_address
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_user_for_reset(form.email.data)
        if user is not None:
            services.send_password_reset_email(user)
        flash(RESET_SENT_MESSAGE, "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        response = make_response(render_template("auth/reset_invalid.html"), 400)
    else:
        form = ResetPasswordForm()
        if form.validate_on_submit():
            services.reset_password(user, form.new_password.data)
            signins.start_session(user)
            db.session.commit()
            logout_user()
            login_user(user)
            flash(_("ตั้งรหัสผ่านใหม่แล้ว อุปกรณ์อื่นที่เข้าสู่ระบบไว้จะต้องเข้าสู่ระบบใหม่"), "success")
            return redirect(url_for("main.dashboard"))
        status = 400 if form.errors else 200
        response = make_response(render_template("auth/reset_password.html", form=form), status)
    return _no_referrer(response)


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    with refusals(form):
        if form.validate_on_submit():
            services.update_profile(current_user, form.display_name.data, form.affiliation.data, form.bio.data)
            db.session.commit()
            flash(_("บันทึกข้อมูลส่วนตัวแล้ว"), "success")
            return redirect(url_for("users.profile", username=current_user.username))
    status = 400 if form.errors else 200
    return render_template("auth/edit_profile.html", form=form), status
