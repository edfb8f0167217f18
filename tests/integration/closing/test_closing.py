"""Mediation failure on every ground, with the clock moved: the worker closes a case whose
debtor did not answer in time (no_response) and one whose mediation period ended while
negotiating (period_expired) unless the parties agreed an extension; a party (party_ended)
or the mediator (no_agreement) ends it with a reason after confirming. Each closes the case
with the ground recorded, an audit event, notices to the parties and the mediator, and the
organisation's certificate stating that ground (read back from the real PDF)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.closing.ending import EndingRefused, end_by_mediator, end_by_party
from app.closing.extension import answer_extension, propose_extension
from app.closing.facts import mediation_end, response_end
from app.closing.watch import watch_mediations
from app.core import clock
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.invitations import Invitation
from app.rules.cases import CaseState
from app.rules.mediation_failure import MediationFailureRefused
from tests import agreement_support as support
from tests.certificate_support import page_images
from tests.closing_support import (
    END_REASON,
    certificate_pdf,
    certificate_text,
    events,
    invited_case,
    messages,
    negotiating_case,
)

NOON = time(12, 0)


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _day_at_noon(day: Any) -> datetime:
    return datetime.combine(day, NOON, tzinfo=clock.legal_tz())


def _cn(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _certified(text: str, *expected: str) -> None:
    for words in ("调解终结证明", "第一百九十五条", "诉讼时效中断", *expected):
        assert "".join(words.split()) in text, words
    assert "".join(END_REASON.split()) not in text  # facts only: nobody's own account


def test_a_debtor_who_does_not_answer_in_time_closes_the_case_as_no_response(
    who, frozen_clock
) -> None:
    case = invited_case(who)
    last_day = response_end(case)
    assert last_day is not None
    frozen_clock.move_to(_day_at_noon(last_day))
    assert watch_mediations() == 0  # the last day is the debtor's
    assert case.state == CaseState.INVITED

    frozen_clock.move_to(_day_at_noon(last_day + timedelta(days=1)))
    assert watch_mediations() == 1
    db.session.expire_all()
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    assert case.failure_ground == "no_response" and case.ended_by_side is None
    assert case.next_deadline is None
    [event] = events(case, "case:mediation:end")
    assert event.data["ground"] == "no_response" and event.actor_id is None
    assert messages(case, "mediation_ended_no_response")  # the creditor and the mediator
    text = certificate_text(case)
    _certified(text, f"在答复期限（至{_cn(last_day)}）内未回应调解邀请")
    assert watch_mediations() == 0  # closed once


def test_the_mediation_period_ends_without_agreement_as_period_expired(who, frozen_clock) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=20))
    last_day = mediation_end(case)
    assert last_day is not None
    frozen_clock.move_to(_day_at_noon(last_day))
    assert watch_mediations() == 0
    frozen_clock.move_to(_day_at_noon(last_day + timedelta(days=1)))
    assert watch_mediations() == 1
    db.session.expire_all()
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    assert case.failure_ground == "period_expired"
    recipients = {m.is_debtor for m in messages(case, "mediation_ended_period_expired")}
    assert recipients == {True, False}  # the debtor, and the creditor's and mediator's staff
    _certified(certificate_text(case), f"调解期限已于{_cn(last_day)}届满")


def test_an_extension_both_parties_agreed_keeps_the_mediation_open_until_its_day(
    who, frozen_clock
) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=20))
    end = mediation_end(case)
    assert end is not None
    until = end + timedelta(days=20)
    propose_extension(who["creditor"], case, until)
    assert case.extension_proposed_until == until and case.extension_proposed_by_side == "creditor"
    assert events(case, "case:mediation:extension:propose")
    with pytest.raises(MediationFailureRefused) as own:
        answer_extension(who["creditor_colleague"], case, accept=True)
    assert own.value.code == "own_extension"
    answer_extension(who["debtor"], case, accept=True)
    db.session.expire_all()
    assert case.mediation_extended_until == until and case.next_deadline == until
    assert case.extension_proposed_until is None
    assert mediation_end(case) == until
    assert events(case, "case:mediation:extension:accept")

    frozen_clock.move_to(_day_at_noon(end + timedelta(days=1)))
    assert watch_mediations() == 0  # the original 30 days are over, the extension is not
    frozen_clock.move_to(_day_at_noon(until + timedelta(days=1)))
    assert watch_mediations() == 1
    db.session.expire_all()
    assert case.failure_ground == "period_expired"
    _certified(certificate_text(case), f"经双方当事人同意延长的调解期限已于{_cn(until)}届满")
    data = certificate_pdf(case)
    assert verify_pdf(data, documents.trust_roots()).accepted
    assert len(page_images(data, "period-expired-certificate")) == 1  # one sheet


def test_a_declined_extension_changes_nothing(who) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    end = mediation_end(case)
    assert end is not None
    propose_extension(who["debtor"], case, end + timedelta(days=10))
    answer_extension(who["creditor"], case, accept=False)
    db.session.expire_all()
    assert case.mediation_extended_until is None and case.extension_proposed_until is None
    assert mediation_end(case) == end
    assert events(case, "case:mediation:extension:decline")


@pytest.mark.parametrize(
    ("days_after_end", "code"),
    [(0, "extension_not_later"), (200, "extension_too_long")],
)
def test_an_extension_the_rules_refuse_is_not_recorded(who, days_after_end, code) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    end = mediation_end(case)
    assert end is not None
    with pytest.raises(MediationFailureRefused) as caught:
        propose_extension(who["creditor"], case, end + timedelta(days=days_after_end))
    assert caught.value.code == code
    db.session.expire_all()
    assert case.extension_proposed_until is None
    assert not events(case, "case:mediation:extension:propose")


def test_an_extension_after_the_period_ended_is_refused(who, frozen_clock) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=5))
    end = mediation_end(case)
    assert end is not None
    frozen_clock.move_to(_day_at_noon(end + timedelta(days=1)))
    with pytest.raises(MediationFailureRefused) as caught:
        propose_extension(who["debtor"], case, end + timedelta(days=10))
    assert caught.value.code == "mediation_period_over"


@pytest.mark.parametrize(
    ("party", "side_text"),
    [("debtor", "被申请人（债务人）要求终止调解"), ("creditor", "申请人（债权人）要求终止调解")],
)
def test_a_party_ends_the_mediation_with_a_reason(who, party, side_text) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=3))
    end_by_party(who[party], case, END_REASON, confirmed=True)
    db.session.expire_all()
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    assert case.failure_ground == "party_ended" and case.ended_by_side == party
    assert case.close_reason == END_REASON
    [event] = events(case, "case:mediation:end")
    assert event.actor_id == who[party].id and event.data["reason"] == END_REASON
    assert messages(case, "mediation_ended_party_ended")
    _certified(certificate_text(case), side_text)


def test_the_creditor_may_withdraw_before_the_debtor_answers(who) -> None:
    case = invited_case(who)
    end_by_party(who["creditor"], case, END_REASON, confirmed=True)
    db.session.expire_all()
    assert case.failure_ground == "party_ended"
    # The debtor's link stops working: there is nothing left to answer.
    invitation = db.session.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    assert invitation.revoked_at is not None
    _certified(certificate_text(case), "申请人（债权人）要求终止调解")


def test_the_mediator_ends_the_mediation_finding_no_agreement_possible(who) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=3))
    end_by_mediator(who["mediator"], case, END_REASON, confirmed=True)
    db.session.expire_all()
    assert case.failure_ground == "no_agreement" and case.ended_by_side == "mediator"
    _certified(certificate_text(case), "无法达成一致意见")


@pytest.mark.parametrize(
    ("reason", "confirmed", "code"),
    [
        ("  ", True, "reason_required"),
        ("x" * 2001, True, "reason_too_long"),
        (END_REASON, False, "confirm_required"),
    ],
)
def test_ending_without_a_reason_or_confirmation_is_refused(who, reason, confirmed, code) -> None:
    case = negotiating_case(who, clock.now() - timedelta(days=3))
    with pytest.raises(EndingRefused) as caught:
        end_by_party(who["debtor"], case, reason, confirmed=confirmed)
    assert caught.value.code == code
    db.session.expire_all()
    assert case.state == CaseState.NEGOTIATING and not events(case, "case:mediation:end")


def test_the_mediator_cannot_end_a_mediation_the_debtor_has_not_joined(who) -> None:
    case = invited_case(who)
    with pytest.raises(EndingRefused) as caught:
        end_by_mediator(who["mediator"], case, END_REASON, confirmed=True)
    assert caught.value.code == "not_allowed"
    assert case.state == CaseState.INVITED


def test_an_agreement_in_force_cannot_be_ended(who) -> None:
    from tests.repayment_support import performing_case

    who, case, _agreement = performing_case(who)
    for actor in ("creditor", "debtor"):
        with pytest.raises(EndingRefused):
            end_by_party(who[actor], case, END_REASON, confirmed=True)
    with pytest.raises(EndingRefused):
        end_by_mediator(who["mediator"], case, END_REASON, confirmed=True)
    assert case.state == CaseState.IN_FORCE


def test_a_mediation_reopened_after_the_courts_refusal_runs_from_the_reopening(who) -> None:
    from app import audit
    from app.audit import AuditAction

    case = negotiating_case(who, clock.now() - timedelta(days=60))
    case.next_deadline = None  # the remediation clears the confirmation window
    audit.record(
        AuditAction.CASE_CONFIRMATION_REMEDIATE,
        actor=who["mediator"],
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    db.session.commit()
    assert watch_mediations() == 0  # 60 days after acceptance, but reopened today
    db.session.expire_all()
    assert case.state == CaseState.NEGOTIATING
    end = mediation_end(case)
    assert end is not None and end > clock.today() + timedelta(days=29)
    assert case.next_deadline == end  # the docket's deadline


def test_a_new_invitation_restarts_the_debtors_time_to_answer(who) -> None:
    from app.cases.invitations import create_invitation

    case = invited_case(who, clock.now() - timedelta(days=20))
    create_invitation(case, clock.now() - timedelta(days=2))  # the mediator invited again
    assert watch_mediations() == 0
    db.session.expire_all()
    assert case.state == CaseState.INVITED
    last_day = response_end(case)
    assert last_day is not None and last_day >= clock.today() + timedelta(days=11)


def test_two_closings_at_once_one_lands(who) -> None:
    from sqlalchemy import update

    from app.core.errors import Conflict
    from app.models.cases import Case

    case = negotiating_case(who, clock.now() - timedelta(days=3))
    # Another request (the party's end, or the worker's watch) changed the case meanwhile.
    db.session.execute(
        update(Case).where(Case.id == case.id).values(version=Case.version + 1),
        execution_options={"synchronize_session": False},
    )
    with pytest.raises(Conflict):
        end_by_mediator(who["mediator"], case, END_REASON, confirmed=True)
    db.session.expire_all()
    assert case.state == CaseState.NEGOTIATING
    assert not events(case, "case:mediation:end")
