"""submission keys: entries and comments keep the one-time key of the form that created them

Revision ID: t13_misc_submission_keys
Revises: t13_auth_sessions
Create Date: 2026-12-07 14:00:00.000000

A form sent twice (a retry after a lost response) must not create a second entry or comment: the key the form
carried is stored under a unique index, and a second POST with it finds the first row (app/submissions.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "t13_misc_submission_keys"
down_revision = "t13_auth_sessions"
branch_labels = None
depends_on = None

TABLES = ("entries", "comments")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("submission_key", sa.String(length=64), nullable=True))
            batch_op.create_index(f"ix_{table}_submission_key", ["submission_key"], unique=True)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_submission_key")
            batch_op.drop_column("submission_key")
