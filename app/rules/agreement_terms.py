"""What the mediation agreement prints, as values: parties, organisation, receiving
account, and the terms frozen from the accepted proposal (with their JSON snapshot).

Content per 人民调解法 Art. 29 and 特邀调解规定 Art. 24, unambiguous so that a court can
confirm it (民诉法解释 Art. 358(5)). Import the public API from ``app.rules.agreements``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.rules.errors import InvalidInput
from app.rules.identity import mask_id
from app.rules.party_kinds import EntityKind, Sex, derived_identity, representative_title
from app.rules.proposals import ClaimAmounts, Side, Terms, TermsKind, split_fees
from app.rules.schedules import Instalment, Schedule

FIRST_VERSION = 1
DEFAULT_GRACE_DAYS = 15
PARTIES = frozenset({Side.DEBTOR, Side.CREDITOR})
SIGNERS = PARTIES | {Side.MEDIATOR}
WAIVABLE_ITEMS = ("principal", "interest", "penalty", "fees")
# The claim items (``app.core.parties.CLAIM_ITEMS``) as the agreement names them, in every
# table and sentence: one word per item, so no reader (or court: 民诉法解释 Art. 358(5))
# takes one item for two. The "penalty" item is what the contract makes the debtor pay
# for paying late, whatever the contract called it; penalty interest (罚息) on a bank loan
# is of that nature too. The civil-law word for it is 违约金 (民法典 Art. 585), the word
# the claim checks weigh against the loss (:mod:`app.rules.claims`) and the first word of
# the item's label on every page ("Penalty / overdue interest" = 违约金/逾期利息).
ITEM_LABELS = {"principal": "本金", "interest": "利息", "penalty": "违约金", "fees": "费用"}
_ACCOUNT_NUMBER = re.compile(r"[0-9 ]+")


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class PartyDetails:
    """A party as the agreement prints it. A natural person has ``id_type``,
    ``id_display`` and, where known, ``sex``, ``birth_date`` and ``ethnicity``; an entity
    has ``credit_code`` (统一社会信用代码) and a representative whose title depends on its
    kind (``representative_title``: 法定代表人 or 负责人, :mod:`app.rules.party_kinds`).
    ``id_display`` is what is printed, MASKED (``mask_id``): see :func:`natural_person`.
    Build one with ``natural_person`` or ``organisation_party``."""

    role: Side
    kind: PartyKind
    name: str
    address: str
    phone: str = ""
    id_type: str = ""
    id_display: str = ""
    sex: Sex | None = None
    birth_date: date | None = None
    ethnicity: str = ""
    credit_code: str = ""
    entity_kind: EntityKind = EntityKind.LEGAL_PERSON
    representative: str = ""
    agent_name: str = ""

    @property
    def representative_title(self) -> str:
        return representative_title(self.entity_kind)

    @property
    def signs_in_person(self) -> bool:
        """A natural person signs in their own name (人民调解法 Art. 29): no seal line."""
        return self.kind == PartyKind.PERSON


def natural_person(
    role: Side,
    *,
    name: str,
    id_type: str,
    id_number: str,
    address: str,
    phone: str = "",
    sex: Sex | str | None = None,
    birth_date: date | None = None,
    ethnicity: str = "",
    agent_name: str = "",
) -> PartyDetails:
    """A natural person (a debtor, or a creditor lending privately) as the agreement
    prints them: name, sex, date of birth, ethnicity where known, the document's type and
    its number MASKED, address and phone (人民调解法 Art. 29: the parties' basic details).

    Decision (PIPL Arts. 6, 28, 51: minimum necessary): the agreement is downloaded and
    kept by every party, so it identifies a person without their full ID number; sex and
    birth date (read from an 18-digit resident ID where not stored, GB 11643-1999) tell
    two people of the same name apart. The court package's identity section, which goes
    only to the court, carries the FULL number (民诉法解释 Art. 354;
    :mod:`app.confirmation.package.parties`). The number is masked here and never kept
    in the clear."""
    identity = derived_identity(
        id_type, id_number, sex=sex, birth_date=birth_date, ethnicity=ethnicity
    )
    return PartyDetails(
        role=Side(role),
        kind=PartyKind.PERSON,
        name=name,
        address=address,
        phone=phone,
        id_type=id_type,
        id_display=mask_id(id_number),
        sex=identity.sex,
        birth_date=identity.birth_date,
        ethnicity=identity.ethnicity,
        entity_kind=EntityKind.NATURAL_PERSON,
        agent_name=agent_name,
    )


def organisation_party(
    role: Side,
    *,
    name: str,
    credit_code: str,
    address: str,
    phone: str = "",
    entity_kind: EntityKind | str = EntityKind.LEGAL_PERSON,
    representative: str = "",
    agent_name: str = "",
) -> PartyDetails:
    """A legal person or a branch: a unified social credit code is not personal
    information and is printed in full; the representative is printed under the title
    its kind gives (法定代表人 / 负责人, 民诉法解释 Arts. 50, 52)."""
    kind = EntityKind(entity_kind)
    if kind is EntityKind.NATURAL_PERSON:
        raise ValueError("a natural person is built with natural_person()")
    return PartyDetails(
        role=Side(role),
        kind=PartyKind.ORGANISATION,
        name=name,
        address=address,
        phone=phone,
        credit_code=credit_code.strip().upper(),
        entity_kind=kind,
        representative=representative,
        agent_name=agent_name,
    )


@dataclass(frozen=True)
class OrganisationDetails:
    """The mediation organisation that presides (its name heads every page)."""

    name: str
    registration_number: str
    address: str
    phone: str


@dataclass(frozen=True)
class ReceivingAccount:
    """The account the debtor pays into, printed in full: the debtor cannot pay into a
    masked account, and a court needs the exact payee (民诉法解释 Art. 358(5)). Refusal
    codes: ``account_name``, ``account_bank`` (blank), ``account_number`` (anything but
    ASCII digits and spaces, or not 8–32 digits)."""

    account_name: str
    bank: str
    account_number: str

    def __post_init__(self) -> None:
        if not self.account_name.strip():
            raise InvalidInput("account_name", "account_name")
        if not self.bank.strip():
            raise InvalidInput("account_bank", "bank")
        if not _ACCOUNT_NUMBER.fullmatch(self.account_number):
            raise InvalidInput("account_number", "account_number")
        if not 8 <= len(self.digits) <= 32:
            raise InvalidInput("account_number", "account_number")

    @property
    def digits(self) -> str:
        return self.account_number.replace(" ", "")

    @property
    def grouped(self) -> str:
        """Digits in groups of four, as bank cards print them: easy to read aloud."""
        return " ".join(self.digits[i : i + 4] for i in range(0, len(self.digits), 4))


@dataclass(frozen=True)
class WaivedItem:
    """What the creditor gives up of one claim item (民法典 Art. 575): ``item`` is one of
    ``WAIVABLE_ITEMS``."""

    item: str
    amount: Decimal


@dataclass(frozen=True)
class DefaultRule:
    """On default: an instalment more than ``grace_days`` late makes the whole unpaid
    balance due at once (the wording is fixed in :mod:`app.rules.agreement_context`).
    ``statement`` is optional extra wording."""

    grace_days: int = DEFAULT_GRACE_DAYS
    statement: str = ""


@dataclass(frozen=True)
class AgreementTerms:
    """A frozen copy of the accepted proposal's terms. The penalty (违约金) is stated apart
    from the fees, and each part apart from the total (民诉法解释 Art. 358(5)). Values are
    not checked here so that a bad snapshot can be reported (``validate_for_rendering``)."""

    kind: TermsKind
    principal: Decimal
    interest: Decimal
    penalty: Decimal
    fees: Decimal
    total: Decimal
    schedule: tuple[Instalment, ...]
    waived: tuple[WaivedItem, ...] = ()
    default_rule: DefaultRule = field(default_factory=DefaultRule)

    @property
    def perform_by(self) -> date | None:
        """The last due date: performance is complete by then. None without a schedule."""
        return max((row.due for row in self.schedule), default=None)


@dataclass(frozen=True)
class DisputedItem:
    """One objection and how it was resolved; ``item`` is a claim item or empty."""

    item: str
    objection: str
    resolution: str


@dataclass(frozen=True)
class AgreementDraft:
    """Everything one version of the agreement prints."""

    reference: str
    version: int
    drafted_on: date
    organisation: OrganisationDetails
    mediator_name: str
    creditor: PartyDetails
    debtor: PartyDetails
    facts: str
    disputed_items: tuple[DisputedItem, ...]
    terms: AgreementTerms
    account: ReceivingAccount | None
    # The mediator's appointment by the committee, as printed next to the name (人民调解法
    # Arts. 13-14), e.g. "聘任证书编号 HZ-2024-007，2024年3月1日由某某调解委员会聘任"; "" when
    # no record is kept.
    mediator_appointment: str = ""
    # Guarantors and co-borrowers, printed after the debtor (:mod:`app.rules.case_parties`).
    extra_parties: tuple[ExtraParty, ...] = ()


@dataclass(frozen=True)
class ExtraParty:
    """An additional party on the debtor's side as the agreement prints it: the person
    (identity masked like the debtor's), the role (``guarantor`` / ``co_borrower``), the
    form of guarantee, and their signature block ``signer_role`` (``party-<id>``)."""

    signer_role: str
    role: str
    guarantee_kind: str | None
    person: PartyDetails


def terms_from_proposal(
    terms: Terms,
    schedule: Schedule,
    claim: ClaimAmounts,
    *,
    grace_days: int = DEFAULT_GRACE_DAYS,
    default_statement: str = "",
) -> AgreementTerms:
    """Freeze the accepted proposal's terms for the agreement (民诉法解释 Art. 358(5): no
    term is left open). A proposal keeps
    fees and penalty together; ``split_fees`` separates them the way ``settle_terms``
    filled them (fees before penalty). Each claim item the agreement settles for less is
    a waived item of the difference (民法典 Art. 575)."""
    fees, penalty = split_fees(terms, claim)
    agreed = {"principal": terms.principal, "interest": terms.interest}
    agreed |= {"penalty": penalty, "fees": fees}
    claimed = {"principal": claim.principal, "interest": claim.interest}
    claimed |= {"penalty": claim.penalty, "fees": claim.fees}
    waived = tuple(
        WaivedItem(item, claimed[item] - agreed[item])
        for item in WAIVABLE_ITEMS
        if claimed[item] > agreed[item]
    )
    return AgreementTerms(
        kind=TermsKind(terms.kind),
        principal=terms.principal,
        interest=terms.interest,
        penalty=penalty,
        fees=fees,
        total=terms.total,
        schedule=schedule.instalments,
        waived=waived,
        default_rule=DefaultRule(grace_days, default_statement),
    )
