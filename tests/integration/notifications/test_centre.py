"""The in-app notification centre (app.notifications.centre): every account on the case
is told at once, in the same transaction as the event, whatever quiet hours or the daily
cap do to the SMS or email — repayment reminders and breach notices included."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.inbox import Notification
from app.models.negotiation import Thread
from app.models.notifications import OutboundMessage
from app.models.users import Role
from app.negotiation.threads import post_message
from app.notifications import centre
from app.repayments.common import performance_of
from app.repayments.watch import watch_repayments
from app.rules.cases import CaseState
from app.rules.message_kinds import MessageKind
from tests.factories import make_case, make_user
from tests.repayment_support import performing_case

BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def centre_of(user_id: int) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    )


def debtor_message(case_id: int, template: str) -> OutboundMessage:
    return db.session.scalars(
        select(OutboundMessage).where(
            OutboundMessage.case_id == case_id,
            OutboundMessage.template == template,
            OutboundMessage.is_debtor.is_(True),
        )
    ).one()


def test_a_reminder_in_quiet_hours_is_in_the_centre_at_once_while_the_sms_waits(
    app: Any, frozen_clock: Any
) -> None:
    who, case, _ = performing_case()
    performance = performance_of(case, clock.today())
    assert performance is not None
    due = performance.plan.instalments[0].due
    night = at(due - timedelta(days=3), 22, 30)
    frozen_clock.move_to(night)
    assert watch_repayments() == 1
    (notice,) = [n for n in centre_of(who["debtor"].id) if n.template.startswith("reminder")]
    assert notice.template == "reminder_before" and notice.kind is MessageKind.OUTREACH
    assert notice.created_at == night and notice.read_at is None
    assert notice.link == f"/cases/{case.id}#repayment"
    assert case.reference in notice.body
    assert debtor_message(case.id, "reminder_before").due_at == at(due - timedelta(days=2), 8)


def test_a_breach_is_in_every_partys_centre_at_once(app: Any, frozen_clock: Any) -> None:
    who, case, _ = performing_case()
    performance = performance_of(case, clock.today())
    assert performance is not None
    breach_day = performance.plan.instalments[0].grace_ends + timedelta(days=1)
    frozen_clock.move_to(at(breach_day, 3))
    assert watch_repayments() == 1
    for role in ("debtor", "creditor", "mediator"):
        notices = [n for n in centre_of(who[role].id) if n.template.startswith("case_breach")]
        assert len(notices) == 1, role
        assert notices[0].created_at == at(breach_day, 3)
        assert notices[0].kind is MessageKind.CASE_NOTICE
    assert debtor_message(case.id, "case_breach").due_at == at(breach_day, 8)
    assert centre_of(who["other_debtor"].id) == []


def test_a_thread_message_tells_the_other_members_accounts_not_the_author(app: Any) -> None:
    mediator = make_user(Role.MEDIATOR)
    creditor = make_user(Role.CREDITOR)
    colleague = make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id)
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    post_message(debtor, case, Thread.JOINT, "我想把首付日期推迟一周。")
    told = {n.user_id: n for n in db.session.scalars(select(Notification))}
    assert set(told) == {mediator.id, creditor.id, colleague.id}
    assert all(n.link == f"/cases/{case.id}#messages" for n in told.values())
    assert all("推迟" not in n.body for n in told.values())  # never the text itself


def test_the_unread_count_and_mark_all_read_are_per_user(app: Any) -> None:
    me, other = make_user(Role.DEBTOR), make_user(Role.DEBTOR)
    for user in (me, me, other):
        centre.notify_user(user.id, case_id=None, template="x", title="t", body="b", link="/")
    db.session.commit()
    assert centre.unread_count(me.id) == 2
    centre.mark_all_read(me.id)
    assert centre.unread_count(me.id) == 0 and centre.unread_count(other.id) == 1
