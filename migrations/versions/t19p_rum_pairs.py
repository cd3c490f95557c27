"""search_documents: a RUM index on the documents (positions in the index), and pair lexemes in them

Revision ID: t19p_rum_pairs
Revises: t19r_search_terms
Create Date: 2026-12-07 23:00:00.000000

The GIN index on `document` becomes a RUM index (the `rum` extension, Debian's postgresql-15-rum: DEPLOY.md),
which keeps each lexeme's positions and section labels, so phrases are matched and the best documents ranked
inside the index instead of reading every matching document. Documents now also hold each two neighbouring
terms as one lexeme (app.search.backends.postgres); documents written before lack them, so every blog is queued
for re-indexing (the outbox sync rewrites them; `flask search reindex` does it at once). PostgreSQL only.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "t19p_rum_pairs"
down_revision = "t19r_search_terms"
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _is_postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS rum")
    op.drop_index("ix_search_documents_document", table_name="search_documents")
    op.execute("CREATE INDEX ix_search_documents_document ON search_documents USING rum (document rum_tsvector_ops)")
    op.execute(
        "INSERT INTO search_tasks (kind, ref_id, created_at) SELECT 'blog', id, now() AT TIME ZONE 'UTC' FROM blogs"
        " WHERE EXISTS (SELECT 1 FROM search_documents)"
    )


def downgrade():
    if not _is_postgresql():
        return
    op.drop_index("ix_search_documents_document", table_name="search_documents")
    op.create_index(
        "ix_search_documents_document",
        "search_documents",
        ["document"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    op.execute(
        "INSERT INTO search_tasks (kind, ref_id, created_at) SELECT 'blog', id, now() AT TIME ZONE 'UTC' FROM blogs"
        " WHERE EXISTS (SELECT 1 FROM search_documents)"
    )
