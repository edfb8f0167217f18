"""Mediation organisations (who run the mediation) and creditor organisations (who claim)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.extensions import db


class LicenceType(StrEnum):
    """What kind of lender a creditor is; decides which interest rules apply
    (:mod:`app.rules.claims`)."""

    BANK = "bank"
    CONSUMER_FINANCE = "consumer_finance"
    OTHER_LICENSED = "other_licensed"
    PRIVATE_LENDER = "private_lender"
    ASSET_MANAGER = "asset_manager"


class MediationOrganisation(db.Model):
    """A lawfully established mediation organisation (依法设立的调解组织, CPL Art. 205)."""

    __tablename__ = "mediation_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(32))
    seal_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_mime: Mapped[str | None] = mapped_column(String(32))
    # Days an instalment may be late before the agreement is in breach, where the agreement
    # states no default rule of its own (app.rules.repayment_plan; 1 to 90 days).
    grace_days: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class CreditorOrganisation(db.Model):
    """A bank, consumer-finance company, asset manager or other lender that opens cases."""

    __tablename__ = "creditor_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    licence_type: Mapped[LicenceType] = mapped_column(enum_column(LicenceType))
    # For the court package's identity section (:mod:`app.confirmation.package.parties`).
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
