"""Mediation organisations (who run the mediation) and creditor organisations (who claim)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import UTCDateTime, enum_column
from app.core.pii import EncryptedString
from app.extensions import db
from app.rules.party_kinds import EntityKind, Sex


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
    """A creditor that opens cases: a bank, consumer-finance company, asset manager or
    other lender (a legal person or a branch of one), or a natural person lending
    privately. ``entity_kind`` says which (:mod:`app.rules.party_kinds`); ``licence_type``
    says which interest rules apply (:mod:`app.rules.claims`)."""

    __tablename__ = "creditor_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    entity_kind: Mapped[EntityKind] = mapped_column(
        enum_column(EntityKind, length=16),
        default=EntityKind.LEGAL_PERSON,
        server_default=EntityKind.LEGAL_PERSON.value,
    )
    # An entity's unified social credit code; a natural person has none.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    licence_type: Mapped[LicenceType] = mapped_column(enum_column(LicenceType))
    # For the court package's identity section (:mod:`app.confirmation.package.parties`).
    address: Mapped[str | None] = mapped_column(String(300))
    # Whoever represents the entity: a legal person's 法定代表人 or a branch's 负责人 (the
    # title comes from ``entity_kind``, ``app.rules.party_kinds.representative_title``);
    # empty for a natural person, who acts in person.
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A natural person's identity (民诉法解释 Art. 354). The ID number is stored as the
    # debtor's is (``Case.debtor_id_number``): encrypted at rest, with its masked form for
    # display (PIPL Arts. 28, 51).
    person_sex: Mapped[Sex | None] = mapped_column(enum_column(Sex, length=8))
    person_birth_date: Mapped[date | None] = mapped_column(Date)
    person_ethnicity: Mapped[str | None] = mapped_column(String(32))
    id_type: Mapped[str | None] = mapped_column(String(16))
    id_number: Mapped[str | None] = mapped_column(EncryptedString())
    id_masked: Mapped[str | None] = mapped_column(String(32))
    # The institution's seal (or e-seal image), applied with its agent's signature on the
    # agreement and the court application; a natural-person lender has none.
    seal_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    seal_mime: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def is_natural_person(self) -> bool:
        return self.entity_kind == EntityKind.NATURAL_PERSON

    @property
    def seal_png(self) -> bytes | None:
        """The seal to apply with the agent's signature; None when none is stored or the
        creditor is a natural person (who signs in person and has no seal)."""
        if self.is_natural_person or self.seal_mime != "image/png":
            return None
        return self.seal_image


class CreditorPaperKind(StrEnum):
    """The creditor's own identity and qualification papers (法释〔2011〕5号 Art. 3: 身份证明、
    资格证明), uploaded once to its profile and attached to every court package."""

    BUSINESS_LICENCE = "business_licence"  # 营业执照
    FINANCIAL_LICENCE = "financial_licence"  # 金融许可证 / 经营许可文件
    LENDER_ID_FRONT = "lender_id_front"  # a natural-person lender's ID, front
    LENDER_ID_BACK = "lender_id_back"  # and back


class CreditorPaper(db.Model):
    """One file of a creditor's papers, stored by content hash like evidence and never
    replaced: a newer file of the same kind supersedes it for new packages, while packages
    already built keep referring to the one they embedded."""

    __tablename__ = "creditor_papers"
    __table_args__ = (Index("ix_creditor_papers_org_kind", "creditor_org_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_org_id: Mapped[int] = mapped_column(ForeignKey("creditor_organisations.id"))
    kind: Mapped[CreditorPaperKind] = mapped_column(enum_column(CreditorPaperKind, 24))
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date | None] = mapped_column(Date)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
