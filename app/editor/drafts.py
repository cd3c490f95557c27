"""Which of this browser's local drafts the server has saved, so the editor's script can forget them.

On submit the script tags its local copy with a random token and sends the token in the form. Only when the
save succeeds does the token go into the session; the next editor page lists the saved tokens and the script
deletes those copies. A submit that fails (a refused form, a dropped connection) never confirms its token,
so the local copy stays until the writer restores or discards it.
"""

from __future__ import annotations

import re

from flask import session

SESSION_KEY = "saved_drafts"
KEEP = 10
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def remember_saved_draft(token: str | None) -> None:
    if not token or not TOKEN_RE.fullmatch(token):
        return
    tokens = [known for known in session.get(SESSION_KEY, []) if known != token]
    session[SESSION_KEY] = [*tokens, token][-KEEP:]


def saved_draft_tokens() -> list[str]:
    tokens = session.get(SESSION_KEY, [])
    return [token for token in tokens if isinstance(token, str)] if isinstance(tokens, list) else []
