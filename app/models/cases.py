"""The case: one overdue debt, its claim, its parties and where it stands."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.core.pii import EncryptedString
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import User
from app.rules.cases import CaseReference, CaseState

Money = Numeric(14, 2)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_mediator_state_activity", "mediator_id", "state", "last_activity_at"),
        Index(
            "ix_cases_mediation_org_state_activity", "mediation_org_id", "state", "last_activity_at"
        ),
        Index("ix_cases_creditor_org_activity", "creditor_org_id", "last_activity_at"),
        Index("ix_cases_debtor_user", "debtor_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState), default=CaseState.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    creditor_org_id: Mapped[int] = mapped_column(ForeignKey("creditor_organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    mediation_org_id: Mapped[int] = mapped_column(ForeignKey("mediation_organisations.id"))
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    debtor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The debtor as the creditor describes them.
    debtor_name: Mapped[str] = mapped_column(String(100))
    debtor_id_type: Mapped[str] = mapped_column(String(16), default="resident_id")
    debtor_id_number: Mapped[str | None] = mapped_column(EncryptedString())
    debtor_id_masked: Mapped[str] = mapped_column(String(32), default="")
    debtor_phone: Mapped[str | None] = mapped_column(String(20))
    debtor_email: Mapped[str | None] = mapped_column(String(254))
    debtor_address: Mapped[str | None] = mapped_column(String(300))

    # The contract.
    lender_kind: Mapped[LicenceType] = mapped_column(enum_column(LicenceType))
    contract_number: Mapped[str | None] = mapped_column(String(64))
    contract_date: Mapped[date | None] = mapped_column(Date)
    principal_lent: Mapped[Decimal | None] = mapped_column(Money)
    annual_rate: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    term_months: Mapped[int | None] = mapped_column(Integer)

    # The claim.
    outstanding_principal: Mapped[Decimal | None] = mapped_column(Money)
    interest: Mapped[Decimal | None] = mapped_column(Money)
    penalty: Mapped[Decimal | None] = mapped_column(Money)
    fees: Mapped[Decimal | None] = mapped_column(Money)
    claim_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    overdue_since: Mapped[date | None] = mapped_column(Date)

    # Original lender or assignee (民法典 Art. 546: the assignment binds the debtor once notified).
    is_assignee: Mapped[bool] = mapped_column(Boolean, default=False)
    original_lender: Mapped[str | None] = mapped_column(String(200))
    assignment_date: Mapped[date | None] = mapped_column(Date)
    debtor_notified: Mapped[bool | None] = mapped_column(Boolean)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(Text)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    next_deadline: Mapped[date | None] = mapped_column(Date)

    creditor_org: Mapped[CreditorOrganisation] = relationship()
    mediation_org: Mapped[MediationOrganisation] = relationship()
    mediator: Mapped[User | None] = relationship(foreign_keys=[mediator_id])
    debtor_user: Mapped[User | None] = relationship(foreign_keys=[debtor_user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def reference(self) -> str:
        """HZ-<year opened, Beijing time>-<id>: unique because the id is."""
        return str(CaseReference(clock.local(self.created_at).year, self.id))


class LprRate(db.Model):
    """One fixing of the one-year Loan Prime Rate (percent), editable by the admin."""

    __tablename__ = "lpr_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    effective: Mapped[date] = mapped_column(Date, unique=True)
    rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))


class MediatorConflict(db.Model):
    """A mediator's declared conflict of interest with a creditor: no cases from it."""

    __tablename__ = "mediator_conflicts"
    __table_args__ = (db.UniqueConstraint("mediator_id", "creditor_org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mediator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    creditor_org_id: Mapped[int] = mapped_column(ForeignKey("creditor_organisations.id"))
    reason: Mapped[str] = mapped_column(String(300))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
