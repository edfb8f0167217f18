"""Mediation records (调解笔录): one per held session, on its contact record, with the
parties' and the mediator's signatures per version (人民调解法 Art. 27)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

STATUS = sa.Enum(
    "draft",
    "rendering",
    "failed",
    "awaiting",
    "confirmed",
    name="recordstatus",
    native_enum=False,
    length=16,
)
METHOD = sa.Enum("typed", "drawn", name="signaturemethod", native_enum=False, length=8)


def upgrade():
    op.create_table(
        "mediation_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("contact_record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("debtor_statement", sa.Text(), nullable=False),
        sa.Column("creditor_statement", sa.Text(), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("not_agreed", sa.Text(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("render_error", sa.Text(), nullable=True),
        sa.Column("base_sha256", sa.String(length=64), nullable=True),
        sa.Column("current_sha256", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_mediation_records_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["contact_record_id"],
            ["contact_records.id"],
            name=op.f("fk_mediation_records_contact_record_id_contact_records"),
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"], ["users.id"], name=op.f("fk_mediation_records_written_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_records")),
        sa.UniqueConstraint(
            "contact_record_id", name=op.f("uq_mediation_records_contact_record_id")
        ),
    )
    with op.batch_alter_table("mediation_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mediation_records_case_id"), ["case_id"], unique=False
        )
    op.create_table(
        "mediation_record_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=False),
        sa.Column("method", METHOD, nullable=False),
        sa.Column("typed_name", sa.String(length=100), nullable=True),
        sa.Column("drawn_png", sa.LargeBinary(), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["mediation_records.id"],
            name=op.f("fk_mediation_record_signatures_record_id_mediation_records"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mediation_record_signatures_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_record_signatures")),
        sa.UniqueConstraint(
            "record_id",
            "version",
            "role",
            name=op.f("uq_mediation_record_signatures_record_id"),
        ),
    )
    with op.batch_alter_table("mediation_record_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mediation_record_signatures_record_id"), ["record_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("mediation_record_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_record_signatures_record_id"))
    op.drop_table("mediation_record_signatures")
    with op.batch_alter_table("mediation_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mediation_records_case_id"))
    op.drop_table("mediation_records")
