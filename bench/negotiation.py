"""Negotiation figures: building a 60-instalment schedule, and the case page of a busy
case (200 messages, 30 proposals with their schedules) as the mediator sees it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models.negotiation import Message, Proposal, ProposalInstalment, Thread
from app.models.users import Role
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState, Side
from app.rules.schedules import Frequency, instalment_plan
from tests.conftest import IsolatedClient, make_settings
from tests.factories import PASSWORD, make_case, make_user
from tests.helpers import Browser


def _median_ms(fn: Callable[[], object], repeat: int = 30) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def _seed_busy_case(mediator, creditor, debtor) -> int:
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    threads = [Thread.JOINT, Thread.CAUCUS_DEBTOR, Thread.CAUCUS_CREDITOR, Thread.NOTES]
    authors = [mediator, debtor, creditor]
    for i in range(200):
        db.session.add(
            Message(
                case_id=case.id,
                thread=threads[i % 4],
                author_id=authors[i % 3].id,
                body=f"第 {i} 条消息：关于还款安排的讨论。" * 3,
            )
        )
    first_due = date.today() + timedelta(days=30)
    for i in range(30):
        count = 6 + (i % 30)
        schedule = instalment_plan(
            Decimal("30000.00"), count=count, frequency=Frequency.MONTHLY, first_due=first_due
        )
        side = (Side.DEBTOR, Side.CREDITOR, Side.MEDIATOR)[i % 3]
        proposer = {Side.DEBTOR: debtor, Side.CREDITOR: creditor, Side.MEDIATOR: mediator}[side]
        proposal = Proposal(
            case_id=case.id,
            side=side,
            proposer_id=proposer.id,
            state=ProposalState.OPEN if i >= 27 else ProposalState.SUPERSEDED,
            kind="instalments",
            total=Decimal("30000.00"),
            principal=Decimal("30000.00"),
            interest=Decimal("0.00"),
            fees=Decimal("0.00"),
            discount=Decimal("1800.00"),
            frequency="monthly",
            instalment_count=count,
            first_due=first_due,
        )
        proposal.instalments = [
            ProposalInstalment(number=r.number, due=r.due, amount=r.amount, kind=r.kind)
            for r in schedule.instalments
        ]
        db.session.add(proposal)
    db.session.commit()
    return case.id


def bench_negotiation(folder: Path) -> dict[str, float]:
    schedule_ms = _median_ms(
        lambda: instalment_plan(
            Decimal("100000.00"),
            count=60,
            frequency=Frequency.MONTHLY,
            first_due=date(2027, 1, 31),
            down_payment=Decimal("5000.00"),
        ),
        repeat=200,
    )
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'bench.db'}"))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
        mediator = make_user(Role.MEDIATOR)
        creditor = make_user(Role.CREDITOR)
        debtor = make_user(Role.DEBTOR)
        case_id = _seed_busy_case(mediator, creditor, debtor)
        browser = Browser(app.test_client())
        browser.login(mediator.email, PASSWORD)
        url = f"/cases/{case_id}"
        assert browser.get(url).status_code == 200
        page_ms = _median_ms(lambda: browser.get(url))
        db.engine.dispose()
    return {"schedule_60_ms": schedule_ms, "case_page_ms": page_ms}
