"""Dashboards: indexes the admin's dashboard counts from without reading the rows (the
organisation's cases by state, mediator, submission, next deadline and claim; its outreach
contacts per debtor per day)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05

"""

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cases_dashboard",
        "cases",
        [
            "mediation_org_id",
            "state",
            "mediator_id",
            "submitted_at",
            "next_deadline",
            "claim_total",
        ],
    )
    op.create_index(
        "ix_contact_records_org_outreach_day",
        "contact_records",
        ["mediation_org_id", "is_outreach", "local_day", "debtor_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_contact_records_org_outreach_day", table_name="contact_records")
    op.drop_index("ix_cases_dashboard", table_name="cases")
