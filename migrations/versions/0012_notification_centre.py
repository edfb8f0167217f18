"""Notifications: the kind of every outbound message (requested, case notice, outreach;
only outreach counts against the daily cap), the digest that carried a merged case notice,
and the in-app notification centre

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_REQUESTED = ("one_time_code", "signing_code", "sign_in_code", "password_checks_paused")
_OUTREACH = (
    "invitation",
    "reminder_before",
    "reminder_due",
    "reminder_missed",
    "confirmation_day20",
    "confirmation_day27",
)
_KIND = sa.Enum("requested", "notice", "outreach", name="messagekind", native_enum=False, length=16)


def upgrade():
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", _KIND, server_default="notice", nullable=False)
        )
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_outbound_messages_merged_into_id_outbound_messages"),
            "outbound_messages",
            ["merged_into_id"],
            ["id"],
        )
    # The messages already in the outbox, classified by their template (every other
    # template is a notice about the recipient's own case).
    messages = sa.table("outbound_messages", sa.column("kind"), sa.column("template"))
    for kind, templates in (("requested", _REQUESTED), ("outreach", _OUTREACH)):
        op.execute(
            messages.update().where(messages.c.template.in_(templates)).values(kind=kind)
        )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", _KIND, nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_notifications_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_read", ["user_id", "read_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_read")
    op.drop_table("notifications")
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_outbound_messages_merged_into_id_outbound_messages"), type_="foreignkey"
        )
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("kind")
