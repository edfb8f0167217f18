"""After signing: the mediator records the filing, the court's ruling and, after a
rejection, re-mediation; every step is refused out of order or with bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.cases.lifecycle import today
from app.confirmation import release as confirmation
from app.confirmation.release import ConfirmationError
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.audit import AuditEvent
from app.models.confirmation import DeadlineReminder, PackageStatus, Ruling
from app.models.negotiation import Proposal
from app.models.notifications import OutboundMessage
from app.models.users import Role
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState
from tests.confirmation_support import in_force_case, released_package

NUMBER = "(2026)京0105民特123号"


@pytest.fixture
def ready(app: Any) -> tuple[dict[str, Any], Any, Any]:
    """A case whose package both parties signed."""
    who, case, agreement = in_force_case()
    return who, case, released_package(case, agreement, who["mediator"], PackageStatus.READY)


def _filed(ready: Any) -> tuple[dict[str, Any], Any, Any]:
    who, case, package = ready
    confirmation.record_filing(who["mediator"], case, today(), NUMBER)
    return who, case, package


def _templates(case: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboundMessage.template).where(OutboundMessage.case_id == case.id)
        )
    )


def test_filing_stops_the_clock_and_a_confirmed_ruling_closes_the_journey(ready: Any) -> None:
    who, case, package = ready
    confirmation.record_filing(who["mediator"], case, today(), f"  {NUMBER} ")
    assert case.state == CaseState.FILED and case.next_deadline is None
    assert (package.filed_on, package.court_case_number) == (today(), NUMBER)
    assert "application_filed" in _templates(case)

    confirmation.record_ruling(who["mediator"], case, Ruling.CONFIRMED, today(), None)
    assert case.state == CaseState.CONFIRMED
    assert (package.ruling, package.ruling_on, package.ruling_reason) == (
        Ruling.CONFIRMED,
        today(),
        None,
    )
    assert "ruling_confirmed" in _templates(case)
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.case_id == case.id, ~AuditEvent.action.startswith("contact:"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["case:confirmation:file", "case:confirmation:ruling"]


def test_a_guarantor_who_joined_is_told_of_the_filing_and_the_ruling(ready: Any) -> None:
    """They applied with the others (民诉法解释 Art. 353): each step reaches them too."""
    from tests.factories import make_case_party, make_user

    who, case, _ = ready
    guarantor = make_user(Role.DEBTOR, name="赵保证")
    make_case_party(
        case,
        "guarantor",
        "joint",
        "赵保证",
        "110101198001011232",
        who["mediator"],
        guarantor,
        email="guarantor@example.com",
    )
    db.session.refresh(case)
    confirmation.record_filing(who["mediator"], case, today(), NUMBER)
    confirmation.record_ruling(who["mediator"], case, Ruling.CONFIRMED, today(), None)
    told = db.session.scalars(
        select(OutboundMessage.template).where(OutboundMessage.address == "guarantor@example.com")
    ).all()
    assert sorted(told) == ["application_filed", "ruling_confirmed"]


@pytest.mark.parametrize(
    ("status", "filed_on", "number", "code"),
    [
        (PackageStatus.SIGNING, 0, NUMBER, "not_ready"),
        (PackageStatus.READY, 1, NUMBER, "date_in_future"),
        (PackageStatus.READY, -3, NUMBER, "date_before_release"),
        (PackageStatus.READY, 0, "   ", "case_number_invalid"),
        (PackageStatus.READY, 0, "号" * 65, "case_number_invalid"),
    ],
)
def test_filing_is_refused(
    ready: Any, status: PackageStatus, filed_on: int, number: str, code: str
) -> None:
    who, case, package = ready
    package.status = status
    db.session.commit()
    with pytest.raises(ConfirmationError) as refused:
        confirmation.record_filing(
            who["mediator"], case, today() + timedelta(days=filed_on), number
        )
    assert refused.value.code == code
    assert case.state == CaseState.IN_FORCE and package.filed_on is None


def test_only_the_cases_mediator_records_the_filing(ready: Any) -> None:
    who, case, _ = ready
    with pytest.raises(ConfirmationError) as refused:
        confirmation.record_filing(who["colleague_mediator"], case, today(), NUMBER)
    assert refused.value.code == "not_the_mediator"


@pytest.mark.parametrize(
    ("ruling", "day", "reason", "code"),
    [
        (Ruling.REJECTED, 0, "", "reason_required"),
        (Ruling.REJECTED, 0, "   ", "reason_required"),
        (Ruling.CONFIRMED, 1, None, "date_in_future"),
        (Ruling.CONFIRMED, -1, None, "date_before_filing"),
        (Ruling.REJECTED, 0, "理" * 2001, "reason_too_long"),
    ],
)
def test_a_ruling_is_refused(
    ready: Any, ruling: Ruling, day: int, reason: str | None, code: str
) -> None:
    who, case, package = _filed(ready)
    with pytest.raises(ConfirmationError) as refused:
        confirmation.record_ruling(
            who["mediator"], case, ruling, today() + timedelta(days=day), reason
        )
    assert refused.value.code == code
    assert case.state == CaseState.FILED and package.ruling is None


def test_no_ruling_before_filing(ready: Any) -> None:
    who, case, _ = ready
    with pytest.raises(ConfirmationError) as refused:
        confirmation.record_ruling(who["mediator"], case, Ruling.CONFIRMED, today(), None)
    assert refused.value.code == "wrong_state"


def test_a_rejected_case_is_mediated_again(ready: Any) -> None:
    who, case, package = _filed(ready)
    db.session.add(DeadlineReminder(case_id=case.id, kind="confirmation_day20"))
    db.session.commit()
    with pytest.raises(ConfirmationError) as refused:
        confirmation.remediate(who["mediator"], case)
    assert refused.value.code == "wrong_state"

    confirmation.record_ruling(
        who["mediator"], case, Ruling.REJECTED, today(), "协议约定的违约金过高"
    )
    assert case.state == CaseState.CONFIRMATION_REJECTED
    assert package.ruling_reason == "协议约定的违约金过高"
    confirmation.remediate(who["mediator"], case)

    assert case.state == CaseState.NEGOTIATING and case.next_deadline is None
    states = db.session.scalars(select(Proposal.state).where(Proposal.case_id == case.id)).all()
    assert ProposalState.ACCEPTED not in states and ProposalState.CLOSED in states
    agreement = db.session.get(Agreement, package.agreement_id)
    assert agreement is not None and agreement.status == AgreementStatus.SUPERSEDED
    assert {"ruling_rejected", "remediation_started"} <= set(_templates(case))
    assert confirmation.facts_for(case, None).agreement_in_force is False
    assert db.session.scalar(select(DeadlineReminder)) is None  # the new window reminds anew


def test_filing_is_refused_unless_the_case_is_in_force(ready: Any) -> None:
    who, case, _ = _filed(ready)
    with pytest.raises(ConfirmationError) as refused:
        confirmation.record_filing(who["mediator"], case, today(), NUMBER)
    assert refused.value.code == "wrong_state"
