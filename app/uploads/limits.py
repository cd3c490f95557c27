"""How many images one member may upload in a while (Flask-Limiter; UPLOAD_LIMIT_PER_MEMBER in config.py).

Each upload is a decode of up to a few hundred milliseconds and a hundred-odd MB: the limit keeps one member
from holding the workers, whichever addresses their requests come from.
"""

from __future__ import annotations

from flask_login import current_user

from app.auth.limits import member_key, setting
from app.extensions import limiter


def _is_visitor() -> bool:
    """Visitors are answered 401 before anything is decoded; they are not counted."""
    return not current_user.is_authenticated


uploads_per_member = limiter.limit(
    setting("UPLOAD_LIMIT_PER_MEMBER"),
    key_func=member_key,
    methods=["POST"],
    scope="upload-member",
    exempt_when=_is_visitor,
)
