"""Case parties: guarantors and co-borrowers on the debtor's side, each with an invitation

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("guarantee_kind", sa.String(length=16), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id_type", sa.String(length=16), nullable=False),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("id_masked", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_parties_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_case_parties_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_case_parties_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_parties")),
    )
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_case_parties_case_id"), ["case_id"], unique=False)
        batch_op.create_index(op.f("ix_case_parties_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("party_id", sa.Integer(), nullable=True))
        batch_op.create_index(op.f("ix_invitations_party_id"), ["party_id"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_invitations_party_id_case_parties"), "case_parties", ["party_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_invitations_party_id_case_parties"), type_="foreignkey"
        )
        batch_op.drop_index(op.f("ix_invitations_party_id"))
        batch_op.drop_column("party_id")
    with op.batch_alter_table("case_parties", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_case_parties_user_id"))
        batch_op.drop_index(op.f("ix_case_parties_case_id"))
    op.drop_table("case_parties")
