"""Bulk actions on the docket: a selection of cases assigned to one mediator (the admin),
or sent a new invitation link each (the mediator on their own cases, the admin on the
organisation's).

Each case goes through the same use case as one at a time (:func:`reassign_case`,
:func:`resend_invitation`) and the same permission on that case; the whole selection is
one transaction, each case in a savepoint of its own, so a case refused is reported with
its reason and the others still go through. Ids that are not on the user's docket (another
organisation's, a colleague's) are left out and only counted, never named.

Invitations stay under the contact rules (quiet hours and at most three outreach contacts
a debtor a day, :mod:`app.rules.contact_rules`): :func:`plan_invitations` shows, before
anything is sent, when each message would go out — today, tomorrow or later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.cases.invitations import resend_invitation
from app.cases.lifecycle import reassign_case
from app.core import clock
from app.core.errors import DomainError, InvalidInput
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.users import Role, User
from app.notifications.outbox import preview_outreach, recipient_key

MAX_SELECTION = 200


class BulkInvalid(InvalidInput):
    messages = {
        "nothing_selected": _l("Select at least one case."),
        "too_many": _l("Select at most 200 cases at a time."),
        "choose_mediator": _l("Choose the mediator to assign the cases to."),
        "unknown_action": _l("Choose an action for the selected cases."),
    }


NOT_NOW = {
    Permission.CASE_REASSIGN: _l("This case can no longer be reassigned at its stage."),
    Permission.BULK_INVITE: _l("This case is not waiting for the debtor's invitation."),
}


@dataclass
class Outcome:
    """What became of a selection: the cases done, the ones refused with why, and how many
    ids were not on the user's docket."""

    done: list[Case] = field(default_factory=list)
    refused: list[tuple[Case, str]] = field(default_factory=list)
    not_found: int = 0


def parse_ids(raw: Iterable[str]) -> list[int]:
    """The case ids of the form, in order, once each; anything not a number dropped."""
    ids: list[int] = []
    for value in raw:
        value = value.strip()
        if value.isascii() and value.isdigit() and len(value) <= 9 and int(value) not in ids:
            ids.append(int(value))
    if not ids:
        raise BulkInvalid("nothing_selected", "case")
    if len(ids) > MAX_SELECTION:
        raise BulkInvalid("too_many", "case")
    return ids


def selection(user: User, ids: list[int]) -> tuple[list[Case], int]:
    """The cases among ``ids`` that are on the user's docket (the mediator's own, the
    admin's organisation's), in the order given; and how many ids were not."""
    rows = db.session.scalars(select(Case).where(Case.id.in_(ids)))
    found = {c.id: c for c in rows if can(user, Permission.CASE_VIEW, c) and _on_docket(user, c)}
    return [found[i] for i in ids if i in found], sum(1 for i in ids if i not in found)


def _on_docket(user: User, case: Case) -> bool:
    if user.role == Role.MEDIATOR:
        return case.mediator_id == user.id
    return user.role == Role.ADMIN and case.mediation_org_id == user.mediation_org_id


def mediators_for(admin: User) -> list[User]:
    """The mediators a selection may be assigned to: the organisation's, not locked."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.MEDIATOR,
                User.mediation_org_id == admin.mediation_org_id,
                User.is_locked.is_(False),
            )
            .order_by(User.name, User.id)
        )
    )


def _each(
    user: User,
    cases: list[Case],
    permission: Permission,
    act: Callable[[Case], object],
    outcome: Outcome,
) -> None:
    """``act`` on each case the user holds ``permission`` on, each in a savepoint: a case
    refused is rolled back alone and reported."""
    for case in cases:
        if not can(user, permission, case):
            outcome.refused.append((case, str(NOT_NOW[permission])))
            continue
        savepoint = db.session.begin_nested()
        try:
            act(case)
        except DomainError as err:
            savepoint.rollback()
            outcome.refused.append((case, err.message))
        else:
            savepoint.commit()
            outcome.done.append(case)


def _record(action: AuditAction, user: User, cases: list[Case], data: dict[str, object]) -> None:
    # Recorded before the first savepoint, as its first write: the SQLite driver opens its
    # transaction at the first write, and a SAVEPOINT outside one would commit on its own.
    audit.record(
        action,
        actor=user,
        object_type="docket",
        object_id=user.mediation_org_id or 0,
        data={"cases": [c.id for c in cases], **data},
    )


@use_case
def assign_cases(admin: User, ids: list[int], mediator: User | None) -> Outcome:
    """The admin assigns the selected cases to ``mediator``, each by the rules of a single
    reassignment (the organisation's mediator, not locked, no declared conflict of
    interest with the creditor, 人民调解法 Art. 20; an open case)."""
    if mediator is None:
        raise BulkInvalid("choose_mediator", "mediator_id")
    cases, missing = selection(admin, ids)
    outcome = Outcome(not_found=missing)
    _record(AuditAction.DOCKET_BULK_ASSIGN, admin, cases, {"to": mediator.id})
    _each(
        admin,
        cases,
        Permission.CASE_REASSIGN,
        lambda case: reassign_case(admin, case, mediator),
        outcome,
    )
    return outcome


@use_case
def send_invitations(user: User, ids: list[int]) -> Outcome:
    """A new invitation link for each selected case still at the invitation stage, sent
    like a single resend: under the contact rules, so a message the day's limit or quiet
    hours hold back is queued for the first moment allowed (:func:`plan_invitations`)."""
    cases, missing = selection(user, ids)
    outcome = Outcome(not_found=missing)
    _record(AuditAction.DOCKET_BULK_INVITE, user, cases, {})
    _each(user, cases, Permission.BULK_INVITE, lambda case: resend_invitation(user, case), outcome)
    return outcome


# --- the schedule shown before sending ------------------------------------------------------


@dataclass(frozen=True)
class PlannedCase:
    case: Case
    times: list[datetime]  # when each of its messages would go out (UTC)


@dataclass(frozen=True)
class DayPlan:
    day: date
    messages: int
    cases: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class InvitationPlan:
    cases: list[PlannedCase]
    days: list[DayPlan]
    refused: list[tuple[Case, str]]
    not_found: int
    without_address: list[Case]


def _addresses(case: Case) -> list[str]:
    """Where a new invitation goes: the debtor's email and phone, and those of the
    guarantors and co-borrowers not invited yet (as :func:`create_invitation` does)."""
    out = [a for a in (case.debtor_email, case.debtor_phone) if a]
    for party in case.extra_parties:
        if party.invited_at is None and party.joined_at is None:
            out += [a for a in (party.email, party.phone) if a]
    return out


def plan_invitations(user: User, ids: list[int], now: datetime | None = None) -> InvitationPlan:
    """When the invitations of the selection would go out if sent now, case by case and
    day by day (the legal clock's days). Nothing is written."""
    now = now or clock.now()
    cases, missing = selection(user, ids)
    eligible, refused = [], []
    for case in cases:
        if can(user, Permission.BULK_INVITE, case):
            eligible.append(case)
        else:
            refused.append((case, str(NOT_NOW[Permission.BULK_INVITE])))
    batch = [(case, address) for case in eligible for address in _addresses(case)]
    keys = [
        (recipient_key(address=a, case_id=c.id, recipient_user_id=None, to_debtor=True), a)
        for c, a in batch
    ]
    times = preview_outreach(keys, now)
    by_case: dict[int, list[datetime]] = {}
    for (case, _address), due in zip(batch, times, strict=True):
        by_case.setdefault(case.id, []).append(due)
    planned = [PlannedCase(c, sorted(by_case[c.id])) for c in eligible if c.id in by_case]
    return InvitationPlan(
        cases=planned,
        days=_days(planned),
        refused=refused,
        not_found=missing,
        without_address=[c for c in eligible if c.id not in by_case],
    )


def _days(planned: list[PlannedCase]) -> list[DayPlan]:
    per_day: dict[date, list[tuple[int, datetime]]] = {}
    for item in planned:
        for due in item.times:
            per_day.setdefault(clock.day_of(due), []).append((item.case.id, due))
    return [
        DayPlan(
            day=day,
            messages=len(entries),
            cases=len({case_id for case_id, _due in entries}),
            first=min(due for _c, due in entries),
            last=max(due for _c, due in entries),
        )
        for day, entries in sorted(per_day.items())
    ]
