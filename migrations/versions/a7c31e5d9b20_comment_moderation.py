"""comment moderation: a pending status and the reason a comment waits for approval

Revision ID: a7c31e5d9b20
Revises: 6f8652fd970c
Create Date: 2026-11-23 02:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c31e5d9b20"
down_revision = "6f8652fd970c"
branch_labels = None
depends_on = None


def upgrade():
    # Existing comments are all public: the server default fills them in as "published".
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), server_default="published", nullable=False))
        batch_op.add_column(sa.Column("moderation_reason", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_comments_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_status"))
        batch_op.drop_column("moderation_reason")
        batch_op.drop_column("status")
