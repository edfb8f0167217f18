"""Mediation records (调解笔录) on the to-do lists: waiting for the viewer's signature (each
party confirms the record of a session by signing it, then the mediator signs and the record
is confirmed: 人民调解法 Art. 27; the order is :func:`app.rules.minutes.next_signers`), and
for the mediator the held sessions whose record is still to be written or sent."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.orm import selectinload

from app.core import clock
from app.core.format import local_datetime
from app.extensions import db
from app.minutes.content import session_time
from app.minutes.signing import may_sign
from app.models.cases import Case
from app.models.minutes import MediationRecord, RecordStatus
from app.models.sessions import MediationSession
from app.models.users import Role, User
from app.rules import todo as rules
from app.rules.sessions import SessionStatus
from app.todo.common import NO_ID_NUMBER, Entry, TodoItem


def _their_cases(user: User) -> tuple[Role, int] | None:
    """Whose signature block the user fills on a case: the debtor's own cases, the
    creditor organisation's (any of its staff signs for it), the mediator's assigned ones.
    The role picks the column (:func:`_awaiting`), the id is bound to it."""
    if user.role == Role.DEBTOR:
        return Role.DEBTOR, user.id
    if user.role == Role.CREDITOR and user.creditor_org_id is not None:
        return Role.CREDITOR, user.creditor_org_id
    if user.role == Role.MEDIATOR:
        return Role.MEDIATOR, user.id
    return None


_SCOPE_COLUMNS = {
    Role.DEBTOR: Case.debtor_user_id,
    Role.CREDITOR: Case.creditor_org_id,
    Role.MEDIATOR: Case.mediator_id,
}


# The to-do list is on every visit of a home page: its statements are built once per
# shape (building one costs more than its cached compilation), the viewer bound per call.
@cache
def awaiting_records(role: Role) -> Select[Any]:
    return (
        select(MediationRecord, Case)
        .join(Case, Case.id == MediationRecord.case_id)
        .where(
            _SCOPE_COLUMNS[role] == bindparam("owner"),
            MediationRecord.status == RecordStatus.AWAITING,
        )
        .options(NO_ID_NUMBER, selectinload(MediationRecord.signatures))
        .order_by(MediationRecord.started_at, MediationRecord.id)
    )


def records_to_sign(user: User) -> list[Entry]:
    """The records sent for confirmation that ``user`` may sign now (a party until they
    signed the current version; the mediator once both parties have), one query for all
    their cases."""
    scope = _their_cases(user)
    if scope is None:
        return []
    role, owner = scope
    rows = db.session.execute(awaiting_records(role), {"owner": owner})
    entries: list[Entry] = []
    for record, case in rows:
        if not may_sign(user, case, record):
            continue
        when = session_time(record)
        if user.role == Role.MEDIATOR:
            text = _(
                "Case %(ref)s: both parties confirmed the mediation record of the session "
                "of %(when)s; sign it to confirm it.",
                ref=case.reference,
                when=when,
            )
        else:
            text = _(
                "Case %(ref)s: confirm the mediation record of the session of %(when)s "
                "by signing it.",
                ref=case.reference,
                when=when,
            )
        url = url_for("minutes.sign", case_id=case.id, record_id=record.id)
        since = record.updated_at or clock.now()
        item = TodoItem("record_sign", text, case.reference, url, None)
        entries.append((rules.Urgency(None, since), item))
    return entries


_UNSENT = (RecordStatus.DRAFT, RecordStatus.FAILED)


@cache
def held_unrecorded() -> Select[Any]:
    """The mediator's held sessions (on the contact record) without a record yet."""
    has_record = exists().where(
        MediationRecord.contact_record_id == MediationSession.contact_record_id
    )
    return (
        select(MediationSession, Case)
        .join(Case, Case.id == MediationSession.case_id)
        .where(
            Case.mediator_id == bindparam("mediator_id"),
            MediationSession.status == SessionStatus.HELD,
            MediationSession.contact_record_id.is_not(None),
            ~has_record,
        )
        .options(NO_ID_NUMBER)
        .order_by(MediationSession.held_start, MediationSession.id)
    )


@cache
def unsent_records() -> Select[Any]:
    return (
        select(MediationRecord, Case)
        .join(Case, Case.id == MediationRecord.case_id)
        .where(Case.mediator_id == bindparam("mediator_id"), MediationRecord.status.in_(_UNSENT))
        .options(NO_ID_NUMBER)
        .order_by(MediationRecord.started_at, MediationRecord.id)
    )


def records_to_write(user: User) -> list[Entry]:
    """For the mediator: each session held on their cases whose record is not written yet,
    and each record still a draft (or whose preparation failed), to finish and send."""
    if user.role != Role.MEDIATOR:
        return []
    held = db.session.execute(held_unrecorded(), {"mediator_id": user.id})
    entries: list[Entry] = []
    for session, case in held:
        item = TodoItem(
            "record_write",
            _(
                "Case %(ref)s: write the mediation record of the session held on %(when)s.",
                ref=case.reference,
                when=local_datetime(session.held_start or session.starts_at),
            ),
            case.reference,
            url_for("minutes.new", case_id=case.id, contact_id=session.contact_record_id),
            None,
        )
        entries.append((rules.Urgency(None, session.held_end or session.starts_at), item))
    drafts = db.session.execute(unsent_records(), {"mediator_id": user.id})
    for record, case in drafts:
        item = TodoItem(
            "record_send",
            _(
                "Case %(ref)s: finish the mediation record of the session of %(when)s and "
                "send it to the parties.",
                ref=case.reference,
                when=session_time(record),
            ),
            case.reference,
            url_for("minutes.show", case_id=case.id, record_id=record.id),
            None,
        )
        entries.append((rules.Urgency(None, record.updated_at), item))
    return entries
