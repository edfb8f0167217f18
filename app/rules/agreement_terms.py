"""What the mediation agreement prints, as values: parties, organisation, receiving
account, and the terms frozen from the accepted proposal (with their JSON snapshot).

Content per 人民调解法 Art. 29 and 特邀调解规定 Art. 24, unambiguous so that a court can
confirm it (民诉法解释 Art. 358(5); BRIEF §3). Import the public API from
``app.rules.agreements``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.rules.errors import InvalidInput
from app.rules.identity import mask_id
from app.rules.proposals import ClaimAmounts, Side, Terms, TermsKind, split_fees
from app.rules.schedules import Instalment, Schedule

FIRST_VERSION = 1
DEFAULT_GRACE_DAYS = 15
JSON_FORMAT = 1
PARTIES = frozenset({Side.DEBTOR, Side.CREDITOR})
SIGNERS = PARTIES | {Side.MEDIATOR}
WAIVABLE_ITEMS = ("principal", "interest", "penalty", "fees")
_ACCOUNT_NUMBER = re.compile(r"[0-9 ]+")
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class PartyDetails:
    """A party as the agreement prints it. A natural person has ``id_type`` and
    ``id_display``; an organisation has ``credit_code`` (统一社会信用代码) and may have a
    legal representative. ``id_display`` is what is printed, MASKED (``mask_id``): the
    agreement goes to both parties and the mediator, and the law requires the full number
    only in the court package (PIPL Arts. 28, 51; BRIEF §6; the identity proof of §5.1(4)
    carries it). Build one with ``natural_person`` or ``organisation_party``."""

    role: Side
    kind: PartyKind
    name: str
    address: str
    phone: str = ""
    id_type: str = ""
    id_display: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    agent_name: str = ""


def natural_person(
    role: Side,
    *,
    name: str,
    id_type: str,
    id_number: str,
    address: str,
    phone: str = "",
    agent_name: str = "",
) -> PartyDetails:
    """A natural person; the identity number is masked here, never stored in the clear."""
    return PartyDetails(
        role=Side(role),
        kind=PartyKind.PERSON,
        name=name,
        address=address,
        phone=phone,
        id_type=id_type,
        id_display=mask_id(id_number),
        agent_name=agent_name,
    )


def organisation_party(
    role: Side,
    *,
    name: str,
    credit_code: str,
    address: str,
    phone: str = "",
    legal_representative: str = "",
    agent_name: str = "",
) -> PartyDetails:
    """An organisation: a unified social credit code is not personal information and is
    printed in full."""
    return PartyDetails(
        role=Side(role),
        kind=PartyKind.ORGANISATION,
        name=name,
        address=address,
        phone=phone,
        credit_code=credit_code.strip().upper(),
        legal_representative=legal_representative,
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
            raise InvalidInput("account_name")
        if not self.bank.strip():
            raise InvalidInput("account_bank")
        if not _ACCOUNT_NUMBER.fullmatch(self.account_number):
            raise InvalidInput("account_number")
        if not 8 <= len(self.digits) <= 32:
            raise InvalidInput("account_number")

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
    balance due at once (BRIEF §3). ``statement`` is optional extra wording."""

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


def terms_from_proposal(
    terms: Terms,
    schedule: Schedule,
    claim: ClaimAmounts,
    *,
    grace_days: int = DEFAULT_GRACE_DAYS,
    default_statement: str = "",
) -> AgreementTerms:
    """Freeze the accepted proposal's terms for the agreement (BRIEF §3). A proposal keeps
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


def terms_to_json(terms: AgreementTerms) -> dict[str, Any]:
    """The terms as JSON-safe data for the agreement's snapshot column: amounts as
    strings (``str(Decimal)``, so the round trip is exact), dates ISO."""
    return {
        "format": JSON_FORMAT,
        "kind": str(terms.kind),
        **{name: str(getattr(terms, name)) for name in _AMOUNT_FIELDS},
        "schedule": [
            {"number": r.number, "due": r.due.isoformat(), "amount": str(r.amount), "kind": r.kind}
            for r in terms.schedule
        ],
        "waived": [{"item": w.item, "amount": str(w.amount)} for w in terms.waived],
        "default_rule": {
            "grace_days": terms.default_rule.grace_days,
            "statement": terms.default_rule.statement,
        },
    }


_AMOUNT_FIELDS = ("principal", "interest", "penalty", "fees", "total")


def terms_from_json(data: Mapping[str, Any]) -> AgreementTerms:
    """Read a snapshot written by ``terms_to_json``; ``ValueError`` for anything else
    (unknown format, a missing key, an amount that is not a plain decimal string)."""
    try:
        if data["format"] != JSON_FORMAT:
            raise ValueError("unknown agreement terms format")
        rule = data["default_rule"]
        return AgreementTerms(
            kind=TermsKind(data["kind"]),
            **{name: _amount(data[name]) for name in _AMOUNT_FIELDS},
            schedule=tuple(_instalment(row) for row in data["schedule"]),
            waived=tuple(
                WaivedItem(_text(w["item"]), _amount(w["amount"])) for w in data["waived"]
            ),
            default_rule=DefaultRule(_int(rule["grace_days"]), _text(rule["statement"])),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError("malformed agreement terms") from exc


def _instalment(row: Mapping[str, Any]) -> Instalment:
    due = date.fromisoformat(_text(row["due"]))
    return Instalment(_int(row["number"]), due, _amount(row["amount"]), _text(row["kind"]))


def _amount(raw: object) -> Decimal:
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        raise ValueError("an amount must be a plain decimal string")
    return Decimal(raw)


def _int(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError("expected a whole number")
    return raw


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError("expected text")
    return raw
