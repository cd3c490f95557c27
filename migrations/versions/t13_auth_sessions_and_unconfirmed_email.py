"""t13 auth: a row per sign-in (user_sessions), and email addresses confirmed before they are attached

Revision ID: t13_auth_sessions
Revises: c3f5a8e1d2b4
Create Date: 2026-12-20 10:00:00.000000

Existing login cookies carry no sign-in key, so everyone signs in again once after this upgrade.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "t13_auth_sessions"
down_revision = "c3f5a8e1d2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_user_sessions")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unconfirmed_email", sa.String(length=254), nullable=True))
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)


def downgrade():
    # Accounts that never confirmed an address get a placeholder the old schema accepts.
    op.execute("UPDATE users SET email = 'user-' || id || '@unconfirmed.invalid' WHERE email IS NULL")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_column("unconfirmed_email")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_sessions_created_at"))
    op.drop_table("user_sessions")
