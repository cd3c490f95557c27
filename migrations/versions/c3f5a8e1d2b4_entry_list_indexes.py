"""entry list indexes: (status, published_at, id) and (blog_id, status, published_at, id)

Revision ID: c3f5a8e1d2b4
Revises: b7d2e41c9a10
Create Date: 2026-11-23 06:00:00.000000

Lists of published entries, newest first, sorted every published entry before taking a page of them (47 ms
for the home page at 10,000 entries on SQLite). With these the newest rows are read in index order.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c3f5a8e1d2b4"
down_revision = "b7d2e41c9a10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index("ix_entries_status_published_at", ["status", "published_at", "id"], unique=False)
        batch_op.create_index(
            "ix_entries_blog_id_status_published_at", ["blog_id", "status", "published_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_blog_id_status_published_at")
        batch_op.drop_index("ix_entries_status_published_at")
