"""Secrets: attempt counters for sign-in and the current-password check, an index for the
global sign-in budget

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_in_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_check_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_check_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_at", ["at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_check_started_at")
        batch_op.drop_column("password_check_attempts")
        batch_op.drop_column("sign_in_attempts")
