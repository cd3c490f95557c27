"""search_documents: a second, partial RUM index on one document in 16 (by a hash of the entry id), where the
PostgreSQL backend counts a query's matches first

Revision ID: t19q_count_sample
Revises: t19p_rum_pairs
Create Date: 2026-12-08 01:00:00.000000

A query matching a large share of the documents is then shown with an estimated total ("about N", as the Whoosh
backend shows for very common phrases) instead of counting every match (app.search.backends.postgres:
COUNT_SAMPLE, COUNT_LIMIT). The predicate must stay the expression of postgres._in_sample. PostgreSQL only; the
rebuild (`flask search reindex`) copies the index with the others.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "t19q_count_sample"
down_revision = "t19p_rum_pairs"
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _is_postgresql():
        return
    op.execute(
        "CREATE INDEX ix_search_documents_sample ON search_documents USING rum (document rum_tsvector_ops)"
        " WHERE (hashint4(entry_id) & 15) = 0"
    )


def downgrade():
    if not _is_postgresql():
        return
    op.drop_index("ix_search_documents_sample", table_name="search_documents")
