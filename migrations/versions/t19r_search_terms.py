"""search_terms: the Thai pieces the PostgreSQL search documents hold, for finding words ICU cut differently

Revision ID: t19r_search_terms
Revises: t14_related_entries
Create Date: 2026-12-07 19:50:00.000000

A Thai query is matched against the pieces the index holds (app/search/substring.py); Whoosh reads them from its
lexicon, PostgreSQL from this table, which the search writers fill as they write documents (terms are never
deleted: a stale term only adds an alternative that matches nothing). `id` grows in commit order, since the
writers hold one lock, so a reader loads only the terms added since it last looked. PostgreSQL only, like
search_documents.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "t19r_search_terms"
down_revision = "t14_related_entries"
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _is_postgresql():
        return
    op.create_table(
        "search_terms",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_terms")),
        sa.UniqueConstraint("term", name=op.f("uq_search_terms_term")),
    )
    # Existing documents' terms, so a site that upgrades finds its old entries' words too.
    op.execute(
        "INSERT INTO search_terms (term) SELECT DISTINCT lexeme FROM search_documents, unnest(document)"
        " WHERE lexeme ~ '^[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e45\u0e47-\u0e4e]+$' ORDER BY lexeme"
        " ON CONFLICT DO NOTHING"
    )


def downgrade():
    if not _is_postgresql():
        return
    op.drop_table("search_terms")
