"""admin: who suspended an account, when and why; members' reports about entries and comments

Revision ID: e47bce822268
Revises: a7c31e5d9b20
Create Date: 2026-11-23 02:05:37.366390

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e47bce822268"
down_revision = "a7c31e5d9b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("target_author_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name=op.f("ck_reports_status")),
        sa.CheckConstraint("target_type IN ('entry', 'comment')", name=op.f("ck_reports_target_type")),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_reports_reporter_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_reports_resolved_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["target_author_id"], ["users.id"], name=op.f("fk_reports_target_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_one_open_per_reporter",
            ["reporter_id", "target_type", "target_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.create_index(batch_op.f("ix_reports_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index("ix_reports_status_created_at", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_reports_target", ["target_type", "target_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_target_author_id"), ["target_author_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("suspended_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("suspended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_users_suspended_by_id_users"), "users", ["suspended_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_users_suspended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("suspended_by_id")
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("suspended_at")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_target_author_id"))
        batch_op.drop_index("ix_reports_target")
        batch_op.drop_index("ix_reports_status_created_at")
        batch_op.drop_index(batch_op.f("ix_reports_reporter_id"))
        batch_op.drop_index(
            "ix_reports_one_open_per_reporter",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.drop_table("reports")
