"""A guarantor's or co-borrower's own ID copy for the court package (法释〔2011〕5号 Art. 3:
the application attaches every party's proof of identity): an evidence file names the
additional party (case_parties) whose copy it is.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-06

"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence_files") as batch:
        batch.add_column(sa.Column("case_party_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_evidence_files_case_party_id_case_parties"),
            "case_parties",
            ["case_party_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("evidence_files") as batch:
        batch.drop_constraint(
            batch.f("fk_evidence_files_case_party_id_case_parties"), type_="foreignkey"
        )
        batch.drop_column("case_party_id")
