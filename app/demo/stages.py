"""Demo cases at the agreement stages: one awaiting signatures (the debtor has signed, the
creditor and the debtor's joint guarantor not yet) and one whose agreement is in force
(all three signed, the seal on), each with the real PDFs, and a proposal on the table in
the negotiating demo case.

Everything goes through the real use cases: the mediator adds the guarantor, who joins
by their own link (:mod:`app.demo.parties`), the debtor proposes, the creditor accepts,
the mediator drafts, the worker's task renders and certifies, and every signer asks for a
one-time code and signs with their password and that code, read back from the outbox as
the signer would read it from their phone. Rendering: the queue runs inline while seeding
(``huey.immediate``), so ``flask seed-demo`` does not depend on a running worker and
leaves nothing queued behind; a version left rendering by an interrupted run is rendered
directly. Each step looks at where the case is, so a second run changes nothing and an
interrupted run resumes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.agreements.common import DraftInput, current_agreement
from app.agreements.drafting import draft_agreement
from app.agreements.rendering import render_agreement
from app.agreements.signing import send_signing_code, sign_agreement, signed_roles
from app.cases.lifecycle import today
from app.demo.cases import DEMO_CASES, DemoCase, case_line, start_case
from app.demo.parties import party_of, seed_party
from app.extensions import db
from app.models.agreements import AgreementStatus, SignatureMethod
from app.models.cases import Case
from app.models.notifications import OutboundMessage
from app.models.organisations import MediationOrganisation
from app.models.users import User
from app.negotiation import objections, proposals
from app.queue import huey
from app.rules.case_parties import PartyInput
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState, Side
from app.rules.schedules import Frequency
from app.signing.flow import SignatureInput

SIGN_ORDER = ("debtor", "creditor", "mediator")


@dataclass(frozen=True)
class StageCase:
    case: DemoCase  # the debtor and the claim; opened and taken to negotiation first
    creditor_email: str  # the creditor's staff member who opens the case and signs
    total: Decimal  # what the debtor offers and the creditor accepts
    instalments: int
    signers: tuple[str, ...]  # who has signed when seeding is done
    objection: tuple[str, str, str] | None = None  # (item, debtor's reason, answer)
    # added by the mediator and joined while negotiating; does not sign in the demo
    guarantor: PartyInput | None = None


STAGES = (
    StageCase(
        DemoCase(
            CaseState.NEGOTIATING,
            "钱芳",
            "110102199106234521",
            "13800138004",
            "debtor4@demo.concord",
            "60000",
            "36000",
            "2160",
            "540",
            contract_number="HT-2023-1107",
            address="北京市西城区月坛南街 12 号院 3 号楼 502 室",
        ),
        "bank@demo.concord",
        Decimal("37800.00"),
        12,
        ("debtor",),
        guarantor=PartyInput(
            role="guarantor",
            guarantee_kind="joint",  # 连带责任保证, 民法典 Art. 688
            name="冯保国",
            id_type="resident_id",
            id_number="110102196508211230",
            phone="13800138014",
            email="guarantor@demo.concord",
            address="北京市西城区三里河路 46 号院 2 号楼 301 室",
        ),
    ),
    StageCase(
        DemoCase(
            CaseState.NEGOTIATING,
            "郑浩",
            "310106198703052812",
            "13800138005",
            "debtor5@demo.concord",
            "100000",
            "70000",
            "4480",
            "1200",
            contract_number="JK-2024-0032",
            address="上海市静安区南京西路 1266 号 18 层",
            annual_rate="8.0",
        ),
        "lender@demo.concord",
        Decimal("72000.00"),
        24,
        SIGN_ORDER,
        ("penalty", "逾期后我一直在与出借人协商，不应计收违约金。", "同意在调解中减免违约金。"),
    ),
)
# The receiving account printed in each agreement (the creditor's own, in the demo).
ACCOUNT_BANK = "华信银行股份有限公司北京金融街支行"
ACCOUNT_NUMBER = "6217 0000 1234 5678 009"


def seed_stages(org: MediationOrganisation, password: str) -> list[str]:
    """Take each stage case as far as its spec says; return a line for each case that
    moved (its new stage), or why it could not."""
    notes = _negotiation_proposal()
    with inline_queue():
        for spec in STAGES:
            notes += advance(spec, org, password)
    return notes


@contextmanager
def inline_queue() -> Iterator[None]:
    """Run queued tasks at once (the render task), then restore the queue as it was."""
    before = huey.immediate
    huey.immediate = True
    try:
        yield
    finally:
        huey.immediate = before


def demo_user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def case_of(debtor_email: str) -> Case | None:
    return db.session.scalar(
        select(Case).where(Case.debtor_email == debtor_email).order_by(Case.id).limit(1)
    )


def advance(spec: StageCase, org: MediationOrganisation, password: str) -> list[str]:
    creditor = demo_user(spec.creditor_email)
    case = case_of(spec.case.email)
    before = None if case is None else (case.state, _signed(case))
    if case is None:
        case, _ = start_case(creditor, org, spec.case, password)
    debtor = case.debtor_user
    joined = [] if spec.guarantor is None else seed_party(case, spec.guarantor, password)
    if case.state == CaseState.NEGOTIATING and debtor is not None:
        _settle(spec, case, debtor, creditor)
    problem = _draft(case, creditor)
    if problem is None and case.state == CaseState.SIGNING:
        people = {"debtor": debtor, "creditor": creditor, "mediator": case.mediator}
        for role in SIGN_ORDER:
            signer = people[role]
            if role in spec.signers and role not in _signed(case) and signer is not None:
                _sign(case, signer, password)
    if problem is not None:
        return [case_line(case, problem), *joined]
    if before == (case.state, _signed(case)):
        return joined
    signed = _signed(case)
    return [case_line(case, "signed by " + ", ".join(signed) if signed else ""), *joined]


def party_accounts() -> list[tuple[str, str, str]]:
    """The stage cases' guarantors who joined, as ``flask seed-demo`` lists the demo
    accounts: (role, who they are, sign-in)."""
    accounts = []
    for spec in STAGES:
        case = case_of(spec.case.email)
        party = None if case is None or spec.guarantor is None else party_of(case, spec.guarantor)
        if case is None or party is None or party.user is None:
            continue  # a demo seeded before it had a guarantor
        kind = f"{party.guarantee_kind} " if party.guarantee_kind else ""
        who = f"{party.name}, {kind}{party.role} of {case.reference} ({case.debtor_name})"
        accounts.append((party.role, who, party.user.email))
    return accounts


def _signed(case: Case) -> list[str]:
    current = current_agreement(case)
    done = signed_roles(current) if current is not None else set()
    return [role for role in SIGN_ORDER if role in done]


def _settle(spec: StageCase, case: Case, debtor: User, creditor: User) -> None:
    """The debtor's objection (answered by the creditor, resolved by the mediator), then
    the debtor's offer, which the creditor accepts: the terms are settled."""
    if spec.objection is not None and not objections.objections_of(case):
        item, reason, answer = spec.objection
        objection = objections.raise_objection(debtor, case, item, reason)
        objections.answer_objection(creditor, case, objection, answer)
        assert case.mediator is not None
        objections.resolve_objection(case.mediator, case, objection)
    offer = proposals.Offer(
        kind="instalments",
        total=spec.total,
        first_due=today() + timedelta(days=30),
        count=spec.instalments,
        frequency=Frequency.MONTHLY,
        waive_penalty=spec.objection is not None,
    )
    # A run interrupted after the offer and before the answer finds the offer still open:
    # it is answered, not made a second time.
    waiting = next(
        (
            p
            for p in proposals.proposals_of(case)
            if p.state == ProposalState.OPEN and p.side == Side.DEBTOR
        ),
        None,
    )
    proposal = waiting or proposals.submit_proposal(debtor, case, offer)
    proposals.accept_proposal(creditor, case, proposal)


def _draft(case: Case, creditor: User) -> str | None:
    """Draft (or redraft after a failed rendering) and render; the reason when the PDF
    could not be made (typically: no signing certificate, run ``flask pki init``)."""
    current = current_agreement(case)
    failed = current is not None and current.status == AgreementStatus.FAILED
    if case.state == CaseState.AGREEMENT_DRAFTING or (case.state == CaseState.SIGNING and failed):
        assert case.mediator is not None
        account = DraftInput(case.creditor_org.name, ACCOUNT_BANK, ACCOUNT_NUMBER)
        current = draft_agreement(case.mediator, case, account)
    if current is not None and current.status == AgreementStatus.RENDERING:
        render_agreement(current.id)  # the queue was not inline when drafted
    if current is not None:
        db.session.refresh(current)
        if current.status == AgreementStatus.FAILED:
            return f"the agreement PDF failed ({current.render_error}): run `flask pki init`"
    return None


def _sign(case: Case, signer: User, password: str) -> None:
    """Sign as the signer would: ask for a code, read it, sign with password and code."""
    agreement = current_agreement(case)
    assert agreement is not None
    send_signing_code(signer, case, agreement, None)
    given = SignatureInput(
        version=agreement.version,
        seen_sha256=agreement.current_sha256 or "",
        password=password,
        code=code_sent_to(signer),
        method=SignatureMethod.TYPED,
        typed_name=signer.name,
        drawn_png=None,
        ip="127.0.0.1",
        user_agent="flask seed-demo",
    )
    sign_agreement(signer, case, agreement, given)
    db.session.refresh(agreement)


def code_sent_to(user: User) -> str:
    body = db.session.scalar(
        select(OutboundMessage.body)
        .where(OutboundMessage.template == "signing_code")
        .where(OutboundMessage.recipient_user_id == user.id)
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    match = re.search(r"验证码[为：:\s]*([0-9]{6})(?![0-9])", body or "")
    if match is None:
        raise RuntimeError(f"no signing code was queued for {user.email}")
    return match.group(1)


def _negotiation_proposal() -> list[str]:
    """The negotiating demo case gets the debtor's first offer, once, so a newcomer sees
    a proposal waiting for the creditor's answer."""
    spec = next(c for c in DEMO_CASES if c.target == CaseState.NEGOTIATING)
    case = case_of(spec.email)
    if case is None or case.state != CaseState.NEGOTIATING or case.debtor_user is None:
        return []
    if proposals.proposals_of(case):
        return []
    offer = proposals.Offer(
        kind="instalments",
        total=Decimal("54000.00"),
        first_due=today() + timedelta(days=30),
        count=18,
        frequency=Frequency.MONTHLY,
        waive_penalty=True,
        note="收入下降，希望减免违约金、分18个月还清。",
    )
    proposals.submit_proposal(case.debtor_user, case, offer)
    return [f"    the debtor's offer on {case.reference} waits for the creditor's answer"]


__all__ = ["STAGES", "StageCase", "party_accounts", "seed_stages"]
