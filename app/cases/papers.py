"""What the creditor gives at case opening because it is needed late: the power of
attorney of the person who acts for it (授权委托书, CPL Art. 62), with its content, and the
account the debtor pays into (the agreement states it, 民诉法解释 Art. 358(5)).

Both are asked for on the intake form and the case page, with a "missing" badge on the
case and the docket until given; the agreement's draft starts from the account, and the
confirmation pre-checks judge the power of attorney's content
(:mod:`app.rules.powers_of_attorney`). A natural-person lender signs in person: no power of
attorney is asked of them.

The identity papers the court wants as files (法释〔2011〕5号 Art. 3) that belong to the
case are kept here too, as evidence files: the debtor's ID copy, front and back, uploaded
by the debtor, each guarantor's and co-borrower's own copy, uploaded by them (a party to
the agreement like the debtor, ``EvidenceFile.case_party_id`` says whose), and the agent's
proof of employment or relationship (CPL Art. 61), given by the creditor with the power of
attorney. A new file corrects the previous one of its kind
(both stay on record, :func:`app.cases.evidence.add_evidence`).
"""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.cases.evidence import add_evidence, own_party
from app.core import clock
from app.core.errors import InvalidInput
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.evidence import EvidenceCategory, EvidenceFile, PowerOfAttorneyRecord
from app.models.users import User
from app.rules.agreements import ReceivingAccount
from app.rules.case_parties import ROLE_ZH as PARTY_ROLE_ZH
from app.rules.case_parties import PartyRole
from app.rules.cases import CaseState
from app.rules.identity import mask_account
from app.rules.powers_of_attorney import Power, PowerOfAttorney

ID_SIDES = {"front": EvidenceCategory.ID_FRONT, "back": EvidenceCategory.ID_BACK}
PARTY_ID_SIDES = {"front": EvidenceCategory.PARTY_ID_FRONT, "back": EvidenceCategory.PARTY_ID_BACK}
ID_SIDE_ZH = {"front": "身份证复印件（人像面）", "back": "身份证复印件（国徽面）"}
AGENT_PROOF_ZH = "委托代理人在职证明或关系证明"

MISSING_POA = "power_of_attorney"
MISSING_ACCOUNT = "receiving_account"
MISSING_LABELS = {
    MISSING_POA: _l("Power of attorney missing"),
    MISSING_ACCOUNT: _l("Receiving account missing"),
}


class PapersInvalid(InvalidInput):
    """A power of attorney or a receiving account the creditor typed is refused; the field
    is named (the words are the common ones, :mod:`app.core.errors`). The case page is
    shown again with the message next to it."""


def needs_power_of_attorney(case: Case) -> bool:
    """An institution acts through an agent (CPL Art. 62); a natural-person lender signs in
    person (人民调解法 Art. 29). Decided by the creditor's entity kind, not its licence: a
    company lending privately is a private lender that still acts through an agent."""
    return not case.creditor_org.is_natural_person


# The account is asked for until the agreement is drafted (it is printed in it); the power
# of attorney until the application for judicial confirmation is filed (CPL Art. 62).
_ACCOUNT_STATES = frozenset(
    {
        CaseState.DRAFT,
        CaseState.SUBMITTED,
        CaseState.INVITED,
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
    }
)
_POA_STATES = _ACCOUNT_STATES | {CaseState.SIGNING, CaseState.IN_FORCE}


def missing_papers(case: Case) -> list[str]:
    """What the creditor has still to give, while it is still needed."""
    missing = []
    if (
        case.state in _POA_STATES
        and needs_power_of_attorney(case)
        and current_power_of_attorney(case) is None
    ):
        missing.append(MISSING_POA)
    if case.state in _ACCOUNT_STATES and not case.receiving_account_number:
        missing.append(MISSING_ACCOUNT)
    return missing


def current_power_of_attorney(case: Case) -> PowerOfAttorneyRecord | None:
    """The newest power of attorney recorded for the case (a newer one replaces it)."""
    return db.session.scalar(
        select(PowerOfAttorneyRecord)
        .where(PowerOfAttorneyRecord.case_id == case.id)
        .order_by(PowerOfAttorneyRecord.id.desc())
        .limit(1)
    )


def as_power_of_attorney(record: PowerOfAttorneyRecord) -> PowerOfAttorney:
    return PowerOfAttorney(
        principal=record.principal,
        agent_name=record.agent_name,
        agent_id_number=record.agent_id_number,
        agent_position=record.agent_position,
        powers=frozenset(Power(p) for p in record.powers),
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        signed_on=record.signed_on,
    )


@use_case
def record_power_of_attorney(
    actor: User, case: Case, stream: BinaryIO, original_name: str, poa: PowerOfAttorney
) -> PowerOfAttorneyRecord:
    """Store the file as the case's power of attorney and what it says, in one
    transaction: a refused file records nothing. The audit entry names the powers and the
    period, never the agent's ID number."""
    evidence = add_evidence(
        actor, case, stream, original_name, EvidenceCategory.ATTORNEY, "授权委托书"
    )
    record = PowerOfAttorneyRecord(
        case_id=case.id,
        evidence_id=evidence.id,
        principal=poa.principal,
        agent_name=poa.agent_name,
        agent_id_number=poa.agent_id_number,
        agent_position=poa.agent_position,
        powers=[p.value for p in Power if p in poa.powers],
        valid_from=poa.valid_from,
        valid_until=poa.valid_until,
        signed_on=poa.signed_on,
        recorded_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.CASE_POA_RECORD,
        actor=actor,
        object_type="power_of_attorney",
        object_id=record.id,
        case_id=case.id,
        data={
            "evidence": evidence.id,
            "agent": poa.agent_name,
            "powers": record.powers,
            "valid_from": poa.valid_from.isoformat(),
            "valid_until": poa.valid_until.isoformat() if poa.valid_until else None,
            "signed_on": poa.signed_on.isoformat(),
        },
    )
    return record


def read_receiving_account(name: str, bank: str, number: str) -> ReceivingAccount:
    """The account as the agreement will print it (``PapersInvalid`` names the field)."""
    try:
        return ReceivingAccount(name.strip(), bank.strip(), number.strip())
    except InvalidInput as err:
        raise PapersInvalid(err.code, f"receiving_{err.field}") from None


def apply_receiving_account(case: Case, account: ReceivingAccount | None) -> None:
    """Set (or, with None, clear) the case's account; the caller's use case records it."""
    case.receiving_account_name = account.account_name if account else None
    case.receiving_bank = account.bank if account else None
    case.receiving_account_number = account.account_number if account else None


@use_case
def set_receiving_account(actor: User, case: Case, account: ReceivingAccount) -> None:
    """The creditor gives (or corrects) the account the debtor pays into. An agreement
    already drafted keeps its own: only a new version starts from this one."""
    apply_receiving_account(case, account)
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_RECEIVING_ACCOUNT_SET,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"account": mask_account(account.account_number), "bank": account.bank},
    )


def current_papers(case: Case) -> dict[tuple[EvidenceCategory, int | None], EvidenceFile]:
    """The newest file of each category on the case that no correction replaced, keyed by
    (category, whose: the ``CaseParty`` id of a party's ID copy, else None), in one read."""
    files = list(
        db.session.scalars(
            select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id)
        )
    )
    replaced = {f.supersedes_id for f in files if f.supersedes_id is not None}
    return {(f.category, f.case_party_id): f for f in files if f.id not in replaced}


def current_paper(
    case: Case, category: EvidenceCategory, party: CaseParty | None = None
) -> EvidenceFile | None:
    """The newest file of this category on the case that no correction replaced; for a
    party's ID copy, ``party``'s own."""
    return current_papers(case).get((category, party.id if party is not None else None))


def copy_owner(user: User, case: Case) -> tuple[CaseParty | None, dict[str, EvidenceCategory]]:
    """Whose ID copy ``user`` gives on this case, and its sides: a guarantor's or
    co-borrower's own (their ``CaseParty``), otherwise the debtor's (None)."""
    party = None if case.debtor_user_id == user.id else own_party(user, case)
    return party, PARTY_ID_SIDES if party is not None else ID_SIDES


@use_case
def record_identity_copy(
    actor: User, case: Case, side: str, stream: BinaryIO, original_name: str
) -> EvidenceFile:
    """The actor's own ID copy, one side (``front``: 人像面, ``back``: 国徽面), for the court
    package (法释〔2011〕5号 Art. 3): the debtor's, or a guarantor's or co-borrower's, whose
    name the file's description carries into the package. A second upload of the same
    side corrects the first."""
    party, sides = copy_owner(actor, case)
    category = sides.get(side)
    if category is None:
        raise PapersInvalid("required", "side")
    previous = current_paper(case, category, party)
    description = ID_SIDE_ZH[side]
    if party is not None:
        description = f"{PARTY_ROLE_ZH[PartyRole(party.role)]}{party.name}{description}"
    return add_evidence(
        actor,
        case,
        stream,
        original_name,
        category,
        description,
        supersedes_id=previous.id if previous else None,
        case_party_id=party.id if party is not None else None,
    )


@use_case
def record_agent_proof(
    actor: User, case: Case, stream: BinaryIO, original_name: str
) -> EvidenceFile:
    """The agent's proof of employment (劳动合同、社保缴纳证明、在职证明) or of the
    relationship with the creditor (CPL Art. 61), for the court package. A second upload
    corrects the first."""
    previous = current_paper(case, EvidenceCategory.AGENT_PROOF)
    return add_evidence(
        actor,
        case,
        stream,
        original_name,
        EvidenceCategory.AGENT_PROOF,
        AGENT_PROOF_ZH,
        supersedes_id=previous.id if previous else None,
    )
