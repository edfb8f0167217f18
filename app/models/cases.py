"""The case: one overdue debt, its claim, its parties and where it stands."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.core.pii import EncryptedString
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import User
from app.rules.cases import CaseReference, CaseState
from app.rules.pinyin import name_pinyin

Money = Numeric(14, 2)

# PostgreSQL's GIN indexes of the docket's search by part of a name or its pinyin, on the
# expression concord_grams(...) (migration 0033; app.cases.docket_search): SQLite has no
# such function, so they are not declared on the model, and autogenerate leaves them be.
POSTGRES_ONLY_INDEXES = frozenset(
    {
        "ix_cases_name_grams",
        "ix_cases_pinyin_grams",
        "ix_cases_mediator_name_grams",
        "ix_cases_mediator_pinyin_grams",
    }
)


def include_in_autogenerate(
    _obj: object, name: str | None, type_: str, _reflected: bool, _compare_to: object
) -> bool:
    """Alembic's ``include_object``: everything but :data:`POSTGRES_ONLY_INDEXES`."""
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_mediator_state_activity", "mediator_id", "state", "last_activity_at"),
        Index(
            "ix_cases_mediation_org_state_activity", "mediation_org_id", "state", "last_activity_at"
        ),
        Index("ix_cases_creditor_org_activity", "creditor_org_id", "last_activity_at"),
        # The creditor's to-do list, most pressing first (app.todo.creditor; migration 0035).
        Index(
            "ix_cases_creditor_deadline",
            "creditor_org_id",
            "next_deadline",
            "id",
            postgresql_include=["state"],
        ),
        Index("ix_cases_debtor_user", "debtor_user_id"),
        # The admin's dashboard counts the organisation's cases from this index alone
        # (app.dashboards.figures.case_groups).
        Index(
            "ix_cases_dashboard",
            "mediation_org_id",
            "state",
            "mediator_id",
            "submitted_at",
            "next_deadline",
            "claim_total",
        ),
        # Sham-mediation signals across the organisation (app.confirmation.collusion).
        Index("ix_cases_org_debtor_phone", "mediation_org_id", "debtor_phone"),
        Index("ix_cases_org_debtor_email", "mediation_org_id", "debtor_email"),
        Index("ix_cases_org_debtor_address", "mediation_org_id", "debtor_address"),
        Index("ix_cases_org_debtor_id_masked", "mediation_org_id", "debtor_id_masked"),
        # The docket's sorts, one per owner and key, the id as the tiebreak; PostgreSQL
        # carries the state in the index too, so a page's ids are read from it alone
        # (app.cases.docket; migration 0033).
        *(
            Index(f"ix_cases_{owner}_{name}", column, key, "id", postgresql_include=["state"])
            for owner, column in (("mediator", "mediator_id"), ("org", "mediation_org_id"))
            for name, key in (
                ("activity", "last_activity_at"),
                ("amount", "claim_total"),
                ("deadline", "next_deadline"),
            )
        ),
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
    # Kept with the name (see ``_name_pinyin``) for the docket's search by pinyin.
    debtor_name_pinyin: Mapped[str] = mapped_column(String(400), default="", server_default="")
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

    # The account the debtor pays into, given by the creditor when opening the case: the
    # agreement's draft starts from it (民诉法解释 Art. 358(5): the payee and the account
    # are stated). The number is sensitive (PIPL Art. 28): encrypted, shown masked.
    receiving_account_name: Mapped[str | None] = mapped_column(String(200))
    receiving_bank: Mapped[str | None] = mapped_column(String(200))
    receiving_account_number: Mapped[str | None] = mapped_column(EncryptedString())

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(Text)
    # Closed as not mediated: on which ground (app.rules.mediation_failure.FailureGround)
    # and, when a person ended it, their side (creditor, debtor or mediator).
    failure_ground: Mapped[str | None] = mapped_column(String(32))
    ended_by_side: Mapped[str | None] = mapped_column(String(16))
    # The mediation period's extension (cf. 在线调解规则 Art. 24): the last day both parties
    # agreed, and one party's proposal waiting for the other's answer.
    mediation_extended_until: Mapped[date | None] = mapped_column(Date)
    extension_proposed_until: Mapped[date | None] = mapped_column(Date)
    extension_proposed_by_side: Mapped[str | None] = mapped_column(String(16))
    extension_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    next_deadline: Mapped[date | None] = mapped_column(Date)

    creditor_org: Mapped[CreditorOrganisation] = relationship()
    mediation_org: Mapped[MediationOrganisation] = relationship()
    mediator: Mapped[User | None] = relationship(foreign_keys=[mediator_id])
    debtor_user: Mapped[User | None] = relationship(foreign_keys=[debtor_user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    # Guarantors and co-borrowers (:class:`CaseParty`), in the order they were added.
    # A removed one (``removed_at``) is no longer a party: not printed, not asked to sign.
    extra_parties: Mapped[list[CaseParty]] = relationship(
        primaryjoin="and_(Case.id == CaseParty.case_id, CaseParty.removed_at.is_(None))",
        order_by="CaseParty.id",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("debtor_name")
    def _name_pinyin(self, _key: str, name: str) -> str:
        """Every write of the name writes its pinyin too (:mod:`app.rules.pinyin`)."""
        self.debtor_name_pinyin = name_pinyin(name or "")
        return name

    @property
    def reference(self) -> str:
        """HZ-<year opened, Beijing time>-<id>: unique because the id is."""
        return str(CaseReference(clock.local(self.created_at).year, self.id))


# The count of a case without a deadline is kept under this day (a key column is never NULL).
NO_DEADLINE = date(9999, 12, 31)


class DocketCount(db.Model):
    """How many cases an owner's docket holds per state and next deadline: the docket's
    counts without counting a million rows (app.cases.docket).

    ``scope`` is ``mediator`` (``owner_id`` a user) or ``org`` (a mediation organisation).
    Kept by database triggers on ``cases`` (migration 0033) in the same transaction as
    every insert, delete and change of a case's state, mediator, organisation or deadline,
    whatever writes it: exact, never recounted. Rows are kept at zero."""

    __tablename__ = "docket_counts"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


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


class CaseParty(db.Model):
    """An additional party on the debtor's side (保证人 or 共同借款人): a natural person with
    their own identity, stored exactly like the debtor's (the number encrypted, a masked
    copy for display: PIPL Arts. 28, 51), their own invitation, consents and signature.

    ``guarantee_kind`` is the guarantor's chosen form of guarantee (民法典 Art. 686: joint
    or general; without a choice the law presumes general); a co-borrower has none."""

    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # app.rules.case_parties.PartyRole
    guarantee_kind: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    id_type: Mapped[str] = mapped_column(String(16), default="resident_id")
    id_number: Mapped[str | None] = mapped_column(EncryptedString())
    id_masked: Mapped[str] = mapped_column(String(32), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Taken off the case before any agreement was drafted (entered by mistake, released).
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def signer_role(self) -> str:
        """Its signature block and field: ``party-<id>`` (``sig-party-<id>``)."""
        return f"party-{self.id}"
