"""Security settings applied to the whole application: response headers, the proxy fix, the secret key check.

Cookie flags (HttpOnly, SameSite, Secure in production) are plain configuration in config.py.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from config import DEVELOPMENT_SECRET_KEY, MIN_SECRET_KEY_LENGTH

PROXY_FIX_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}


def check_secret_key(app: Flask) -> None:
    """Refuse to run where sessions must be unforgeable (production) with a missing, default or short key."""
    if not app.config.get("REQUIRE_STRONG_SECRET_KEY"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if key == DEVELOPMENT_SECRET_KEY or len(key.strip()) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(
            "SECRET_KEY is missing, the development default, or shorter than "
            f"{MIN_SECRET_KEY_LENGTH} characters; production will not start without a real one. Set the "
            'SECRET_KEY environment variable, e.g. to the output of: python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )


def apply_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* headers from the configured number of proxies; all zero (the default) trusts none."""
    counts = {argument: int(app.config.get(key) or 0) for argument, key in PROXY_FIX_SETTINGS.items()}
    if any(count > 0 for count in counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


def security_headers(app: Flask) -> dict[str, str]:
    """The headers every response carries, from the configuration (an empty setting leaves its header out)."""
    config = app.config
    csp_header = (
        "Content-Security-Policy-Report-Only"
        if config.get("CONTENT_SECURITY_POLICY_REPORT_ONLY")
        else "Content-Security-Policy"
    )
    headers = {
        csp_header: config.get("CONTENT_SECURITY_POLICY", ""),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": config.get("REFERRER_POLICY", ""),
        "X-Frame-Options": config.get("X_FRAME_OPTIONS", ""),
        "Permissions-Policy": config.get("PERMISSIONS_POLICY", ""),
    }
    return {name: value for name, value in headers.items() if value}


def init_app(app: Flask) -> None:
    """The secret key check and the headers; `create_app` applies the proxy fix last, as the outermost layer."""
    check_secret_key(app)

    headers = list(security_headers(app).items())

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # Only those not set: a view that needs a different value for one response can still set its own.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
        return response
