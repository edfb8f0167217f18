"""The rows the admin's dashboard counts beyond the cases themselves, in bulk: a fifth of
the cases settled (their accepted proposal and agreement in force, a payment each, a
breach on one in six), a contact record per case (some flagged) and a few complaints."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.contacts import Complaint, ContactRecord
from app.models.negotiation import Proposal
from app.models.repayments import (
    PaymentChannel,
    PaymentSource,
    PaymentStatus,
    RepaymentBreach,
    RepaymentPayment,
)
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.proposals import ProposalState, Side

SETTLED = (CaseState.IN_FORCE, CaseState.CONFIRMED, CaseState.PERFORMED, CaseState.FILED)
CHANNELS = (ContactChannel.PHONE, ContactChannel.SMS, ContactChannel.VIDEO, ContactChannel.LETTER)


def seed_dashboard_rows(admin: User, mediators: list[User]) -> None:
    rng = random.Random(7)
    now = clock.now()
    # every case but a draft was submitted (the docket's rows leave the moment out)
    db.session.execute(
        update(Case)
        .where(Case.state != CaseState.DRAFT, Case.submitted_at.is_(None))
        .values(submitted_at=Case.created_at),
        execution_options={"synchronize_session": False},
    )
    cases = db.session.execute(
        select(Case.id, Case.claim_total, Case.mediator_id, Case.state, Case.created_at)
        .where(Case.mediation_org_id == admin.mediation_org_id)
        .order_by(Case.id)
    ).all()
    settled = [c for i, c in enumerate(cases) if i % 5 == 0 and c.state != CaseState.DRAFT]
    proposals, agreements, payments, breaches = [], [], [], []
    by_state: dict[CaseState, list[int]] = {s: [] for s in SETTLED}
    for i, c in enumerate(settled):
        state = SETTLED[i % len(SETTLED)]
        by_state[state].append(c.id)
        total = (c.claim_total * Decimal(rng.choice((60, 75, 90, 100))) / 100).quantize(
            Decimal("0.01")
        )
        proposals.append(
            {
                "id": c.id,
                "case_id": c.id,
                "side": Side.DEBTOR,
                "proposer_id": c.mediator_id,
                "state": ProposalState.ACCEPTED,
                "kind": "lump_sum",
                "total": total,
                "principal": total,
                "interest": Decimal("0.00"),
                "fees": Decimal("0.00"),
                "discount": c.claim_total - total,
                "first_due": date(2026, 1, 1),
                "created_at": now,
            }
        )
        agreements.append(
            {
                "id": c.id,
                "case_id": c.id,
                "version": 1,
                "proposal_id": c.id,
                "status": AgreementStatus.IN_FORCE,
                "terms": {},
                "drafted_by_id": c.mediator_id,
                "drafted_at": now,
                "effective_at": c.created_at + timedelta(days=rng.randrange(3, 120)),
            }
        )
        payments.append(
            {
                "case_id": c.id,
                "agreement_id": c.id,
                "amount": (total / 4).quantize(Decimal("0.01")),
                "paid_on": date(2026, 2, 1),
                "channel": PaymentChannel.BANK_TRANSFER,
                "reference": f"B{c.id}",
                "source": PaymentSource.CREDITOR,
                "status": PaymentStatus.RECORDED,
                "recorded_by_id": c.mediator_id,
                "created_at": now,
            }
        )
        if i % 6 == 0:
            breaches.append(
                {
                    "case_id": c.id,
                    "agreement_id": c.id,
                    "plan_revision": 0,
                    "instalment": 1,
                    "breach_on": date(2026, 3, 1),
                    "accelerated": False,
                    "recorded_at": now,
                }
            )
    for state, ids in by_state.items():
        for start in range(0, len(ids), 5_000):
            chunk = ids[start : start + 5_000]
            db.session.execute(
                update(Case).where(Case.id.in_(chunk)).values(state=state),
                execution_options={"synchronize_session": False},
            )
    for model, rows in (
        (Proposal, proposals),
        (Agreement, agreements),
        (RepaymentPayment, payments),
        (RepaymentBreach, breaches),
    ):
        for start in range(0, len(rows), 5_000):
            db.session.execute(insert(model), rows[start : start + 5_000])
    contacts = []
    today = clock.today()
    for i, c in enumerate(cases):
        if c.state == CaseState.DRAFT:
            continue
        flagged = i % 40 == 0
        moment = now - timedelta(days=rng.randrange(0, 90), minutes=rng.randrange(0, 600))
        contacts.append(
            {
                "case_id": c.id,
                "mediation_org_id": admin.mediation_org_id,
                "creditor_org_id": None,
                "logged_by_id": c.mediator_id or mediators[0].id,
                "counterpart": Counterpart.DEBTOR,
                "direction": Direction.OUTBOUND,
                "channel": CHANNELS[i % len(CHANNELS)],
                "occurred_at": moment,
                "local_day": today - timedelta(days=rng.randrange(0, 90)),
                "debtor_key": f"phone:139{(i // 3):08d}",
                "outcome": Outcome.REACHED,
                "summary": "电话沟通",
                "is_outreach": True,
                "flag_quiet_hours": flagged,
                "flagged": flagged,
                "flag_reason": "当事人要求" if flagged else None,
                "logged_at": moment,
            }
        )
    for start in range(0, len(contacts), 5_000):
        db.session.execute(insert(ContactRecord), contacts[start : start + 5_000])
    first_contact = db.session.scalar(select(ContactRecord.id).order_by(ContactRecord.id))
    complaints = [
        {
            "case_id": cases[i].id,
            "mediation_org_id": admin.mediation_org_id,
            "complainant_id": admin.id,
            "contact_id": first_contact,
            "text": "投诉",
            "filed_at": now,
            "due_on": today + timedelta(days=(i % 30) - 15),
            "status": "open",
        }
        for i in range(0, len(cases), 100)
    ]
    db.session.execute(insert(Complaint), complaints)
    db.session.commit()
