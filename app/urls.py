"""URL helpers shared by views."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def site_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint` at the site's configured address (SITE_URL), never at the request's.

    Flask's ``url_for(..., _external=True)`` takes the host, scheme and path prefix from the request, so a
    forged Host header would go into password-reset mails and feeds. This builds with the same URL map (and the
    app's URL defaults), bound to SITE_URL instead.
    """
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site paths are followed after login, so `?next=` cannot send people elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target
