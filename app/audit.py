"""Append-only, hash-chained audit log.

Every state change calls :func:`record` inside the same transaction as the change, so
the event exists if and only if the change does. Events are chained twice: globally,
and per case (``case_id``). :func:`verify_chain` recomputes every hash and reports the
first broken link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.core import clock
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.users import User
from app.rules.hashchain import GENESIS, EventContent, canonical_data, event_hash


class AuditAction(StrEnum):
    """Every kind of event in the log, named ``resource:action``. The values are hashed
    into the chain: an existing value is never renamed (old rows keep their words)."""

    AUTH_LOGIN = "auth:login"
    AUTH_LOGOUT = "auth:logout"
    AUTH_CODE_SEND = "auth:code:send"
    ACCOUNT_PASSWORD_CHANGE = "account:password:change"  # noqa: S105 (an event name)
    ACCOUNT_LOCALE_SET = "account:locale:set"
    ACCOUNT_PASSWORD_CHECKS_PAUSE = "account:password:checks_pause"  # noqa: S105 (an event name)
    ORGANISATION_CREATE = "organisation:create"
    ORGANISATION_UPDATE = "organisation:update"
    CREDITOR_ORG_CREATE = "creditor_org:create"
    CREDITOR_ORG_UPDATE = "creditor_org:update"
    LPR_SET = "lpr:set"
    USER_CREATE = "user:create"
    USER_LOCK = "user:lock"
    USER_UNLOCK = "user:unlock"
    CALENDAR_OVERRIDE_SET = "calendar:override:set"
    CALENDAR_OVERRIDE_REMOVE = "calendar:override:remove"
    CALENDAR_YEAR_COMPLETE = "calendar:year:complete"
    CASE_CREATE = "case:create"
    CASE_DRAFT_UPDATE = "case:draft:update"
    CASE_SUBMIT = "case:submit"
    CASE_ACCEPT = "case:accept"
    CASE_DECLINE = "case:decline"
    CASE_REASSIGN = "case:reassign"
    CASE_INVITE = "case:invite"
    CASE_EVIDENCE_UPLOAD = "case:evidence:upload"
    CASE_EVIDENCE_DOWNLOAD = "case:evidence:download"
    INVITATION_IDENTITY_CONFIRM = "invitation:identity:confirm"
    INVITATION_REVOKE = "invitation:revoke"
    CASE_DEBTOR_JOIN = "case:debtor:join"
    CASE_DEBTOR_DECLINE = "case:debtor:decline"
    CONTACT_SENT = "contact:sent"
    CASE_MESSAGE_POST = "case:message:post"
    MEDIATOR_CONFLICT_DECLARE = "mediator:conflict:declare"
    CASE_OBJECTION_RAISE = "case:objection:raise"
    CASE_OBJECTION_ANSWER = "case:objection:answer"
    CASE_OBJECTION_RESOLVE = "case:objection:resolve"
    CASE_OBJECTION_WITHDRAW = "case:objection:withdraw"
    CASE_STATEMENT_SUBMIT = "case:statement:submit"
    CASE_CONSENT_GIVE = "case:consent:give"
    CASE_CONSENT_WITHDRAW = "case:consent:withdraw"
    CASE_PROPOSAL_SUBMIT = "case:proposal:submit"
    CASE_PROPOSAL_COUNTER = "case:proposal:counter"
    CASE_PROPOSAL_ACCEPT = "case:proposal:accept"
    CASE_PROPOSAL_REJECT = "case:proposal:reject"
    CASE_PROPOSAL_WITHDRAW = "case:proposal:withdraw"
    CASE_AGREEMENT_DRAFT = "case:agreement:draft"
    CASE_AGREEMENT_RENDER = "case:agreement:render"
    CASE_AGREEMENT_CODE = "case:agreement:code"
    CASE_AGREEMENT_SIGN = "case:agreement:sign"
    CASE_AGREEMENT_IN_FORCE = "case:agreement:in_force"
    CASE_AGREEMENT_DOWNLOAD = "case:agreement:download"
    CASE_AGREEMENT_RENDER_RETRY = "case:agreement:render:retry"
    CASE_AGREEMENT_RENDER_FAIL = "case:agreement:render:fail"
    CASE_CONFIRMATION_ACKNOWLEDGE = "case:confirmation:acknowledge"
    CASE_CONFIRMATION_RELEASE = "case:confirmation:release"
    CASE_CONFIRMATION_CODE = "case:confirmation:code"
    CASE_CONFIRMATION_SIGN = "case:confirmation:sign"
    CASE_CONFIRMATION_READY = "case:confirmation:ready"
    CASE_CONFIRMATION_FILE = "case:confirmation:file"
    CASE_CONFIRMATION_RULING = "case:confirmation:ruling"
    CASE_CONFIRMATION_REMEDIATE = "case:confirmation:remediate"
    CASE_CONFIRMATION_REMINDER = "case:confirmation:reminder"
    CASE_PACKAGE_RENDER = "case:package:render"
    CASE_PACKAGE_FAIL = "case:package:fail"
    CASE_PACKAGE_DOWNLOAD = "case:package:download"
    CASE_PACKAGE_RETRY = "case:package:retry"
    CONTACT_FAILED = "contact:failed"
    CASE_PAYMENT_RECORD = "case:payment:record"
    CASE_PAYMENT_REPORT = "case:payment:report"
    CASE_PAYMENT_CONFIRM = "case:payment:confirm"
    CASE_PAYMENT_DISPUTE = "case:payment:dispute"
    CASE_PAYMENT_RESOLVE = "case:payment:resolve"
    CASE_PAYMENT_PROOF_DOWNLOAD = "case:payment:proof:download"
    CASE_ENFORCEMENT_GENERATE = "case:enforcement:generate"
    CASE_ENFORCEMENT_DOWNLOAD = "case:enforcement:download"
    CASE_PERFORMED = "case:performed"
    CASE_BREACH = "case:breach"
    CASE_REPAYMENT_REMINDER = "case:repayment:reminder"
    CASE_CERTIFICATE_ISSUE = "case:certificate:issue"
    CASE_CERTIFICATE_DOWNLOAD = "case:certificate:download"


ACTION_LABELS = {
    AuditAction.AUTH_LOGIN: _l("Signed in"),
    AuditAction.AUTH_LOGOUT: _l("Signed out"),
    AuditAction.AUTH_CODE_SEND: _l("Was sent a sign-in code"),
    AuditAction.ACCOUNT_PASSWORD_CHECKS_PAUSE: _l(
        "Entered the current password wrongly too often (password changes paused)"
    ),
    AuditAction.ACCOUNT_PASSWORD_CHANGE: _l("Changed the password"),
    AuditAction.ACCOUNT_LOCALE_SET: _l("Changed the language"),
    AuditAction.ORGANISATION_CREATE: _l("Registered the mediation organisation"),
    AuditAction.ORGANISATION_UPDATE: _l("Updated the organisation's details"),
    AuditAction.CREDITOR_ORG_CREATE: _l("Registered a creditor organisation"),
    AuditAction.CREDITOR_ORG_UPDATE: _l("Updated a creditor organisation"),
    AuditAction.LPR_SET: _l("Entered a one-year LPR fixing"),
    AuditAction.USER_CREATE: _l("Opened an account"),
    AuditAction.USER_LOCK: _l("Locked an account"),
    AuditAction.USER_UNLOCK: _l("Unlocked an account"),
    AuditAction.CALENDAR_OVERRIDE_SET: _l("Entered a day in the legal calendar"),
    AuditAction.CALENDAR_OVERRIDE_REMOVE: _l("Removed a day from the legal calendar"),
    AuditAction.CALENDAR_YEAR_COMPLETE: _l("Marked a year's holidays as complete"),
    AuditAction.CASE_CREATE: _l("Case opened as a draft"),
    AuditAction.CASE_DRAFT_UPDATE: _l("Draft updated"),
    AuditAction.CASE_SUBMIT: _l("Claim submitted and checked"),
    AuditAction.CASE_ACCEPT: _l("Mediator accepted the case"),
    AuditAction.CASE_DECLINE: _l("A mediator declined the case"),
    AuditAction.CASE_REASSIGN: _l("Case reassigned"),
    AuditAction.CASE_INVITE: _l("Debtor invited"),
    AuditAction.CASE_EVIDENCE_UPLOAD: _l("Evidence added"),
    AuditAction.CASE_EVIDENCE_DOWNLOAD: _l("Evidence downloaded"),
    AuditAction.INVITATION_IDENTITY_CONFIRM: _l("Debtor confirmed their identity"),
    AuditAction.INVITATION_REVOKE: _l("Invitation link revoked"),
    AuditAction.CASE_DEBTOR_JOIN: _l("Debtor joined the mediation"),
    AuditAction.CASE_DEBTOR_DECLINE: _l("Debtor declined mediation; case closed"),
    AuditAction.CONTACT_SENT: _l("Message delivered"),
    AuditAction.CASE_MESSAGE_POST: _l("Message posted on the case"),
    AuditAction.MEDIATOR_CONFLICT_DECLARE: _l("Declared a conflict of interest"),
    AuditAction.CASE_OBJECTION_RAISE: _l("Debtor objected to a claim item"),
    AuditAction.CASE_OBJECTION_ANSWER: _l("Creditor answered an objection"),
    AuditAction.CASE_OBJECTION_RESOLVE: _l("Mediator resolved an objection"),
    AuditAction.CASE_OBJECTION_WITHDRAW: _l("Debtor withdrew an objection"),
    AuditAction.CASE_STATEMENT_SUBMIT: _l("Debtor submitted an income-and-spending statement"),
    AuditAction.CASE_CONSENT_GIVE: _l("Consent given"),
    AuditAction.CASE_CONSENT_WITHDRAW: _l("Consent withdrawn"),
    AuditAction.CASE_PROPOSAL_SUBMIT: _l("New proposal"),
    AuditAction.CASE_PROPOSAL_COUNTER: _l("Counter-proposal"),
    AuditAction.CASE_PROPOSAL_ACCEPT: _l("Proposal accepted"),
    AuditAction.CASE_PROPOSAL_REJECT: _l("Proposal rejected"),
    AuditAction.CASE_PROPOSAL_WITHDRAW: _l("Proposal withdrawn"),
    AuditAction.CASE_AGREEMENT_DRAFT: _l("Mediator drafted the agreement"),
    AuditAction.CASE_AGREEMENT_RENDER: _l("Agreement document prepared"),
    AuditAction.CASE_AGREEMENT_CODE: _l("One-time code sent for signing"),
    AuditAction.CASE_AGREEMENT_SIGN: _l("Agreement signed"),
    AuditAction.CASE_AGREEMENT_IN_FORCE: _l("Agreement took effect"),
    AuditAction.CASE_AGREEMENT_DOWNLOAD: _l("Agreement downloaded"),
    AuditAction.CASE_AGREEMENT_RENDER_RETRY: _l("Agreement document asked for again"),
    AuditAction.CASE_AGREEMENT_RENDER_FAIL: _l("Agreement document could not be prepared"),
    AuditAction.CASE_CONFIRMATION_ACKNOWLEDGE: _l("Mediator acknowledged pre-check warnings"),
    AuditAction.CASE_CONFIRMATION_RELEASE: _l("Judicial confirmation package released"),
    AuditAction.CASE_CONFIRMATION_CODE: _l("One-time code sent for signing"),
    AuditAction.CASE_CONFIRMATION_SIGN: _l("Application for judicial confirmation signed"),
    AuditAction.CASE_CONFIRMATION_READY: _l("Application signed by both parties"),
    AuditAction.CASE_CONFIRMATION_FILE: _l("Application filed with the court"),
    AuditAction.CASE_CONFIRMATION_RULING: _l("Court ruling recorded"),
    AuditAction.CASE_CONFIRMATION_REMEDIATE: _l("Mediation reopened after the court's refusal"),
    AuditAction.CASE_CONFIRMATION_REMINDER: _l("Deadline reminder sent"),
    AuditAction.CASE_PACKAGE_RENDER: _l("Package assembled"),
    AuditAction.CASE_PACKAGE_FAIL: _l("Package could not be assembled"),
    AuditAction.CASE_PACKAGE_DOWNLOAD: _l("Package downloaded"),
    AuditAction.CASE_PACKAGE_RETRY: _l("Package asked for again"),
    AuditAction.CASE_PAYMENT_RECORD: _l("Payment recorded by the creditor"),
    AuditAction.CASE_PAYMENT_REPORT: _l("Payment reported by the debtor"),
    AuditAction.CASE_PAYMENT_CONFIRM: _l("Reported payment confirmed"),
    AuditAction.CASE_PAYMENT_DISPUTE: _l("Reported payment disputed"),
    AuditAction.CASE_PAYMENT_RESOLVE: _l("Disputed payment resolved by the mediator"),
    AuditAction.CASE_PAYMENT_PROOF_DOWNLOAD: _l("Proof of payment downloaded"),
    AuditAction.CASE_ENFORCEMENT_GENERATE: _l("Enforcement application generated"),
    AuditAction.CASE_ENFORCEMENT_DOWNLOAD: _l("Enforcement application downloaded"),
    AuditAction.CASE_PERFORMED: _l("Agreement performed: case closed"),
    AuditAction.CASE_BREACH: _l("Agreement in breach: the unpaid balance fell due"),
    AuditAction.CASE_REPAYMENT_REMINDER: _l("Repayment reminder sent to the debtor"),
    AuditAction.CASE_CERTIFICATE_ISSUE: _l("Certificate issued by the organisation"),
    AuditAction.CASE_CERTIFICATE_DOWNLOAD: _l("Certificate downloaded"),
}


def action_label(action: str) -> str:
    """An event's kind in the reader's language."""
    label = ACTION_LABELS.get(action)  # type: ignore[call-overload]
    return str(label) if label is not None else _("Recorded event: %(action)s", action=action)


_AUDIT_REASONS = {
    "previous-hash link broken": _l("the link to the previous event is broken"),
    "case chain link broken": _l("the link to the case's previous event is broken"),
    "content does not match its hash": _l("the event's content no longer matches its hash"),
}


def audit_reason_label(reason: str) -> str:
    return str(_AUDIT_REASONS.get(reason, reason))


# An arbitrary constant: the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 0x436F6E63


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    object_type: str,
    object_id: int | str,
    case_id: int | None = None,
    data: Mapping[str, Any] | None = None,
    session: Session | None = None,
) -> AuditEvent:
    """Append an event to the chain; the caller's transaction commits it with the change."""
    session = session or db.session
    lock_chain(session)
    content = EventContent(
        occurred_at=clock.now(),
        actor_id=actor.id if actor is not None else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        case_id=case_id,
        data=dict(data or {}),
    )
    prev_hash = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    case_prev = None
    if case_id is not None:
        case_prev = session.scalar(
            select(AuditEvent.hash)
            .where(AuditEvent.case_id == case_id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        case_prev = case_prev or GENESIS
    prev_hash = prev_hash or GENESIS
    ev = AuditEvent(
        occurred_at=content.occurred_at,
        actor_id=content.actor_id,
        actor_label=content.actor_label,
        action=action,
        object_type=object_type,
        object_id=content.object_id,
        case_id=case_id,
        data=_json_data(content),
        prev_hash=prev_hash,
        case_prev_hash=case_prev,
        hash=event_hash(content, prev_hash, case_prev),
    )
    session.add(ev)
    session.flush()
    return ev


def lock_chain(session: Session) -> None:
    """Hold the chain until the transaction ends: two writers (or a writer and a checkpoint,
    ``app.anchor``) can never read the same head. SQLite serialises writers by itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})


def _label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.role.value}:{actor.name}"


def _json_data(content: EventContent) -> dict[str, Any]:
    return canonical_data(content.data)


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    head_hash: str
    broken_id: int | None = None
    reason: str = ""


def _content(ev: AuditEvent) -> EventContent:
    return EventContent(
        occurred_at=ev.occurred_at,
        actor_id=ev.actor_id,
        actor_label=ev.actor_label,
        action=ev.action,
        object_type=ev.object_type,
        object_id=ev.object_id,
        case_id=ev.case_id,
        data=ev.data,
    )


def verify_chain(session: Session | None = None) -> ChainReport:
    """Walk every event in order; stop at the first one whose links or hash do not hold.

    Events are streamed in batches, so memory stays flat however long the chain is.
    """
    session = session or db.session
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    result = session.scalars(stmt)
    try:
        return _walk(result)
    finally:
        result.close()  # releases the server-side cursor when the walk stops early


def _walk(events: Iterable[AuditEvent]) -> ChainReport:
    head = GENESIS
    case_heads: dict[int, str] = {}
    count = 0
    for ev in events:
        count += 1
        if ev.prev_hash != head:
            return ChainReport(False, count, head, ev.id, "previous-hash link broken")
        if ev.case_id is not None and ev.case_prev_hash != case_heads.get(ev.case_id, GENESIS):
            return ChainReport(False, count, head, ev.id, "case chain link broken")
        if event_hash(_content(ev), ev.prev_hash, ev.case_prev_hash) != ev.hash:
            return ChainReport(False, count, head, ev.id, "content does not match its hash")
        head = ev.hash
        if ev.case_id is not None:
            case_heads[ev.case_id] = ev.hash
    return ChainReport(True, count, head)


def head_hash(session: Session | None = None) -> str:
    session = session or db.session
    value = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return value or GENESIS
