"""Mediation sessions: the sessions of a case, each invited party's answer, the history
of changes; an email's text attachment in the outbox (a session's .ics invitation)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05

"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "mediation_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("means", sa.String(length=16), nullable=False),
        _when("starts_at", nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("meeting_url", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("attended", sa.String(length=100), nullable=True),
        _when("held_start"),
        _when("held_end"),
        sa.Column("contact_record_id", sa.Integer(), nullable=True),
        _when("reminded_day_at"),
        _when("reminded_hour_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        _fk("mediation_sessions", "case_id", "cases"),
        _fk("mediation_sessions", "scheduled_by_id", "users"),
        _fk("mediation_sessions", "contact_record_id", "contact_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mediation_sessions")),
        sa.UniqueConstraint("uid", name=op.f("uq_mediation_sessions_uid")),
    )
    with op.batch_alter_table("mediation_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_mediation_sessions_case", ["case_id", "starts_at"])
        batch_op.create_index("ix_mediation_sessions_status_start", ["status", "starts_at"])

    op.create_table(
        "session_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        _when("suggested_at"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        _when("answered_at"),
        _fk("session_responses", "session_id", "mediation_sessions"),
        _fk("session_responses", "answered_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_responses")),
        sa.UniqueConstraint(
            "session_id", "side", name=op.f("uq_session_responses_session_id")
        ),
    )

    op.create_table(
        "session_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        _when("at", nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("side", sa.String(length=16), nullable=True),
        _when("from_at"),
        _when("to_at"),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        _fk("session_changes", "session_id", "mediation_sessions"),
        _fk("session_changes", "actor_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_changes")),
    )
    with op.batch_alter_table("session_changes", schema=None) as batch_op:
        batch_op.create_index("ix_session_changes_session", ["session_id", "id"])

    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("attachment_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("attachment_text", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_messages", schema=None) as batch_op:
        batch_op.drop_column("attachment_text")
        batch_op.drop_column("attachment_type")
        batch_op.drop_column("attachment_name")
    with op.batch_alter_table("session_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_session_changes_session")
    op.drop_table("session_changes")
    op.drop_table("session_responses")
    with op.batch_alter_table("mediation_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_mediation_sessions_status_start")
        batch_op.drop_index("ix_mediation_sessions_case")
    op.drop_table("mediation_sessions")
