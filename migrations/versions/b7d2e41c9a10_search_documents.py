"""search_documents: the PostgreSQL search backend's table (tsvector + filter keys), on PostgreSQL only

Revision ID: b7d2e41c9a10
Revises: e47bce822268
Create Date: 2026-11-23 02:20:00.000000

SQLite keeps the embedded Whoosh index and has no tsvector type, so on any other database this migration
does nothing. The table is not part of the models' metadata (app.search.backends.postgres defines it).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "b7d2e41c9a10"
down_revision = "e47bce822268"
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if not _is_postgresql():
        return
    op.create_table(
        "search_documents",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.TSVECTOR(), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("stations", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("blog", sa.Text(), nullable=False),
        sa.Column("blog_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_search_documents_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_search_documents")),
    )
    # fastupdate off: a pending list (GIN's default) is scanned by every search until vacuum merges it, and it
    # made the planner price the index above a sequential scan that detoasts every document (bench/README.md).
    op.create_index(
        "ix_search_documents_document",
        "search_documents",
        ["document"],
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )
    op.create_index("ix_search_documents_tags", "search_documents", ["tags"], postgresql_using="gin")
    op.create_index("ix_search_documents_stations", "search_documents", ["stations"], postgresql_using="gin")
    op.create_index("ix_search_documents_published_at", "search_documents", ["published_at"])
    op.create_index("ix_search_documents_blog_id", "search_documents", ["blog_id"])
    op.create_index("ix_search_documents_author_id", "search_documents", ["author_id"])
    op.create_index("ix_search_documents_blog", "search_documents", ["blog"])
    op.create_index("ix_search_documents_author", "search_documents", ["author"])


def downgrade():
    if not _is_postgresql():
        return
    op.drop_table("search_documents")
