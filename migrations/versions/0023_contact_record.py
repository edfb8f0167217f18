"""Contact record: every contact with a party (call, video, visit, letter ...) with its
optional recording and the rules it breaks, and the parties' complaints

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "contact_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("mediation_org_id", sa.Integer(), nullable=False),
        sa.Column("creditor_org_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=False),
        sa.Column("counterpart", sa.String(length=16), nullable=False),
        sa.Column("counterpart_name", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("debtor_key", sa.String(length=40), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("is_outreach", sa.Boolean(), nullable=False),
        sa.Column("recording_consent", sa.Boolean(), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flag_quiet_hours", sa.Boolean(), nullable=False),
        sa.Column("flag_daily_cap", sa.Boolean(), nullable=False),
        sa.Column("flag_wrong_person", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.Column("recording_sha256", sa.String(length=64), nullable=True),
        sa.Column("recording_size", sa.BigInteger(), nullable=True),
        sa.Column("recording_media_type", sa.String(length=32), nullable=True),
        sa.Column("recording_name", sa.String(length=255), nullable=True),
        sa.Column("recording_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        _fk("contact_records", "case_id", "cases"),
        _fk("contact_records", "mediation_org_id", "mediation_organisations"),
        _fk("contact_records", "creditor_org_id", "creditor_organisations"),
        _fk("contact_records", "logged_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_records")),
    )
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.create_index("ix_contact_records_case", ["case_id", "occurred_at"])
        batch_op.create_index("ix_contact_records_debtor_day", ["debtor_key", "local_day"])
        batch_op.create_index("ix_contact_records_org_flagged", ["mediation_org_id", "flagged"])

    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("mediation_org_id", sa.Integer(), nullable=False),
        sa.Column("complainant_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _fk("complaints", "case_id", "cases"),
        _fk("complaints", "mediation_org_id", "mediation_organisations"),
        _fk("complaints", "complainant_id", "users"),
        _fk("complaints", "contact_id", "contact_records"),
        _fk("complaints", "answered_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_org_status", ["mediation_org_id", "status", "due_on"])
        batch_op.create_index("ix_complaints_case", ["case_id"])


def downgrade():
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_case")
        batch_op.drop_index("ix_complaints_org_status")
    op.drop_table("complaints")
    with op.batch_alter_table("contact_records", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_records_org_flagged")
        batch_op.drop_index("ix_contact_records_debtor_day")
        batch_op.drop_index("ix_contact_records_case")
    op.drop_table("contact_records")
