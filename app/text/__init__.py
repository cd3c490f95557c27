"""Thai text handling: normalisation, tags, Markdown/comment rendering and dates.

Pure functions with no application state, so models, forms, importers and
templates can share them.
"""

from app.text.dates import (
    THAI_MONTHS_ABBR,
    THAI_MONTHS_FULL,
    iso_utc,
    parse_gotoknow_datetime,
    thai_date,
    thai_date_full,
    to_local,
    utcnow,
)
from app.text.markdown import (
    count_links,
    excerpt,
    html_to_text,
    markdown_to_plain_text,
    render_comment,
    render_markdown,
)
from app.text.normalize import collapse_spaces, fold_thai_digits, normalize_text
from app.text.tags import (
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_ENTRY,
    TagError,
    format_tags,
    normalize_tag,
    parse_tags,
)

__all__ = [
    "MAX_TAGS_PER_ENTRY",
    "MAX_TAG_LENGTH",
    "THAI_MONTHS_ABBR",
    "THAI_MONTHS_FULL",
    "TagError",
    "collapse_spaces",
    "count_links",
    "excerpt",
    "fold_thai_digits",
    "format_tags",
    "html_to_text",
    "iso_utc",
    "markdown_to_plain_text",
    "normalize_tag",
    "normalize_text",
    "parse_gotoknow_datetime",
    "parse_tags",
    "render_comment",
    "render_markdown",
    "thai_date",
    "thai_date_full",
    "to_local",
    "utcnow",
]
