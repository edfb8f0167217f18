"""Durability: rendering attempts and when the last one was asked for, on agreements and
confirmation packages (a render lost with a killed worker is found and asked for again)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 18:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('agreements', 'confirmation_packages')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('render_attempts', sa.Integer(), server_default='0', nullable=False)
            )
            batch_op.add_column(
                sa.Column('render_requested_at', sa.DateTime(timezone=True), nullable=True)
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('render_requested_at')
            batch_op.drop_column('render_attempts')
