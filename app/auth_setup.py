"""Flask-Login wiring: how a session cookie or a remember-me cookie becomes a user (app.auth.signins)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.auth import signins
from app.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.user_loader(signins.load_user)
    signins.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("กรุณาเข้าสู่ระบบก่อน")
    login_manager.login_message_category = "info"
