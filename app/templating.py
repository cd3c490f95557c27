"""Template filters and globals: presentation helpers that templates share."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_login import current_user

from app.i18n import render_locale
from app.licenses import LICENSES, license_for
from app.permissions import can
from app.text.dates import iso_utc, local_date, local_date_full
from app.urls import memo_url_for


def short_date(dt: datetime, with_time: bool = True) -> str:
    """`23 พ.ค. 2549 15:32` for Thai readers, `23 May 2006 15:32` for English ones."""
    return local_date(dt, render_locale(), with_time=with_time)


def day_date(dt: datetime) -> str:
    """The short date without the time of day."""
    return local_date(dt, render_locale(), with_time=False)


def full_date(dt: datetime) -> str:
    """`23 พฤษภาคม 2549` or `23 May 2006`."""
    return local_date_full(dt, render_locale())


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
    app.jinja_env.globals.update(
        url_for=memo_url_for,
        can=lambda action, obj=None: can(current_user._get_current_object(), action, obj),
        LICENSES=LICENSES,
        saved_draft_tokens=saved_draft_tokens,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
