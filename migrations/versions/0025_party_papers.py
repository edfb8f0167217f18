"""Party papers: the creditor's licences (or a natural-person lender's ID copy) and its
seal on its profile, and who keeps that profile (法释〔2011〕5号 Art. 3)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04

Each existing creditor organisation's first user becomes the keeper of its profile. The
debtor's ID copy and the agent's proof are evidence files of the case (new categories
of ``evidence_files.category``, a plain string column: no schema change).
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("creditor_organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal_image", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("seal_mime", sa.String(length=32), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "is_creditor_admin", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    # An existing creditor organisation gets its first user as the profile's keeper, so that
    # someone can upload its licences and seal without the organisation admin's help.
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("role", sa.String),
        sa.column("creditor_org_id", sa.Integer),
        sa.column("is_creditor_admin", sa.Boolean),
    )
    first = (
        sa.select(sa.func.min(users.c.id))
        .where(users.c.role == "creditor")
        .group_by(users.c.creditor_org_id)
    )
    op.execute(users.update().where(users.c.id.in_(first)).values(is_creditor_admin=True))
    op.create_table(
        "creditor_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("creditor_org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creditor_org_id"],
            ["creditor_organisations.id"],
            name=op.f("fk_creditor_papers_creditor_org_id_creditor_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_creditor_papers_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creditor_papers")),
    )
    with op.batch_alter_table("creditor_papers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_creditor_papers_org_kind", ["creditor_org_id", "kind", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("creditor_papers", schema=None) as batch_op:
        batch_op.drop_index("ix_creditor_papers_org_kind")
    op.drop_table("creditor_papers")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_creditor_admin")
    with op.batch_alter_table("creditor_organisations", schema=None) as batch_op:
        batch_op.drop_column("seal_mime")
        batch_op.drop_column("seal_image")
