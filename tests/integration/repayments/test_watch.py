"""The repayment watch: the organisation's grace period against the agreement's own rule,
a breach recorded once (not before the grace period ends, across a month end) with its
notices, and reminders to the debtor three days before, on the day and after a miss, each
once, under the contact rules (quiet hours, daily limit)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.message_templates import OrgMessageTemplate
from app.models.notifications import Channel, OutboundMessage
from app.models.repayments import RepaymentBreach, RepaymentReminder
from app.notifications.outbox import queue_message
from app.repayments.common import performance_of, plan_of
from app.repayments.payments import record_payment
from app.repayments.watch import watch_repayments
from app.rules import repayment_plan
from app.rules.repayment_plan import RepaymentRules
from app.rules.repayments import RepaymentState
from app.worker import huey as worker_huey
from tests.repayment_support import entry, performing_case

BEIJING = ZoneInfo("Asia/Shanghai")
WATCH_TEMPLATES = ("case_breach", "case_breach_unpaid", "reminder_before", "reminder_due")
WATCH_TEMPLATES += ("reminder_missed",)


@pytest.fixture
def world(app: Any) -> tuple[dict[str, Any], Any, Any]:
    return performing_case()


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def first_due(case: Any) -> date:
    performance = performance_of(case, clock.today())
    assert performance is not None
    return performance.plan.instalments[0].due


def messages(case: Any) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.case_id == case.id, OutboundMessage.template.in_(WATCH_TEMPLATES)
            )
            .order_by(OutboundMessage.id)
        )
    )


def templates(case: Any) -> list[tuple[str, bool]]:
    return [(m.template, bool(m.is_debtor)) for m in messages(case)]


def run(frozen_clock: Any, moment: datetime) -> int:
    frozen_clock.move_to(moment)
    return watch_repayments()


# --- the grace period -------------------------------------------------------------------


def test_the_agreements_own_grace_period_prevails_over_the_organisations(world: Any) -> None:
    _, case, agreement = world
    case.mediation_org.grace_days = 30
    plan = plan_of(agreement)
    row = plan.instalments[0]
    assert row.grace_ends == row.due + timedelta(days=15)  # the agreement states 15 days
    assert plan.grace_source == repayment_plan.SOURCE_AGREED


def test_the_organisations_grace_period_fills_in_where_the_agreement_states_none(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, case, agreement = world
    case.mediation_org.grace_days = 30
    monkeypatch.setattr(
        repayment_plan,
        "rules_from_terms",
        lambda terms: RepaymentRules(grace_days=None, accelerates=True),
    )
    plan = plan_of(agreement)
    row = plan.instalments[0]
    # Thirty days from 31 December 2026 end on Saturday 30 January 2027: the period ends on
    # the next working day (民法典 Art. 203), Monday 1 February.
    assert row.due == date(2026, 12, 31) and row.grace_ends == date(2027, 2, 1)
    assert plan.grace_source == repayment_plan.SOURCE_ORGANISATION


# --- the breach -------------------------------------------------------------------------


def test_the_breach_is_recorded_once_after_the_grace_period_across_a_month_end(
    world: Any, frozen_clock: Any
) -> None:
    _, case, agreement = world
    due = first_due(case)
    grace_ends = due + timedelta(days=15)
    assert plan_of(world[2]).instalments[0].grace_ends == grace_ends  # a Friday
    assert due.month != grace_ends.month  # 31 December → 15 January: across a month end
    run(frozen_clock, at(grace_ends, 20))  # the grace period's last day is still in time
    assert db.session.scalar(select(RepaymentBreach)) is None
    assert "case_breach" not in [t for t, _ in templates(case)]

    assert run(frozen_clock, at(grace_ends + timedelta(days=1), 3)) == 1
    breach = db.session.scalars(select(RepaymentBreach)).one()
    assert (breach.agreement_id, breach.instalment) == (agreement.id, 1)
    assert breach.breach_on == grace_ends + timedelta(days=1) and breach.accelerated
    notices = [(t, d) for t, d in templates(case) if t == "case_breach"]
    assert ("case_breach", True) in notices and ("case_breach", False) in notices
    recipients = {m.recipient_user_id for m in messages(case) if m.template == "case_breach"}
    assert world[0]["mediator"].id in recipients and world[0]["creditor"].id in recipients
    debtor_notice = next(m for m in messages(case) if m.template == "case_breach" and m.is_debtor)
    assert debtor_notice.due_at == at(grace_ends + timedelta(days=1), 8)  # after quiet hours
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == "case:breach")
    ).all()
    assert len(events) == 1 and events[0].data["instalment"] == 1

    # The acceleration the agreement provides: the whole unpaid balance is due now.
    status = performance_of(case, clock.today())
    assert status is not None and status.status.state is RepaymentState.IN_BREACH
    assert status.status.payable_now == status.status.balance.total

    count = len(messages(case))
    assert run(frozen_clock, at(grace_ends + timedelta(days=1), 4)) == 0
    assert run(frozen_clock, at(grace_ends + timedelta(days=5))) == 0
    assert len(messages(case)) == count
    assert len(db.session.scalars(select(RepaymentBreach)).all()) == 1


def test_a_paid_instalment_is_neither_breached_nor_reminded(world: Any, frozen_clock: Any) -> None:
    who, case, _ = world
    due = first_due(case)
    record_payment(who["creditor"], case, entry("1000.00"))
    run(frozen_clock, at(due - timedelta(days=3)))
    run(frozen_clock, at(due))
    run(frozen_clock, at(due + timedelta(days=16)))
    assert templates(case) == []
    assert db.session.scalar(select(RepaymentBreach)) is None


# --- reminders --------------------------------------------------------------------------


def test_reminders_three_days_before_on_the_day_and_after_a_miss_each_once(
    world: Any, frozen_clock: Any
) -> None:
    _, case, _ = world
    due = first_due(case)
    assert run(frozen_clock, at(due - timedelta(days=4))) == 0
    assert run(frozen_clock, at(due - timedelta(days=3))) == 1
    assert run(frozen_clock, at(due - timedelta(days=3), 15)) == 0
    assert run(frozen_clock, at(due - timedelta(days=1))) == 0
    assert run(frozen_clock, at(due)) == 1
    assert run(frozen_clock, at(due, 18)) == 0
    assert run(frozen_clock, at(due + timedelta(days=1))) == 1
    assert run(frozen_clock, at(due + timedelta(days=2))) == 0
    assert templates(case) == [
        ("reminder_before", True),
        ("reminder_due", True),
        ("reminder_missed", True),
    ]
    kinds = db.session.scalars(select(RepaymentReminder.kind).order_by(RepaymentReminder.id))
    assert [k.value for k in kinds] == ["before", "due", "missed"]
    for message in messages(case):
        assert "元" not in message.body and case.reference in message.body
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:repayment:reminder")
    ).all()
    assert len(events) == 3


def test_a_reminder_in_quiet_hours_waits_for_eight_oclock(world: Any, frozen_clock: Any) -> None:
    _, case, _ = world
    due = first_due(case)
    assert run(frozen_clock, at(due - timedelta(days=3), 22, 30)) == 1
    (message,) = messages(case)
    assert message.is_debtor and message.template == "reminder_before"
    assert message.due_at == at(due - timedelta(days=2), 8)


def test_a_reminder_respects_the_daily_limit_of_contacts(world: Any, frozen_clock: Any) -> None:
    _, case, _ = world
    due = first_due(case)
    frozen_clock.move_to(at(due, 9))
    address = case.debtor_email or case.debtor_phone
    for n in range(3):
        queue_message(
            address=address,
            channel=Channel.EMAIL if case.debtor_email else Channel.SMS,
            template="outreach",
            subject=f"s{n}",
            body="b",
            case_id=case.id,
            to_debtor=True,
        )
    assert run(frozen_clock, at(due, 10)) == 1
    (message,) = messages(case)
    assert message.template == "reminder_due"
    assert message.due_at == at(due + timedelta(days=1), 8)  # the day's three are taken


def test_the_worker_watches_repayments_every_hour() -> None:
    names = {t.__name__ for t in worker_huey._registry._periodic_tasks}
    assert "watch_repayments_hourly" in names


def test_a_reminder_uses_the_organisations_own_wording(world: Any, frozen_clock: Any) -> None:
    """The reminder is outreach: the organisation's version of it is sent
    (app.notifications.org_templates), filled with the organisation, the case and the link."""
    _, case, _ = world
    channel = "email" if case.debtor_email else "sms"
    db.session.add(
        OrgMessageTemplate(
            mediation_org_id=case.mediation_org_id,
            template="reminder_due",
            channel=channel,
            subject="【{org}】今日还款提醒 {case}",
            body="【{org}】您在案件{case}中有一期还款今日到期，详情：{link}",
            updated_by_id=case.created_by_id,
        )
    )
    db.session.commit()
    due = first_due(case)
    assert run(frozen_clock, at(due)) == 1
    (message,) = [m for m in messages(case) if m.is_debtor]
    org = case.mediation_org.name
    assert message.body.startswith(f"【{org}】您在案件{case.reference}中有一期还款今日到期")
    assert f"/cases/{case.id}" in message.body and "{" not in message.body
