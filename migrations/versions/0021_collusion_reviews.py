"""Collusion reviews: indexes for the sham-mediation signals across an organisation

The signals (app.confirmation.collusion; CPL Art. 115) look up the other cases of the
organisation with the debtor's phone, e-mail, postal address or masked identity, and the
sign-ins and signatures from the debtor's network addresses. The mediator's written
justification for lifting a signal is an audit event (case:confirmation:lift), so no
table is needed.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04

"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_cases_org_debtor_phone", "cases", ["mediation_org_id", "debtor_phone"]),
    ("ix_cases_org_debtor_email", "cases", ["mediation_org_id", "debtor_email"]),
    ("ix_cases_org_debtor_address", "cases", ["mediation_org_id", "debtor_address"]),
    ("ix_cases_org_debtor_id_masked", "cases", ["mediation_org_id", "debtor_id_masked"]),
    ("ix_user_sessions_ip", "user_sessions", ["ip"]),
    ("ix_agreement_signatures_ip", "agreement_signatures", ["ip"]),
)


def upgrade():
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
