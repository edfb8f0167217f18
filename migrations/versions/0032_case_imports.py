"""Bulk import of cases: a creditor organisation's sheet of cases (and ZIP of evidence),
each row's outcome, and the contract numbers an import created a case for

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creditor_org_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("mediation_org_id", sa.Integer(), nullable=False),
        sa.Column("sheet_name", sa.String(length=255), nullable=False),
        sa.Column("sheet_sha256", sa.String(length=64), nullable=False),
        sa.Column("sheet_kind", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=16), nullable=True),
        sa.Column("zip_name", sa.String(length=255), nullable=True),
        sa.Column("zip_sha256", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="caseimportstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("last_line", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["creditor_organisations.id"],
            name=op.f("fk_case_imports_creditor_org_id_creditor_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["mediation_org_id"],
            ["mediation_organisations.id"],
            name=op.f("fk_case_imports_mediation_org_id_mediation_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_case_imports_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_imports")),
    )
    with op.batch_alter_table("case_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_imports_creditor_org_id"), ["creditor_org_id"], unique=False
        )

    op.create_table(
        "case_import_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creditor_org_id", sa.Integer(), nullable=False),
        sa.Column("contract_key", sa.String(length=255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_import_keys_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["creditor_organisations.id"],
            name=op.f("fk_case_import_keys_creditor_org_id_creditor_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_import_keys")),
        sa.UniqueConstraint("creditor_org_id", "contract_key", name="uq_case_import_keys_org_key"),
    )
    op.create_table(
        "case_import_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=255), nullable=False),
        sa.Column("contract_key", sa.String(length=255), nullable=False),
        sa.Column("debtor_name", sa.String(length=255), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "created",
                "already",
                "refused",
                name="caseimportoutcome",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("reason_zh", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_import_rows_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["case_imports.id"],
            name=op.f("fk_case_import_rows_import_id_case_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_import_rows")),
        sa.UniqueConstraint("import_id", "line", name=op.f("uq_case_import_rows_import_id")),
    )


def downgrade():
    op.drop_table("case_import_rows")
    op.drop_table("case_import_keys")
    with op.batch_alter_table("case_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_imports_creditor_org_id"))

    op.drop_table("case_imports")
