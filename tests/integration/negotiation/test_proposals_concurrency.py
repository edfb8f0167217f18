"""Two parties accepting two different proposals at the same moment: exactly one wins.

Real threads, each with its own application context and database session, against the
real database (PostgreSQL when TEST_DATABASE_URL is set, else the SQLite file). Each
thread loads the case and its proposal, waits at a barrier, then accepts: the creditor
the debtor's proposal, the debtor the creditor's. Each use case first claims the case
row (:func:`app.core.transaction.claim`), so the later writer fails there; the partial
unique index ``uq_proposals_one_accepted_per_case`` would refuse a second accepted
proposal too. Either way the use case rolls back and raises
:class:`~app.core.errors.Conflict`, and the web answers 409. On SQLite the database lock
serialises the two writers the same way (the later one waits for the earlier to commit,
then finds the version moved, or is told the database is locked), so the test means the
same there; PostgreSQL is where it matters and CI runs it there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.audit import verify_chain
from app.cases.lifecycle import today
from app.core.errors import Conflict
from app.extensions import db
from app.models import AuditEvent, Case, Proposal
from app.models.users import Role, User
from app.negotiation import proposals as service
from app.negotiation.proposals import Offer
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState
from app.rules.schedules import Frequency
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

ROUNDS = 20
HTTP_ROUNDS = 5


def _offer(total: str) -> Offer:
    return Offer(
        kind="instalments",
        total=Decimal(total),
        first_due=today() + timedelta(days=30),
        count=12,
        frequency=Frequency.MONTHLY,
    )


def _negotiation() -> dict[str, Any]:
    """A negotiating case with an open proposal from each side (and the mediator)."""
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR)
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    by_debtor = service.submit_proposal(debtor, case, _offer("24000.00"))
    by_creditor = service.submit_proposal(creditor, case, _offer("31000.00"))
    by_mediator = service.submit_proposal(mediator, case, _offer("28000.00"))
    return {
        "case": case.id,
        "creditor": creditor,
        "debtor": debtor,
        "by_debtor": by_debtor.id,
        "by_creditor": by_creditor.id,
        "by_mediator": by_mediator.id,
    }


def _race(app: Flask, *jobs: Callable[[threading.Barrier], str]) -> list[str]:
    """Run each job in its own thread and application context; they meet at a barrier."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    results: list[str] = ["" for _ in jobs]

    def run(index: int, job: Callable[[threading.Barrier], str]) -> None:
        with app.app_context():
            try:
                results[index] = job(barrier)
            except Exception as exc:  # reported in the assertion, never swallowed
                results[index] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def _accept_in_service(user_id: int, case_id: int, proposal_id: int):
    def job(barrier: threading.Barrier) -> str:
        user = db.session.get(User, user_id)
        case = db.session.get(Case, case_id)
        proposal = db.session.get(Proposal, proposal_id)
        assert user and case and proposal and case.state == CaseState.NEGOTIATING
        case.mediation_org  # noqa: B018  (everything read before the race starts)
        barrier.wait()
        try:
            service.accept_proposal(user, case, proposal)
        except Conflict:
            return "conflict"
        return "accepted"

    return job


def _assert_settled_once(world: dict[str, Any]) -> None:
    db.session.expire_all()
    case = db.session.get(Case, world["case"])
    assert case is not None and case.state == CaseState.AGREEMENT_DRAFTING
    rows = list(db.session.scalars(select(Proposal).where(Proposal.case_id == case.id)))
    states = sorted(p.state.value for p in rows)
    assert states == ["accepted", "closed", "closed"], states
    accepted = [p for p in rows if p.state == ProposalState.ACCEPTED]
    assert accepted[0].id in (world["by_debtor"], world["by_creditor"])
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "case:proposal:accept"
        )
    ).all()
    assert len(events) == 1 and events[0].object_id == str(accepted[0].id)


@pytest.mark.commits
def test_two_acceptances_at_the_same_moment_settle_exactly_once(app: Flask) -> None:
    for _ in range(ROUNDS):
        world = _negotiation()
        results = _race(
            app,
            _accept_in_service(world["creditor"].id, world["case"], world["by_debtor"]),
            _accept_in_service(world["debtor"].id, world["case"], world["by_creditor"]),
        )
        assert sorted(results) == ["accepted", "conflict"], results
        _assert_settled_once(world)
    assert verify_chain().intact  # the loser left no half-written event in the chain


@pytest.mark.commits
def test_a_late_acceptance_on_a_stale_case_is_a_conflict(app: Flask) -> None:
    """Deterministic: this session read the case before another one settled it."""
    world = _negotiation()
    case = db.session.get(Case, world["case"])
    mine = db.session.get(Proposal, world["by_creditor"])
    assert case is not None and mine is not None

    elsewhere = _accept_in_service(world["creditor"].id, world["case"], world["by_debtor"])
    assert _race(app, elsewhere) == ["accepted"]
    with pytest.raises(Conflict):
        service.accept_proposal(world["debtor"], case, mine)
    _assert_settled_once(world)


def _accept_over_http(app: Flask, user: User, case_id: int, proposal_id: int):
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    token = browser.token("/account/")

    def job(barrier: threading.Barrier) -> str:
        barrier.wait()
        response = browser.client.post(
            f"/cases/{case_id}/proposals/{proposal_id}/accept",
            data={"csrf_token": token, "confirmed": "yes"},
        )
        if response.status_code == 303:  # refused: back to the case page (app.core.prg)
            response = browser.get(response.headers["Location"])
        body = response.get_data(as_text=True)
        if response.status_code == 409:
            # Lost at the write (the conflict page), or read the other's commit half-way
            # (the proposal already closed: "no longer open"). Nothing saved either way.
            assert 'id="proposal-conflict"' in body or 'data-code="not_open"' in body
        return str(response.status_code)

    return job


@pytest.mark.commits
def test_two_acceptances_over_http_one_gets_409(app: Flask) -> None:
    for _ in range(HTTP_ROUNDS):
        world = _negotiation()
        results = _race(
            app,
            _accept_over_http(app, world["creditor"], world["case"], world["by_debtor"]),
            _accept_over_http(app, world["debtor"], world["case"], world["by_creditor"]),
        )
        assert sorted(results) == ["302", "409"], results
        _assert_settled_once(world)


def test_the_unique_index_is_the_last_line(app: Flask) -> None:
    """Even with the version check out of the way (an accepted row written behind the
    service's back), a second accepted proposal is refused and becomes a conflict."""
    world = _negotiation()
    db.session.execute(
        Proposal.__table__.update()
        .where(Proposal.id == world["by_mediator"])
        .values(state=ProposalState.ACCEPTED.value)
    )
    db.session.commit()
    case = db.session.get(Case, world["case"])
    theirs = db.session.get(Proposal, world["by_creditor"])
    assert case is not None and theirs is not None
    with pytest.raises(Conflict) as conflict:
        service.accept_proposal(world["debtor"], case, theirs)
    assert type(conflict.value.__cause__).__name__ == "IntegrityError"
    db.session.expire_all()
    assert db.session.get(Proposal, world["by_creditor"]).state == ProposalState.OPEN  # type: ignore[union-attr]
    assert db.session.get(Case, world["case"]).state == CaseState.NEGOTIATING  # type: ignore[union-attr]
