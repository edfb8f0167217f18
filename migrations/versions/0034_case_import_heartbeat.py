"""Bulk import of cases: when a running import last moved (a run lost with a killed
worker is found by it and asked for again) and how many runs it was given

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_imports") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("case_imports") as batch:
        batch.drop_column("attempts")
        batch.drop_column("heartbeat_at")
