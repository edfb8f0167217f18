"""Asked for early: the receiving account on the case and the recorded content of the
creditor's power of attorney (授权委托书, CPL Art. 62)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receiving_account_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("receiving_bank", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("receiving_account_number", sa.Text(), nullable=True))

    op.create_table(
        "powers_of_attorney",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("agent_name", sa.String(length=100), nullable=False),
        sa.Column("agent_id_number", sa.Text(), nullable=True),
        sa.Column("agent_position", sa.String(length=100), nullable=True),
        sa.Column("powers", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_powers_of_attorney_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence_files.id"], name=op.f("fk_powers_of_attorney_evidence_id_evidence_files")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_powers_of_attorney_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_powers_of_attorney")),
        sa.UniqueConstraint("evidence_id", name=op.f("uq_powers_of_attorney_evidence_id")),
    )
    with op.batch_alter_table("powers_of_attorney", schema=None) as batch_op:
        batch_op.create_index("ix_powers_of_attorney_case_id", ["case_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("powers_of_attorney", schema=None) as batch_op:
        batch_op.drop_index("ix_powers_of_attorney_case_id")
    op.drop_table("powers_of_attorney")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("receiving_account_number")
        batch_op.drop_column("receiving_bank")
        batch_op.drop_column("receiving_account_name")
