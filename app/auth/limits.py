"""Rate limits on signing in, registering and password-reset requests (Flask-Limiter; settings in config.py)."""

from __future__ import annotations

from flask import Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.auth import services
from app.extensions import limiter


def setting(name: str):
    """A limit read from the configuration at request time (tests and operators change it without a restart)."""
    return lambda: current_app.config[name]


def member_key() -> str:
    """One counter per signed-in member, whichever addresses their requests come from."""
    return f"user:{current_user.id}" if current_user.is_authenticated else "anonymous"


def login_account_key() -> str:
    """One counter per account whether it is named by username or email; unknown names get their own."""
    login = request.form.get("login", "").strip().lower()[:254]
    user = services.find_user_by_login(login) if login else None
    return f"user:{user.id}" if user is not None else f"login:{login}"


def reset_address_key() -> str:
    return "email:" + request.form.get("email", "").strip().lower()[:254]


def _failed_login(response: Response) -> bool:
    return response.status_code == 401


login_per_ip = limiter.limit(
    setting("LOGIN_LIMIT_PER_IP"), key_func=get_remote_address, methods=["POST"], scope="login-ip"
)
login_per_account = limiter.limit(
    setting("LOGIN_LIMIT_PER_ACCOUNT"),
    key_func=login_account_key,
    methods=["POST"],
    scope="login-account",
    deduct_when=_failed_login,
)
reset_per_ip = limiter.limit(
    setting("PASSWORD_RESET_LIMIT_PER_IP"), key_func=get_remote_address, methods=["POST"], scope="reset-ip"
)
reset_per_address = limiter.limit(
    setting("PASSWORD_RESET_LIMIT_PER_ADDRESS"), key_func=reset_address_key, methods=["POST"], scope="reset-email"
)


def _redirected(response: Response) -> bool:
    return response.status_code == 302


register_per_ip = limiter.limit(
    setting("REGISTER_LIMIT_PER_IP"),
    key_func=get_remote_address,
    methods=["POST"],
    scope="register-ip",
    deduct_when=_redirected,
)


email_requests_per_account = limiter.limit(
    setting("EMAIL_CONFIRM_LIMIT_PER_ACCOUNT"),
    key_func=member_key,
    methods=["POST"],
    scope="email-account",
    deduct_when=_redirected,
)
