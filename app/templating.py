"""Template filters and globals: presentation helpers that templates share."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from app.licenses import LICENSES, license_for
from app.permissions import can
from app.text.dates import iso_utc, thai_date, thai_date_full


def init_app(app: Flask) -> None:
    from app.comments.services import mask_ip

    app.jinja_env.filters.update(
        thai_date=thai_date,
        thai_day=lambda dt: thai_date(dt, with_time=False),
        thai_date_full=thai_date_full,
        iso_utc=iso_utc,
        mask_ip=mask_ip,
        license=license_for,
    )
    app.jinja_env.globals.update(
        can=lambda action, obj=None: can(current_user, action, obj),
        LICENSES=LICENSES,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
