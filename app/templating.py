"""Template filters and globals: presentation helpers that templates share."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user

from app.i18n import current_locale
from app.licenses import LICENSES, license_for
from app.permissions import can
from app.text.dates import iso_utc, local_date, local_date_full


def short_date(dt: datetime, with_time: bool = True) -> str:
    """`23 พ.ค. 2549 15:32` for Thai readers, `23 May 2006 15:32` for English ones."""
    return local_date(dt, current_locale(), with_time=with_time)


def day_date(dt: datetime) -> str:
    """The short date without the time of day."""
    return local_date(dt, current_locale(), with_time=False)


def full_date(dt: datetime) -> str:
    """`23 พฤษภาคม 2549` or `23 May 2006`."""
    return local_date_full(dt, current_locale())


# Distinct URLs remembered per app: the site's tags, people, blogs and stations, and the entries most shown.
URL_MEMO_SIZE = 16_384
_URL_MEMO = "sala.template_urls"
_MEMO_TYPES = (str, int)


def _url_memo() -> Callable[[str, str, tuple[tuple[str, Any], ...]], str]:
    @functools.lru_cache(maxsize=URL_MEMO_SIZE)
    def built(script_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
        return url_for(endpoint, **dict(values))

    return built


def template_url_for(endpoint: str, **values: Any) -> str:
    """Flask's `url_for` for templates, each URL built once: a list page links to the same tags, people and
    blogs again and again, and building URLs through the URL map cost a fifth of a cold page.

    An internal URL depends only on the endpoint, the values and the request's path prefix (Sala has no
    subdomains, host matching or URL defaults: tests/ui/test_template_urls.py checks). Anything else
    (`_external`, `_anchor`, a blueprint-relative endpoint, a value other than text or a number, no request)
    goes to `url_for` itself every time.
    """
    if (
        endpoint[:1] == "."
        or not has_request_context()
        or not all(type(value) in _MEMO_TYPES and name[:1] != "_" for name, value in values.items())
    ):
        return url_for(endpoint, **values)
    return current_app.extensions[_URL_MEMO](request.script_root, endpoint, tuple(values.items()))


def init_app(app: Flask) -> None:
    from app.comments.services import mask_ip
    from app.editor.drafts import saved_draft_tokens

    # The filters keep their first names (thai_date, thai_day, thai_date_full), which templates use,
    # but follow the reader's language: Buddhist Era in Thai, Common Era in English.
    app.jinja_env.filters.update(
        thai_date=short_date,
        thai_day=day_date,
        thai_date_full=full_date,
        iso_utc=iso_utc,
        mask_ip=mask_ip,
        license=license_for,
    )
    app.extensions[_URL_MEMO] = _url_memo()
    app.jinja_env.globals.update(
        url_for=template_url_for,
        can=lambda action, obj=None: can(current_user._get_current_object(), action, obj),
        LICENSES=LICENSES,
        saved_draft_tokens=saved_draft_tokens,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
