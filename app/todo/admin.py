"""The organisation admin's to-do list: cases no mediator could be given (everyone
conflicted, declined or locked), deadlines already passed on open cases (each at most
:data:`~app.todo.common.MAX_CASES`, the oldest first); and beside it each mediator's
workload (their open cases), for assigning by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.format import local_date
from app.extensions import db
from app.models.cases import Case, DocketCount
from app.models.users import Role, User
from app.rules import todo as rules
from app.rules.cases import OPEN_STATES, CaseState
from app.todo.common import (
    MAX_CASES,
    Entry,
    TodoItem,
    TodoList,
    case_url,
    most_pressing,
    ordered,
    select_cases,
)


@dataclass(frozen=True)
class Workload:
    name: str
    open_cases: int
    locked: bool


def admin_todo(user: User, today: date) -> TodoList:
    """What waits for ``user``'s mediation organisation, the most urgent first."""
    if user.mediation_org_id is None:
        return TodoList()
    unassigned, cut_unassigned = _unassigned(user)
    overdue, cut_overdue = _overdue(user, today)
    return TodoList(ordered(unassigned + overdue), cut_unassigned or cut_overdue)


def _unassigned(user: User) -> tuple[list[Entry], bool]:
    cases, cut = most_pressing(
        db.session.scalars(
            select_cases()
            .where(Case.mediation_org_id == user.mediation_org_id, Case.mediator_id.is_(None))
            .where(Case.state == CaseState.SUBMITTED)
            .order_by(Case.id)
            .limit(MAX_CASES + 1)  # the oldest first; the docket lists every one
        )
    )
    return [
        (
            rules.Urgency(None, case.submitted_at),
            TodoItem(
                "unassigned",
                _(
                    "Case %(ref)s has no mediator (every mediator is conflicted, declined "
                    "it or is locked): assign one.",
                    ref=case.reference,
                ),
                case.reference,
                case_url(case, "parties"),
            ),
        )
        for case in cases
    ], cut


def _overdue(user: User, today: date) -> tuple[list[Entry], bool]:
    cases, cut = most_pressing(
        db.session.scalars(
            select_cases()
            .where(Case.mediation_org_id == user.mediation_org_id)
            .where(Case.state.in_(list(OPEN_STATES)), Case.next_deadline < today)
            .order_by(Case.next_deadline, Case.id)
            .limit(MAX_CASES + 1)  # the longest overdue; the docket's filter lists all
        )
    )
    return [
        (
            rules.Urgency(case.next_deadline),
            TodoItem(
                "overdue",
                _(
                    "Case %(ref)s: its deadline passed on %(day)s (mediator: %(name)s).",
                    ref=case.reference,
                    day=local_date(case.next_deadline),
                    name=case.mediator.name if case.mediator else "—",
                ),
                case.reference,
                case_url(case),
                case.next_deadline,
            ),
        )
        for case in cases  # overdue (rules.overdue) already, by the statement's filter
    ], cut


def mediator_workload(user: User) -> list[Workload]:
    """Each mediator of the organisation with their open cases, the busiest first."""
    # Summed from the docket's counters (app.cases.docket), never counted over the cases.
    load = (
        select(func.coalesce(func.sum(DocketCount.n), 0))
        .where(
            DocketCount.scope == "mediator",
            DocketCount.owner_id == User.id,
            DocketCount.state.in_([s.value for s in OPEN_STATES]),
        )
        .correlate(User)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(User.name, load, User.is_locked)
        .where(User.role == Role.MEDIATOR, User.mediation_org_id == user.mediation_org_id)
        .order_by(load.desc(), User.name)
    )
    return [Workload(name, int(count), locked) for name, count, locked in rows]
