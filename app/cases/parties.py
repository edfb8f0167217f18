"""Guarantors and co-borrowers (保证人 / 共同借款人): additional parties on the debtor's
side (:mod:`app.rules.case_parties`). The creditor adds them while drafting the case, the
mediator until an agreement is drafted; each is invited by their own link
(:mod:`app.cases.invitations`), joins like the debtor (:mod:`app.cases.joining`), reads the
case and signs the agreement (:mod:`app.agreements.signing`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.cases.invitations import create_party_invitation
from app.cases.papers import current_papers
from app.core import clock
from app.core.errors import InvalidInput, Refused
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.cases import Case, CaseParty
from app.models.evidence import PARTY_ID_CATEGORIES
from app.models.invitations import Consent, Invitation
from app.models.users import User
from app.rules import case_parties as rules
from app.rules.cases import CaseState
from app.rules.errors import InvalidInput as RuleInvalidInput
from app.rules.identity import mask_id

# The case has moved on to a stage where its parties are settled (an agreement names them).
_INVITE_NOW = frozenset({CaseState.INVITED, CaseState.NEGOTIATING})


class PartyInvalid(InvalidInput):
    """A guarantor's or co-borrower's details cannot be used; ``field`` names the input."""

    status = 422
    messages = {
        "party_role": _l("Choose guarantor or co-borrower."),
        "guarantee_kind": _l("Choose a joint or a general guarantee."),
        "party_name": _l("Enter the name (up to 100 characters)."),
        "party_id_type": _l("Choose the type of identity document."),
        "party_id_number": _l("Enter the identity document number."),
        "party_contact": _l("Enter a mobile phone number or an email address for the invitation."),
        "party_phone": _l("Enter a mainland mobile number (11 digits)."),
        "party_email": _l("Enter a valid email address."),
        "party_address": _l("Enter the address."),
        "party_is_debtor": _l("This is the debtor's own identity number."),
        "party_twice": _l("This person is already a party to the case."),
    }


class PartyRefused(Refused):
    messages = {
        "parties_settled": _l(
            "Guarantors and co-borrowers can no longer be changed: the agreement is being drafted."
        ),
    }


@dataclass(frozen=True)
class PartyStatus:
    """One additional party as the case page shows it (the identity number masked)."""

    id: int
    name: str
    role_label: str
    id_masked: str
    invited_at: datetime | None
    joined_at: datetime | None
    consents: tuple[str, ...]
    signed_at: datetime | None
    id_copy_sides: int = 0  # sides of their own ID copy on file, for the court (0–2)


@use_case
def add_party(actor: User, case: Case, given: rules.PartyInput) -> CaseParty:
    """Add a guarantor or co-borrower. Once the debtor has been invited, the new party is
    invited at once (the same link, steps and contact rules as the debtor's)."""
    if case.state.value not in rules.OPEN_FOR_PARTIES:
        raise PartyRefused("parties_settled")
    try:
        checked = rules.check_party(given, clock.today())
    except RuleInvalidInput as err:
        raise PartyInvalid(err.code, _field_of(err.code)) from None
    number = checked.id_number.upper()
    if number == (case.debtor_id_number or "").strip().upper():
        raise PartyInvalid("party_is_debtor", "id_number")
    if any((p.id_number or "").upper() == number for p in case.extra_parties):
        raise PartyInvalid("party_twice", "id_number")
    claim(case)
    party = CaseParty(
        case_id=case.id,
        role=checked.role.value,
        guarantee_kind=checked.guarantee_kind.value if checked.guarantee_kind else None,
        name=checked.name,
        id_type=checked.id_type,
        id_number=number,
        id_masked=mask_id(number),
        phone=checked.phone or None,
        email=checked.email or None,
        address=checked.address,
        added_by_id=actor.id,
    )
    db.session.add(party)
    db.session.flush()
    db.session.expire(case, ["extra_parties"])
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_PARTY_ADD,
        actor=actor,
        object_type="case_party",
        object_id=party.id,
        case_id=case.id,
        data={"role": party.role, "guarantee_kind": party.guarantee_kind},
    )
    if case.state in _INVITE_NOW:
        create_party_invitation(actor, case, party)
    return party


@use_case
def invite_party(actor: User, case: Case, party: CaseParty) -> str:
    """The mediator sends a (new) link to a party who has not joined yet: earlier links
    stop working."""
    if party.case_id != case.id or party.joined_at is not None:
        raise PartyRefused("refused")
    return create_party_invitation(actor, case, party)


@use_case
def remove_party(actor: User, case: Case, party: CaseParty) -> None:
    """Take a guarantor or co-borrower off the case (entered by mistake, or released by
    the creditor) while the parties may still change: their links stop working, they no
    longer see the case, and no agreement names them."""
    if case.state.value not in rules.OPEN_FOR_PARTIES:
        raise PartyRefused("parties_settled")
    if party.case_id != case.id or party.removed_at is not None:
        raise PartyRefused("refused")
    claim(case)
    now = clock.now()
    party.removed_at = now
    for invitation in db.session.scalars(
        select(Invitation).where(Invitation.party_id == party.id, Invitation.used_at.is_(None))
    ):
        invitation.revoked_at = invitation.revoked_at or now
    db.session.expire(case, ["extra_parties"])
    audit.record(
        AuditAction.CASE_PARTY_REMOVE,
        actor=actor,
        object_type="case_party",
        object_id=party.id,
        case_id=case.id,
        data={"role": party.role, "had_joined": party.joined_at is not None},
    )


def _field_of(code: str) -> str:
    if code.startswith("id_"):
        return "id_number"  # the resident ID's own codes (app.rules.identity)
    return {
        "party_role": "role",
        "guarantee_kind": "guarantee_kind",
        "party_name": "name",
        "party_id_type": "id_type",
        "party_id_number": "id_number",
        "party_contact": "phone",
        "party_phone": "phone",
        "party_email": "email",
        "party_address": "address",
    }.get(code, "")


def party_statuses(case: Case) -> list[PartyStatus]:
    """Each additional party with where they stand: invited, joined (and the consents
    they gave), their ID copy given (法释〔2011〕5号 Art. 3), signed the current agreement."""
    agreement = db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )
    signed: dict[str, datetime] = {}
    if agreement is not None:
        signed = {
            s.role: s.signed_at
            for s in db.session.scalars(
                select(AgreementSignature).where(
                    AgreementSignature.agreement_id == agreement.id,
                    AgreementSignature.version == agreement.version,
                )
            )
        }
    on_file = current_papers(case)
    out = []
    for party in case.extra_parties:
        consents: tuple[str, ...] = ()
        if party.user_id is not None:
            consents = tuple(
                db.session.scalars(
                    select(Consent.kind)
                    .where(Consent.case_id == case.id, Consent.user_id == party.user_id)
                    .where(Consent.withdrawn_at.is_(None))
                    .order_by(Consent.kind)
                )
            )
        out.append(
            PartyStatus(
                id=party.id,
                name=party.name,
                role_label=rules.role_label(party.role, party.guarantee_kind),
                id_masked=party.id_masked,
                invited_at=party.invited_at,
                joined_at=party.joined_at,
                consents=consents,
                signed_at=signed.get(party.signer_role),
                id_copy_sides=sum((c, party.id) in on_file for c in PARTY_ID_CATEGORIES),
            )
        )
    return out
