"""The Whoosh schema: one document per published entry whose author is not suspended.

Every text field uses the one Thai analyzer (app.search.analyzer). Text fields match a multi-piece query
word (a Thai word the segmenter cuts into pieces) as a phrase of its pieces. Field weights for ranking are
given in the query (app.search.query.FIELD_BOOSTS), once, rather than also at index time.
No email address, IP address, draft or hidden comment ever reaches a field.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from app.search.analyzer import ThaiAnalyzer


def _text(*, stored: bool = False) -> TEXT:
    return TEXT(analyzer=ThaiAnalyzer(), stored=stored, multitoken_query="phrase")


def build_schema() -> Schema:
    """The schema of a new index (an existing index keeps the schema it was created with)."""
    return Schema(
        entry_id=ID(unique=True, stored=True),
        number=STORED(),
        title=_text(stored=True),
        # Stored (prepared by analyzer.prepare) so hits can be highlighted and related entries found.
        body=_text(stored=True),
        tags=KEYWORD(commas=True, stored=True),
        tags_text=_text(),
        blog=ID(),
        blog_title=_text(),
        # Internal keys: a blog or user task also drops documents whose rows the database no longer has.
        blog_id=ID(),
        author_id=ID(),
        author=ID(),
        author_name=_text(),
        stations=KEYWORD(commas=True),
        stations_text=_text(),
        published=DATETIME(sortable=True),
        comments=_text(),
    )
