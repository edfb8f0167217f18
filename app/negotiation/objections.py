"""Objections: the debtor disputes one item of the claim, the creditor answers, the
mediator resolves (or the debtor withdraws).

An objection stays OPEN — answered or not — until the mediator resolves it or the
debtor withdraws it; while open it is shown on the case to every party and counted on
the mediator's docket. The debtor's right to dispute the claim and to have the other
side answer is part of a fair mediation (人民调解法 Arts. 22–23: the parties state their
case; the mediator hears both sides). Who may act is decided by :mod:`app.access`
(the views guard with it); the rules here are about the objection's own state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.cases import evidence as evidence_service
from app.core import clock
from app.core.errors import InvalidInput, Refused
from app.core.parties import CLAIM_ITEMS
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.negotiation import Objection, ObjectionStatus
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.content import check_words_to_debtor
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts import objections as texts

MAX_REASON = 4000
MAX_ANSWER = 4000


class ObjectionRefused(Refused):
    """The objection's own state does not allow this."""

    messages = {
        "closed": _l("This objection is already closed."),
        "already_answered": _l("This objection has already been answered."),
        "not_answered": _l("The creditor has not answered this objection yet."),
        "not_yours": _l("Only the person who raised an objection can withdraw it."),
        "not_the_debtor": _l("Only the debtor of this case can object to the claim."),
        "unknown": _l("This objection does not belong to this case."),
    }


@dataclass(frozen=True)
class Upload:
    """The debtor's own evidence for an objection, as it came from the form."""

    stream: BinaryIO
    filename: str


def _clean(text: str, field: str, limit: int) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("required", field)
    if len(text) > limit:
        raise InvalidInput("too_long", field)
    return text


@use_case
def raise_objection(
    actor: User, case: Case, item: str, reason: str, upload: Upload | None = None
) -> Objection:
    """The debtor objects to one claim item (principal, interest, penalty or fees) with a
    reason and, optionally, a file of their own (PDF, JPEG or PNG, checked by content).

    Everything is checked before anything is written. The file goes through the case's
    evidence store (:func:`app.cases.evidence.add_evidence`, with its own audit event), so
    everyone on the case can download it like any other evidence; the file, the objection,
    their audit events and the creditor's notifications are one transaction, so a refused
    file (``StorageRefused``) leaves nothing behind.
    """
    if item not in CLAIM_ITEMS:
        raise InvalidInput("choice", "item")
    reason = _clean(reason, "reason", MAX_REASON)
    if case.debtor_user_id != actor.id:
        raise ObjectionRefused("not_the_debtor")
    evidence: EvidenceFile | None = None
    if upload is not None:
        evidence = evidence_service.add_evidence(
            actor,
            case,
            upload.stream,
            upload.filename,
            EvidenceCategory.OTHER,
            f"objection: {item}",
        )
    objection = Objection(
        case_id=case.id,
        item=item,
        reason=reason,
        evidence_id=evidence.id if evidence else None,
        raised_by_id=actor.id,
        status=ObjectionStatus.OPEN,
    )
    db.session.add(objection)
    case.last_activity_at = clock.now()
    db.session.flush()
    _record(
        AuditAction.CASE_OBJECTION_RAISE,
        actor,
        objection,
        {"item": item, "evidence": objection.evidence_id},
    )
    _notify_creditor(case)
    return objection


@use_case
def answer_objection(actor: User, case: Case, objection: Objection, answer: str) -> None:
    """The creditor answers an open objection, once; the debtor is told (contact rules)."""
    answer = _clean(answer, "answer", MAX_ANSWER)
    check_words_to_debtor(answer, case, field="answer")  # the debtor reads the answer
    _check_open(case, objection)
    if objection.answer is not None:
        raise ObjectionRefused("already_answered")
    objection.answer = answer
    objection.answered_by_id = actor.id
    objection.answered_at = clock.now()
    case.last_activity_at = clock.now()
    _record(AuditAction.CASE_OBJECTION_ANSWER, actor, objection, {"item": objection.item})
    _notify_debtor(case)


@use_case
def resolve_objection(actor: User, case: Case, objection: Objection) -> None:
    """The mediator closes an objection the creditor has answered: both sides have been
    heard. An unanswered objection cannot be resolved (the creditor must answer first)."""
    _check_open(case, objection)
    if objection.answer is None:
        raise ObjectionRefused("not_answered")
    _close(actor, case, objection, ObjectionStatus.RESOLVED, AuditAction.CASE_OBJECTION_RESOLVE)


@use_case
def withdraw_objection(actor: User, case: Case, objection: Objection) -> None:
    """The debtor withdraws their own open objection (answered or not)."""
    _check_open(case, objection)
    if objection.raised_by_id != actor.id:
        raise ObjectionRefused("not_yours")
    _close(actor, case, objection, ObjectionStatus.WITHDRAWN, AuditAction.CASE_OBJECTION_WITHDRAW)


def _check_open(case: Case, objection: Objection) -> None:
    if objection.case_id != case.id:
        raise ObjectionRefused("unknown")
    if objection.status != ObjectionStatus.OPEN:
        raise ObjectionRefused("closed")


def _close(
    actor: User, case: Case, objection: Objection, status: ObjectionStatus, action: AuditAction
) -> None:
    objection.status = status
    objection.closed_at = clock.now()
    case.last_activity_at = clock.now()
    _record(action, actor, objection, {"item": objection.item})


def _record(
    action: AuditAction, actor: User, objection: Objection, data: dict[str, object]
) -> None:
    audit.record(
        action,
        actor=actor,
        object_type="objection",
        object_id=objection.id,
        case_id=objection.case_id,
        data=data,
    )


def _notify_creditor(case: Case) -> None:
    """Every active user of the case's creditor, by email."""
    words = texts.objection_raised(case.mediation_org.name, case.reference, case_link(case))
    notify_case(case, "objection_raised", lambda channel: words, roles={"creditor"})


def _notify_debtor(case: Case) -> None:
    """The debtor, once: by email when we have an address, else by SMS. One contact, not
    two: the contact rules allow three a day and an answer is not urgent."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)

    def compose(channel: Channel) -> tuple[str, str]:
        if channel == Channel.SMS:
            return texts.objection_answered_sms(org, ref, link)
        return texts.objection_answered(org, ref, link)

    notify_case(case, "objection_answered", compose, roles={"debtor"})


def objections_of(case: Case) -> list[Objection]:
    """Every objection of the case, newest first."""
    return list(
        db.session.scalars(
            select(Objection).where(Objection.case_id == case.id).order_by(Objection.id.desc())
        )
    )


def evidence_names(objections: list[Objection]) -> dict[int, str]:
    """The original names of the objections' files, by evidence id (one query)."""
    ids = [o.evidence_id for o in objections if o.evidence_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(EvidenceFile.id, EvidenceFile.original_name).where(EvidenceFile.id.in_(ids))
    )
    return {i: name for i, name in rows}
