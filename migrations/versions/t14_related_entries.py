"""related entries: each entry's ranked related entries, stored by a background task

Revision ID: t14_related_entries
Revises: t13_misc_submission_keys
Create Date: 2026-12-07 16:40:00.000000

The entry page used to rank its related entries over the whole index while it rendered, and any entry's change
retired every cached entry page. Now a task ranks them when the index takes a change (app/entries/related.py)
and stores them here; `related_lists` marks an entry whose list was computed, even an empty one.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "t14_related_entries"
down_revision = "t13_misc_submission_keys"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "related_lists",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_related_lists_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_related_lists")),
    )
    op.create_table(
        "related_entries",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_related_entries_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["entries.id"], name=op.f("fk_related_entries_related_id_entries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entry_id", "rank", name=op.f("pk_related_entries")),
    )
    with op.batch_alter_table("related_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_related_entries_related_id"), ["related_id"], unique=False)


def downgrade():
    with op.batch_alter_table("related_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_related_entries_related_id"))
    op.drop_table("related_entries")
    op.drop_table("related_lists")
