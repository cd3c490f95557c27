"""URL helpers shared by views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


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


# Distinct URLs remembered per app: the site's tags, people, blogs and stations, and the entries most shown.
URL_MEMO_SIZE = 16_384
_URL_MEMO = "sala.template_urls"
_MEMO_TYPES = (str, int)


def _url_memo() -> Callable[[str, str, tuple[tuple[str, Any], ...]], str]:
    @functools.lru_cache(maxsize=URL_MEMO_SIZE)
    def built(script_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
        return url_for(endpoint, **dict(values))

    return built


def memo_url_for(endpoint: str, **values: Any) -> str:
    """Flask's `url_for`, each URL built once (templates use it as `url_for`): a list page links to the same
    tags, people and blogs again and again, and building URLs through the URL map cost a fifth of a cold page.

    An internal URL depends only on the endpoint, the values and the request's path prefix (Sala has no
    subdomains, host matching or URL defaults: tests/ui/test_template_urls.py checks). Anything else
    (`_external`, `_anchor`, a blueprint-relative endpoint, a value other than text or a number, no request)
    goes to `url_for` itself every time.
    """
    if endpoint[:1] == "." or not has_request_context():
        return url_for(endpoint, **values)
    for name, value in values.items():
        if name[:1] == "_" or type(value) not in _MEMO_TYPES:
            return url_for(endpoint, **values)
    memo = current_app.extensions.get(_URL_MEMO)
    if memo is None:
        memo = current_app.extensions.setdefault(_URL_MEMO, _url_memo())
    return memo(request.script_root, endpoint, tuple(values.items()))
