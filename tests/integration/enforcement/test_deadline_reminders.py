"""The creditor's enforcement deadline (CPL Art. 250), watched with the clock moved: the
confirmed case's docket deadline follows it, and the creditor's staff are reminded 90, 30
and 7 days before it, each once, audited; the debtor is never contacted by them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.core import clock
from app.enforcement.reminders import enforcement_last_day, watch_enforcement_deadlines
from app.extensions import db
from app.models import AuditEvent, OutboundMessage
from tests.enforcement_support import breached_case


def _at(day: Any) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=clock.legal_tz())


def _reminders(case: Any) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.case_id == case.id,
                OutboundMessage.template == "enforcement_reminder",
            )
        )
    )


def _audited(case: Any) -> list[int]:
    return [
        e.data["days_before"]
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case.id, AuditEvent.action == "case:enforcement:reminder")
            .order_by(AuditEvent.id)
        )
    ]


def test_the_creditor_is_reminded_90_30_and_7_days_before_each_once(
    app: Flask, frozen_clock: Any
) -> None:
    who, case, _ = breached_case(frozen_clock)
    last_day = enforcement_last_day(case, clock.today())
    assert last_day is not None
    assert watch_enforcement_deadlines() == 0  # two years away
    assert case.next_deadline == last_day  # the docket's deadline

    for days in (90, 30, 7):
        frozen_clock.move_to(_at(last_day - timedelta(days=days + 1)))
        watch_enforcement_deadlines()
        frozen_clock.move_to(_at(last_day - timedelta(days=days)))
        assert watch_enforcement_deadlines() == 1, days
        assert watch_enforcement_deadlines() == 0, days  # once
    assert _audited(case) == [90, 30, 7]
    sent = _reminders(case)
    assert sent and not any(m.is_debtor for m in sent)  # the creditor's staff only
    assert {m.recipient_user_id for m in sent} >= {who["creditor"].id}
    assert all("第二百五十条" in m.body and case.reference in m.body for m in sent)

    frozen_clock.move_to(_at(last_day + timedelta(days=1)))
    assert watch_enforcement_deadlines() == 0  # the period has passed


def test_a_late_run_sends_only_the_latest_reminder(app: Flask, frozen_clock: Any) -> None:
    _who, case, _ = breached_case(frozen_clock)
    last_day = enforcement_last_day(case, clock.today())
    assert last_day is not None
    frozen_clock.move_to(_at(last_day - timedelta(days=20)))
    assert watch_enforcement_deadlines() == 1
    assert _audited(case) == [30]


def test_an_agreement_the_court_did_not_confirm_gets_no_reminder(
    app: Flask, frozen_clock: Any
) -> None:
    _who, case, _ = breached_case(frozen_clock, confirmed=False)
    assert enforcement_last_day(case, clock.today()) is None
    frozen_clock.move_to(_at(clock.today() + timedelta(days=700)))
    assert watch_enforcement_deadlines() == 0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case:enforcement:reminder")
        )
        == 0
    )
