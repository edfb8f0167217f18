"""The 30-day clock of judicial confirmation (CPL Art. 205; 人民调解法 Art. 33): from the
day the agreement took effect, counted per CPL Art. 85 on the platform's legal calendar
(:mod:`app.calendar.overrides`); ``case.next_deadline`` carries its last day for the docket
while the case waits to be filed.

A change of the calendar moves these deadlines: :func:`refresh_confirmation_deadlines` is
subscribed to it (:mod:`app.features`), since the calendar comes before this feature."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.calendar.overrides import legal_calendar
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.rules.cases import CaseState
from app.rules.deadlines import Deadline, LegalCalendar, confirmation_deadline
from app.rules.deadlines import is_overdue as deadline_passed


def in_force_agreement(case: Case) -> Agreement | None:
    """The newest version of the agreement that took effect, if any."""
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def effective_on(agreement: Agreement) -> date | None:
    """The day the agreement took effect, on the legal clock."""
    moment = agreement.effective_at
    return clock.day_of(moment) if moment is not None else None


def confirmation_deadline_for(case: Case, calendar: LegalCalendar | None = None) -> Deadline | None:
    """The last day to apply for confirmation: 30 days from the day the agreement in force
    took effect, counted per CPL Art. 85 on the platform's legal calendar (CPL Art. 205;
    人民调解法 Art. 33). None while no agreement is in force."""
    agreement = in_force_agreement(case)
    day = effective_on(agreement) if agreement is not None else None
    if day is None:
        return None
    return confirmation_deadline(day, calendar or legal_calendar())


def refresh_confirmation_deadlines(calendar: LegalCalendar) -> list[int]:
    """Recompute ``next_deadline`` of every case waiting to be filed after the calendar
    changed; returns the ids of the cases whose deadline moved. Runs inside the calendar
    change's use case, which commits it."""
    moved = []
    for case in db.session.scalars(select(Case).where(Case.state == CaseState.IN_FORCE)):
        deadline = confirmation_deadline_for(case, calendar)
        end = deadline.end if deadline is not None else None
        if end is not None and case.next_deadline != end:
            case.next_deadline = end
            moved.append(case.id)
    db.session.flush()
    return moved


def on_agreement_in_force(case: Case, agreement: Agreement) -> Deadline:
    """Start the 30-day clock (CPL Art. 205): ``case.next_deadline`` becomes the last day
    to apply, counted per CPL Art. 85. Called inside the agreement's use case in which the
    agreement takes effect (``agreement.effective_at`` set)."""
    day = effective_on(agreement)
    if day is None:
        raise ValueError("the agreement has no effective time")
    deadline = confirmation_deadline(day, legal_calendar())
    case.next_deadline = deadline.end
    return deadline


def is_overdue(case: Case, calendar: LegalCalendar | None = None) -> bool:
    """True when the agreement is in force, nothing was filed and the last day to apply
    has passed (the application may still be made on the last day itself)."""
    if case.state != CaseState.IN_FORCE:
        return False
    deadline = confirmation_deadline_for(case, calendar or legal_calendar())
    return deadline is not None and deadline_passed(deadline, clock.today())


def overdue_cases() -> list[Case]:
    """Every case whose window to apply for confirmation has passed unfiled (docket flag)."""
    calendar = legal_calendar()
    waiting = db.session.scalars(
        select(Case).where(Case.state == CaseState.IN_FORCE).order_by(Case.id)
    )
    return [case for case in waiting if is_overdue(case, calendar)]
