"""Mediation failure on every ground: the ground and who ended it recorded on the case, and
the mediation period's extension agreed by the parties (在线调解规则 Art. 24)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_ground", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("ended_by_side", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("mediation_extended_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_proposed_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("extension_proposed_by_side", sa.String(length=16), nullable=True)
        )
        batch_op.add_column(sa.Column("extension_proposed_at", sa.DateTime(timezone=True), nullable=True))
    # Until now the only way to close as not mediated was the debtor's refusal.
    op.execute(
        "UPDATE cases SET failure_ground = 'debtor_declined', ended_by_side = 'debtor' "
        "WHERE state = 'closed_not_mediated'"
    )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("extension_proposed_at")
        batch_op.drop_column("extension_proposed_by_side")
        batch_op.drop_column("extension_proposed_until")
        batch_op.drop_column("mediation_extended_until")
        batch_op.drop_column("ended_by_side")
        batch_op.drop_column("failure_ground")
