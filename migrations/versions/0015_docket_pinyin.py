"""Docket search by pinyin: the debtor's name in pinyin (full syllables and initials),
filled for the existing cases

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

from app.rules.pinyin import name_pinyin

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("debtor_name_pinyin", sa.String(length=400), server_default="", nullable=False)
        )
    cases = sa.table(
        "cases", sa.column("id", sa.Integer), sa.column("debtor_name", sa.String),
        sa.column("debtor_name_pinyin", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(cases.c.id, cases.c.debtor_name)).all()
    for case_id, name in rows:
        connection.execute(
            cases.update()
            .where(cases.c.id == case_id)
            .values(debtor_name_pinyin=name_pinyin(name or ""))
        )


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("debtor_name_pinyin")
