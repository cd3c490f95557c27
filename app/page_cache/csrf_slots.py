"""CSRF tokens in kept pages: a render that will be kept for others puts a placeholder wherever a token goes.

A token belongs to one reader's session. While a page (or the navigation) that will be kept is rendered,
`placeholder_tokens` has Flask-WTF's `generate_csrf`, which the forms' hidden field, `csrf_token()` and
`csrf_meta_tag()` all call, give `CSRF_PLACEHOLDER`: it returns the request's token kept in ``g`` (as its
documentation says), and the placeholder is put there for the length of the render. The kept bytes then hold the
placeholder exactly where a form or meta tag asked for a token, no token of anyone's, and `fill` puts each
later reader's own token in those places only. Nothing else in the page is ever rewritten.

The placeholder starts with "<", which no user content can bring into a page: Jinja escapes every value a
template prints (titles, names, tags, station text, search queries), and entry and comment bodies, printed as
they are, were sanitised on save by bleach, which writes "<" in text and in attribute values as "&lt;" and
keeps no element but its allow-list (app/text/markdown.py; search snippets are escaped too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g
from markupsafe import Markup

CSRF_PLACEHOLDER = b"<sala-csrf-token>"
# Markup, so that Jinja and WTForms print it as it is (they would escape a str).
_PLACEHOLDER_MARKUP = Markup(CSRF_PLACEHOLDER.decode())


def csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


@contextmanager
def placeholder_tokens() -> Iterator[None]:
    """Within the block, every CSRF token asked for is the placeholder; the request's own token is kept aside."""
    field = csrf_field()
    own = g.pop(field, None)
    setattr(g, field, _PLACEHOLDER_MARKUP)
    try:
        yield
    finally:
        g.pop(field, None)
        if own is not None:
            setattr(g, field, own)


def fill(body: bytes, token: str) -> bytes:
    """`body` with the reader's `token` where the render put the placeholder."""
    return body.replace(CSRF_PLACEHOLDER, token.encode())
