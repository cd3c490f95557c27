"""How often a guest may comment from one address (Flask-Limiter; COMMENT_LIMIT_PER_IP in config.py)."""

from __future__ import annotations

from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.auth.limits import setting
from app.extensions import limiter


def _is_member() -> bool:
    """Members answer for their comments under their own name; the per-address limit is for guests."""
    return current_user.is_authenticated


guest_comments_per_ip = limiter.limit(
    setting("COMMENT_LIMIT_PER_IP"),
    key_func=get_remote_address,
    methods=["POST"],
    scope="comment-ip",
    exempt_when=_is_member,
)
