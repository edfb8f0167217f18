"""Mediators' appointment records, and the per-province court-level thresholds

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04

The mediator's appointment (人民调解法 Arts. 13-14) is three nullable columns on users.
The thresholds (CPL Art. 205(2); 法发〔2021〕27号) are a table seeded from
app/data/court_level_thresholds.csv as it stands when this runs; the administrator edits
them afterwards.
"""

import csv
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parents[2] / "app" / "data" / "court_level_thresholds.csv"


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appointment_number", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("appointed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("appointed_by", sa.String(length=200), nullable=True))
    table = op.create_table(
        "court_level_thresholds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("province", sa.String(length=32), nullable=False),
        sa.Column("same_province_min", sa.Numeric(16, 2), nullable=False),
        sa.Column("cross_province_min", sa.Numeric(16, 2), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_court_level_thresholds")),
        sa.UniqueConstraint("province", name=op.f("uq_court_level_thresholds_province")),
    )
    now = datetime.now(timezone.utc)
    with SEED.open(encoding="utf-8-sig") as f:
        rows = [
            {
                "province": row["province"].strip(),
                "same_province_min": Decimal(row["same_province_min_yuan"]),
                "cross_province_min": Decimal(row["cross_province_min_yuan"]),
                "effective_from": date.fromisoformat(row["effective_from"]),
                "source": row["source"].strip(),
                "updated_at": now,
            }
            for row in csv.DictReader(f)
        ]
    op.bulk_insert(table, rows)


def downgrade():
    op.drop_table("court_level_thresholds")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("appointed_by")
        batch_op.drop_column("appointed_on")
        batch_op.drop_column("appointment_number")
