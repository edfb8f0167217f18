"""Statement imports: a creditor organisation's CSV of payments and each row's outcome

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "payment_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creditor_org_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "running", "done", name="importstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["creditor_organisations.id"],
            name=op.f("fk_payment_imports_creditor_org_id_creditor_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_payment_imports_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_imports")),
    )
    with op.batch_alter_table("payment_imports", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_payment_imports_creditor_org_id"), ["creditor_org_id"], unique=False
        )
    op.create_table(
        "payment_import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("case_reference", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.String(length=255), nullable=False),
        sa.Column("paid_on", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "applied",
                "duplicate",
                "refused",
                name="rowoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["payment_imports.id"],
            name=op.f("fk_payment_import_rows_import_id_payment_imports"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_import_rows_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_import_rows")),
        sa.UniqueConstraint("import_id", "line", name=op.f("uq_payment_import_rows_import_id")),
    )


def downgrade():
    op.drop_table("payment_import_rows")
    with op.batch_alter_table("payment_imports", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_payment_imports_creditor_org_id"))
    op.drop_table("payment_imports")
