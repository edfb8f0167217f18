"""The creditor's to-do list reads its organisation's most pressing cases in deadline order
(app.todo.creditor): an (organisation, deadline, id) index, as the mediator and the
mediation organisation have (migration 0033), so the list stops at its first 25 cases
instead of sorting every open case of an institution.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05

"""

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cases_creditor_deadline",
        "cases",
        ["creditor_org_id", "next_deadline", "id"],
        postgresql_include=["state"],
    )


def downgrade():
    op.drop_index("ix_cases_creditor_deadline", table_name="cases")
