"""Certificates: at most one certificate of each kind per case (that mediation ended, that
the agreement was performed), kept in issued_documents like every issued PDF

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WHERE = "kind IN ('failure_cert', 'settlement_cert')"


def upgrade():
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.create_index(
            "uq_issued_documents_one_certificate",
            ["case_id", "kind"],
            unique=True,
            postgresql_where=sa.text(_WHERE),
            sqlite_where=sa.text(_WHERE),
        )


def downgrade():
    with op.batch_alter_table("issued_documents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_issued_documents_one_certificate",
            postgresql_where=sa.text(_WHERE),
            sqlite_where=sa.text(_WHERE),
        )
