"""The Whoosh schema: one document per published entry whose author is not suspended.

Everything a reader's words can match sits in one analysed field, `text`, written in weighted sections
(app.search.documents.SECTION_WEIGHTS): the title counts most, comments least. One field rather than one per
part because every searched field multiplies the work of a query (a Thai word is looked up once per field)
and of indexing (posting lists and length columns per field); the weights give the ranking the separate
fields gave. The other fields are exact keys for the filters. Nothing is stored but the entry id: results
are loaded from the database, which is the truth. No email address, IP address, draft or hidden comment
ever reaches a field.
"""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema

from app.search.analyzer import ThaiAnalyzer

# Bump when the schema or what the analyzer writes changes: an index of another version must be rebuilt (by
# `flask search reindex`; until then the old index keeps answering as well as it can, DEPLOY.md).
SCHEMA_VERSION = 3
# The one analysed field, which the reader's words are matched against.
TEXT_FIELD = "text"


def build_schema(paired: frozenset[str] = frozenset()) -> Schema:
    """The schema of a new index (an existing index keeps the schema it was created with); `paired` are the
    common terms whose neighbours are also indexed as pairs (app.search.analyzer)."""
    return Schema(
        entry_id=ID(unique=True, stored=True),
        text=TEXT(analyzer=ThaiAnalyzer(paired), multitoken_query="phrase"),
        tags=KEYWORD(commas=True),
        blog=ID(),
        # Internal keys: a blog or user task also drops documents whose rows the database no longer has.
        blog_id=ID(),
        author_id=ID(),
        author=ID(),
        stations=KEYWORD(commas=True),
        published=DATETIME(sortable=True),
    )
