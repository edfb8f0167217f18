"""Repayment follow-up: the organisation's grace period, the breach recorded once per
agreement, and the reminders sent to the debtor (one per instalment and kind)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mediation_organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("grace_days", sa.Integer(), server_default="15", nullable=False)
        )
    op.create_table(
        "repayment_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("instalment", sa.Integer(), nullable=False),
        sa.Column("breach_on", sa.Date(), nullable=False),
        sa.Column("accelerated", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_repayment_breaches_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_repayment_breaches_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repayment_breaches")),
        sa.UniqueConstraint("agreement_id", name=op.f("uq_repayment_breaches_agreement_id")),
    )
    with op.batch_alter_table("repayment_breaches", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_repayment_breaches_case_id"), ["case_id"], unique=False
        )
    op.create_table(
        "repayment_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("instalment", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("before", "due", "missed", name="reminderkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_repayment_reminders_agreement_id_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_repayment_reminders_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repayment_reminders")),
        sa.UniqueConstraint(
            "agreement_id",
            "instalment",
            "kind",
            name=op.f("uq_repayment_reminders_agreement_id"),
        ),
    )
    with op.batch_alter_table("repayment_reminders", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_repayment_reminders_case_id"), ["case_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("repayment_reminders", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_repayment_reminders_case_id"))
    op.drop_table("repayment_reminders")
    with op.batch_alter_table("repayment_breaches", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_repayment_breaches_case_id"))
    op.drop_table("repayment_breaches")
    with op.batch_alter_table("mediation_organisations", schema=None) as batch_op:
        batch_op.drop_column("grace_days")
