"""Step drafts: what the debtor typed on a step of the guided path, kept for later

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "step_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_step_drafts_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_step_drafts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_drafts")),
        sa.UniqueConstraint(
            "case_id", "user_id", "kind", name=op.f("uq_step_drafts_case_id")
        ),
    )
    with op.batch_alter_table("step_drafts", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_step_drafts_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("step_drafts", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_step_drafts_case_id"))
    op.drop_table("step_drafts")
