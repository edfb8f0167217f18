"""The per-province amounts above which an intermediate court confirms the agreement
(CPL Art. 205(2); 法发〔2021〕27号): data the administrator keeps (:mod:`app.rules.court_levels`),
seeded from ``app/data/court_level_thresholds.csv`` by migration 0022."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime
from app.extensions import db


class CourtLevelThreshold(db.Model):
    """One province's two figures in yuan and where they come from."""

    __tablename__ = "court_level_thresholds"

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(32), unique=True)
    same_province_min: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    cross_province_min: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    effective_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
