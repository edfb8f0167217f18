"""Message templates: a mediation organisation's own wording of its outreach messages

One row per organisation, template and channel (app.rules.message_templates); without a
row the built-in text is sent.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "org_message_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mediation_org_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mediation_org_id"],
            ["mediation_organisations.id"],
            name=op.f("fk_org_message_templates_mediation_org_id_mediation_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_org_message_templates_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_message_templates")),
        sa.UniqueConstraint(
            "mediation_org_id",
            "template",
            "channel",
            name=op.f("uq_org_message_templates_mediation_org_id"),
        ),
    )


def downgrade():
    op.drop_table("org_message_templates")
