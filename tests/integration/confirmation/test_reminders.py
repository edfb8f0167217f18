"""Day-20 and day-27 reminders of the confirmation window: to both parties and the
mediator, once each, the debtor's under the contact rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.confirmation.reminders import due_reminder, send_deadline_reminders
from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.confirmation import DeadlineReminder
from app.models.notifications import OutboundMessage
from app.rules.cases import CaseState
from tests.confirmation_support import in_force_case

BEIJING = ZoneInfo("Asia/Shanghai")
EFFECTIVE = datetime(2026, 11, 1, 10, 0, tzinfo=BEIJING)  # day 20: 21 Nov, day 27: 28 Nov


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


def _messages(template: str | None = None) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.id)
    if template is not None:
        query = query.where(OutboundMessage.template == template)
    return list(db.session.scalars(query))


def _reminders() -> list[str]:
    return list(db.session.scalars(select(DeadlineReminder.kind).order_by(DeadlineReminder.id)))


@pytest.fixture
def remind(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], int]:
    """The hourly job, run at ``now`` with the platform's clock standing there too: the
    outbox delivers what is due as soon as each reminder is stored, and the contact rules
    judge that delivery by the clock. Otherwise a run "at 10:00" would be delivered at
    whatever hour the suite runs (in quiet hours at night)."""

    def run(now: datetime) -> int:
        monkeypatch.setattr(clock, "now", lambda: now)
        return send_deadline_reminders(now)

    return run


@pytest.fixture
def parties(app: Any) -> tuple[dict[str, Any], Any]:
    who, case, _ = in_force_case(effective_at=EFFECTIVE.astimezone(UTC))
    db.session.execute(db.delete(OutboundMessage))  # the negotiation's notices
    db.session.commit()
    return who, case


@pytest.fixture
def case(parties: tuple[dict[str, Any], Any]) -> Any:
    return parties[1]


@pytest.mark.parametrize(
    ("today", "kind"),
    [
        (date(2026, 11, 20), None),
        (date(2026, 11, 21), "confirmation_day20"),
        (date(2026, 11, 27), "confirmation_day20"),
        (date(2026, 11, 28), "confirmation_day27"),
        (date(2026, 12, 30), "confirmation_day27"),
    ],
)
def test_the_latest_reminder_whose_day_has_come(today: date, kind: str | None) -> None:
    assert due_reminder(EFFECTIVE.date(), today) == kind


def test_nothing_before_day_20(case: Any, remind: Callable[[datetime], int]) -> None:
    assert remind(_at(20, 23, 59)) == 0
    assert _messages() == [] and _reminders() == []


def test_day_20_reminds_everyone_once(
    parties: tuple[dict[str, Any], Any], remind: Callable[[datetime], int]
) -> None:
    who, case = parties
    assert remind(_at(21, 10)) == 1
    sent = _messages("confirmation_day20")
    assert {m.recipient_key for m in sent} == {
        f"debtor:{case.id}",
        f"user:{who['creditor'].id}",
        f"user:{who['creditor_colleague'].id}",
        f"user:{who['mediator'].id}",
    }
    assert all(m.due_at == _at(21, 10) for m in sent)
    body = sent[0].body
    assert "2026年12月1日" in body and case.reference in body and "¥" not in body
    assert _reminders() == ["confirmation_day20"]

    assert remind(_at(21, 11)) == 0  # the next hourly run
    assert len(_messages()) == len(sent)
    audit = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "case:confirmation:reminder")
    )
    assert audit == 1


def test_day_27_follows_day_20(case: Any, remind: Callable[[datetime], int]) -> None:
    remind(_at(21, 10))
    assert remind(_at(28, 9)) == 1
    assert remind(_at(28, 10)) == 0
    assert _reminders() == ["confirmation_day20", "confirmation_day27"]


def test_after_a_missed_day_20_only_day_27_is_sent(
    case: Any, remind: Callable[[datetime], int]
) -> None:
    assert remind(_at(29, 10)) == 1
    assert remind(_at(29, 11)) == 0
    assert _reminders() == ["confirmation_day27"]
    assert _messages("confirmation_day20") == []


def test_no_reminder_once_the_window_has_closed_or_the_case_is_filed(
    case: Any, remind: Callable[[datetime], int]
) -> None:
    late = datetime(2026, 12, 2, 10, 0, tzinfo=BEIJING).astimezone(UTC)  # last day: 1 Dec
    assert remind(late) == 0
    case.state = CaseState.FILED
    db.session.commit()
    assert remind(_at(21, 10)) == 0
    assert _reminders() == []


def test_a_reminder_due_at_23_00_reaches_the_debtor_at_08_00(
    case: Any, remind: Callable[[datetime], int]
) -> None:
    assert remind(_at(21, 23)) == 1
    debtor = [m for m in _messages() if m.is_debtor]
    others = [m for m in _messages() if not m.is_debtor]
    assert [m.due_at for m in debtor] == [_at(22, 8)]
    assert others and all(m.due_at == _at(21, 23) for m in others)
