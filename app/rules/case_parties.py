"""Additional parties on the debtor's side: guarantors (保证人) and co-borrowers (共同借款人).

Real loan files often have them; each is a natural person who joins by their own link,
gives the consents the debtor gives, is printed in the agreement after the debtor and signs
it, and applies jointly for judicial confirmation with the others (民诉法解释 Arts. 353,
354: the application is made by all the parties to the agreement).

The guarantee's substance is one clause, by the form of guarantee chosen (民法典 Art. 686:
joint or general; where the contract does not say, it is general): a joint guarantor
answers for the debt as soon as it is not paid (Art. 688), a general guarantor only after
enforcement against the debtor has failed (Art. 687). A co-borrower owes the debt jointly
with the debtor (民法典 Art. 518: 连带债务).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.rules.citations import cite
from app.rules.contacts import is_mainland_mobile, normalise_phone
from app.rules.errors import InvalidInput
from app.rules.identity import parse_resident_id

ROLE_PREFIX = "party-"


class PartyRole(StrEnum):
    GUARANTOR = "guarantor"
    CO_BORROWER = "co_borrower"


class GuaranteeKind(StrEnum):
    JOINT = "joint"  # 连带责任保证, 民法典 Art. 688
    GENERAL = "general"  # 一般保证, 民法典 Art. 687


ROLE_ZH = {PartyRole.GUARANTOR: "保证人", PartyRole.CO_BORROWER: "共同借款人"}
GUARANTEE_ZH = {GuaranteeKind.JOINT: "连带责任保证", GuaranteeKind.GENERAL: "一般保证"}
ID_TYPES = ("resident_id", "passport", "other")  # as the debtor's (app.cases.intake)
# The states in which a party may still be added: before any agreement is drafted, so that
# every version of the agreement names the same parties and every one of them signs it.
OPEN_FOR_PARTIES = frozenset({"draft", "submitted", "invited", "negotiating"})


@dataclass(frozen=True)
class PartyInput:
    """What the creditor or the mediator enters for an additional party."""

    role: str
    guarantee_kind: str
    name: str
    id_type: str
    id_number: str
    phone: str
    email: str
    address: str


@dataclass(frozen=True)
class CheckedParty:
    role: PartyRole
    guarantee_kind: GuaranteeKind | None
    name: str
    id_type: str
    id_number: str
    phone: str
    email: str
    address: str


def check_party(given: PartyInput, today: date) -> CheckedParty:
    """Refuse (``InvalidInput``, the code names the field's problem) what cannot be printed
    or reached: a name, an identity number (a resident ID is checked like the debtor's,
    GB 11643-1999), a phone or an email to send the link to, and an address. A guarantor
    must say which form of guarantee (民法典 Art. 686), a co-borrower has none."""
    try:
        role = PartyRole(given.role)
    except ValueError:
        raise InvalidInput("party_role") from None
    kind: GuaranteeKind | None = None
    if role is PartyRole.GUARANTOR:
        try:
            kind = GuaranteeKind(given.guarantee_kind)
        except ValueError:
            raise InvalidInput("guarantee_kind") from None
    name = given.name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("party_name")
    if given.id_type not in ID_TYPES:
        raise InvalidInput("party_id_type")
    number = given.id_number.strip().upper()
    if given.id_type == "resident_id":
        number = parse_resident_id(number, today).number
    elif not 5 <= len(number) <= 32:
        raise InvalidInput("party_id_number")
    phone, email = normalise_phone(given.phone), given.email.strip()
    if not phone and not email:
        raise InvalidInput("party_contact")
    if phone and not is_mainland_mobile(phone):
        raise InvalidInput("party_phone")
    if email and "@" not in email:
        raise InvalidInput("party_email")
    address = given.address.strip()
    if not address:
        raise InvalidInput("party_address")
    return CheckedParty(role, kind, name, given.id_type, number, phone, email, address[:300])


def role_label(role: str, guarantee_kind: str | None = None) -> str:
    """保证人 / 共同借款人, a guarantor with the form of guarantee: 保证人（连带责任保证）."""
    label = ROLE_ZH[PartyRole(role)]
    if role == PartyRole.GUARANTOR and guarantee_kind:
        label += f"（{GUARANTEE_ZH[GuaranteeKind(guarantee_kind)]}）"
    return label


def liability_clause(role: str, guarantee_kind: str | None, name: str, debtor: str) -> str:
    """The one clause that says what the party owes under the agreement: a joint guarantee
    (民法典 Art. 688), a general guarantee (Art. 687; the form presumed when none is
    chosen, Art. 686 para. 2) or a co-borrower's joint debt (Art. 518)."""
    if role == PartyRole.CO_BORROWER:
        return (
            f"共同借款人{name}与债务人{debtor}对本协议项下应支付的全部款项承担连带清偿责任，"
            "债权人可以请求其中任何一人履行全部债务。"
        )
    if guarantee_kind == GuaranteeKind.JOINT:
        return (
            f"保证人{name}对债务人{debtor}在本协议项下应支付的全部款项承担连带保证责任。"
            "债务人未按本协议约定履行的，债权人可以请求债务人履行，"
            "也可以请求保证人在其保证范围内承担保证责任。"
        )
    return (
        f"保证人{name}对债务人{debtor}在本协议项下应支付的全部款项承担一般保证责任。"
        "在就债务人财产依法强制执行仍不能履行债务前，保证人可以拒绝向债权人承担保证责任。"
    )


def consent_clause(role: str, guarantee_kind: str | None, name: str, debtor: str) -> str:
    """The clause by which an additional party agrees to a supplementary agreement (补充
    协议) that changes how the agreement is performed. A guarantor's signature under it is
    the written consent 民法典 Art. 695 asks for: without it a change of the principal
    debt binds the guarantor only where it lightens the debt, and a new time for payment
    leaves the guarantee period where it was. A co-borrower, a joint debtor (Art. 518),
    owes the changed debt only by agreeing to the change (Art. 543)."""
    if role == PartyRole.CO_BORROWER:
        return (
            f"共同借款人{name}同意本补充协议对原协议履行方式的变更，继续与债务人{debtor}"
            "对本补充协议项下应支付的全部款项承担连带清偿责任"
            f"（{cite('civil_code.518')}）。"
        )
    kind = GuaranteeKind(guarantee_kind) if guarantee_kind else GuaranteeKind.GENERAL
    return (
        f"保证人{name}已知悉本补充协议的全部内容，书面同意原协议履行方式的上述变更，"
        f"并继续按原协议约定的保证方式（{GUARANTEE_ZH[kind]}）对债务人{debtor}"
        f"在本补充协议项下应支付的全部款项承担保证责任（{cite('civil_code.695')}）。"
    )


def enforceable_with_the_debtor(role: str, guarantee_kind: str | None) -> bool:
    """Whether the party is named with the debtor in the application for enforcement: a
    co-borrower (a joint debt, 民法典 Art. 518) and a joint guarantor (Art. 688) are; a
    general guarantor (Art. 687, also the form presumed without a choice, Art. 686 para.
    2) may refuse until enforcement against the debtor's property has failed, so is not
    named in a first application."""
    if role == PartyRole.CO_BORROWER:
        return True
    return guarantee_kind == GuaranteeKind.JOINT


def is_party_role(role: str) -> bool:
    """``party-<id>``: an additional party's signature block."""
    return role.startswith(ROLE_PREFIX) and role[len(ROLE_PREFIX) :].isdigit()
