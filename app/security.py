"""Security settings applied to the whole application: response headers, the proxy fix, the secret key and
site address checks, the trusted hosts, and members' responses kept out of caches.

Cookie flags (HttpOnly, SameSite, Secure in production) are plain configuration in config.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request, session
from flask_login import COOKIE_NAME, current_user
from werkzeug.exceptions import BadHost, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import DEVELOPMENT_SECRET_KEY, MIN_SECRET_KEY_LENGTH

# What Flask and Werkzeug raise for a Host header they cannot build URLs for: one not in TRUSTED_HOSTS
# (SecurityError), or a name that is not a valid host name, e.g. a label over 63 characters (BadHost).
HOST_ERRORS = (BadHost, SecurityError)
# Sent on every response to a signed-in member: no shared cache may keep it, and no browser may store it.
MEMBER_CACHE_CONTROL = "private, no-store"

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
    keys = [app.config.get("SECRET_KEY") or "", *(app.config.get("SECRET_KEY_FALLBACKS") or ())]
    keys = [key.decode("utf-8", "replace") if isinstance(key, bytes) else key for key in keys]
    if any(key == DEVELOPMENT_SECRET_KEY or len(key.strip()) < MIN_SECRET_KEY_LENGTH for key in keys):
        raise RuntimeError(
            "SECRET_KEY is missing, the development default, or shorter than "
            f"{MIN_SECRET_KEY_LENGTH} characters; production will not start without a real one. Set the "
            'SECRET_KEY environment variable, e.g. to the output of: python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"'
        )


def _is_host_name(name: str | None) -> bool:
    try:
        return bool(name) and bool(name.encode("idna"))
    except UnicodeError:  # an empty label, or one over 63 characters
        return False


def check_site_url(app: Flask) -> None:
    """Refuse to start without a usable SITE_URL (production has no default), and store it without a final "/"."""
    site_url = (app.config.get("SITE_URL") or "").strip()
    parts = urlsplit(site_url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        valid = False
    else:
        valid = parts.scheme in ("http", "https") and _is_host_name(parts.hostname)
    if not valid or parts.username or parts.password or parts.query or parts.fragment:
        raise RuntimeError(
            f"SITE_URL {site_url!r} is not the site's public address; set it to the scheme, host and any path "
            "prefix readers use, e.g. SITE_URL=https://sala.example.go.th (links in mails, feeds and the API "
            "are built from it, never from the request's Host header)."
        )
    app.config["SITE_URL"] = site_url.rstrip("/")


def restrict_hosts(app: Flask) -> None:
    """Production answers only its own host name unless TRUSTED_HOSTS says otherwise (Flask then gives 400)."""
    if app.config.get("TRUSTED_HOSTS") is None and app.config.get("TRUSTED_HOSTS_FROM_SITE_URL"):
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["SITE_URL"]).hostname]


def refuse_untrusted_host() -> None:
    """Before any other hook works for the request: a Host Flask refused ends it here, with its 400.

    Flask keeps that error until the view would run, and the request has no URL adapter meanwhile.
    """
    if isinstance(request.routing_exception, HOST_ERRORS):
        raise request.routing_exception


def sends_login_cookies() -> bool:
    """Whether the request carries a session or remember-me cookie (a guest without one shares kept pages)."""
    config = current_app.config
    names = (config.get("SESSION_COOKIE_NAME", "session"), config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME))
    return any(name in request.cookies for name in names)


def _may_be_signed_in() -> bool:
    """Whether a member may be signed in: the request sent a session or remember-me cookie, or it changed the
    session (signing in does). Otherwise asking Flask-Login would read the session and add ``Vary: Cookie`` to
    responses that never depended on it."""
    return session.modified or sends_login_cookies()


def keep_member_responses_private(response: Response) -> Response:
    """Whatever a signed-in member is sent, however it was made (a view, the page cache's assembled pages, a
    redirect, an error), no cache keeps it. Files the same for everyone (static files, and responses their view
    marked public, such as uploaded images) keep their own caching."""
    if request.endpoint == "static" or not _may_be_signed_in():
        return response
    if "Cache-Control" in response.headers and response.cache_control.public:
        return response
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = MEMBER_CACHE_CONTROL
    return response


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
        "Strict-Transport-Security": config.get("STRICT_TRANSPORT_SECURITY", ""),
    }
    return {name: value for name, value in headers.items() if value}


def init_app(app: Flask) -> None:
    """The start-up checks, the host check and the headers; `create_app` applies the proxy fix last, as the
    outermost layer."""
    check_secret_key(app)
    check_site_url(app)
    restrict_hosts(app)
    app.before_request(refuse_untrusted_host)
    # Registered first, so it runs after every other after-request function and has the last word.
    app.after_request(keep_member_responses_private)

    headers = list(security_headers(app).items())

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        # Only those not set: a view that needs a different value for one response can still set its own.
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
        return response
