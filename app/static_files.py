"""Static files served from static/: make sure the vendored webfonts go out with their font MIME types."""

from __future__ import annotations

import mimetypes

from flask import Flask

# Python's table lacks these on some systems (it falls back to /etc/mime.types where that exists), and a font
# sent as application/octet-stream trips `X-Content-Type-Options: nosniff` in some browsers.
FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff"}


def init_app(app: Flask) -> None:
    for extension, mime_type in FONT_TYPES.items():
        mimetypes.add_type(mime_type, extension)
