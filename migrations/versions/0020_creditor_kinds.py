"""Creditor kinds: a legal person, a branch (负责人) or a natural person (identity, no code)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

Existing creditors stay legal persons (the former only kind); a natural-person creditor
has no unified social credit code, so the column becomes nullable. The natural person's
ID number is stored like the debtor's: a Fernet token (app.core.pii) and its masked form.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_KIND = sa.Enum(
    "legal_person", "branch", "natural_person", name="entitykind", native_enum=False, length=16
)
_SEX = sa.Enum("male", "female", name="sex", native_enum=False, length=8)


def upgrade():
    with op.batch_alter_table("creditor_organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("entity_kind", _KIND, server_default="legal_person", nullable=False)
        )
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("person_sex", _SEX, nullable=True))
        batch_op.add_column(sa.Column("person_birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("person_ethnicity", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("id_type", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("id_number", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("id_masked", sa.String(length=32), nullable=True))
        batch_op.alter_column("credit_code", existing_type=sa.String(length=18), nullable=True)


def downgrade():
    # A natural-person creditor has no credit code and cannot be described by the older
    # schema: refuse rather than invent a code or drop the person's cases.
    bind = op.get_bind()
    people = bind.execute(
        sa.text("SELECT count(*) FROM creditor_organisations WHERE credit_code IS NULL")
    ).scalar()
    if people:
        raise RuntimeError(
            f"{people} creditor(s) without a credit code (natural persons): "
            "cannot downgrade below 0020 without losing them"
        )
    with op.batch_alter_table("creditor_organisations", schema=None) as batch_op:
        batch_op.alter_column("credit_code", existing_type=sa.String(length=18), nullable=False)
        batch_op.drop_column("id_masked")
        batch_op.drop_column("id_number")
        batch_op.drop_column("id_type")
        batch_op.drop_column("person_ethnicity")
        batch_op.drop_column("person_birth_date")
        batch_op.drop_column("person_sex")
        batch_op.drop_column("phone")
        batch_op.drop_column("entity_kind")
