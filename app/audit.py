"""Append-only, hash-chained audit log.

Every state change calls :func:`record` inside the same transaction as the change, so
the event exists if and only if the change does. Events are chained twice: globally,
and per case (``case_id``). :func:`verify_chain` recomputes every hash and reports the
first broken link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, text
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
    ACCOUNT_PASSWORD_RESET_CODE = "account:password:reset_code"  # noqa: S105 (an event name)
    ACCOUNT_PASSWORD_RESET = "account:password:reset"  # noqa: S105 (an event name)
    ORGANISATION_CREATE = "organisation:create"
    ORGANISATION_UPDATE = "organisation:update"
    # the organisation's own wording of an outreach message (app.rules.message_templates)
    TEMPLATE_SAVE = "organisation:template:save"
    TEMPLATE_RESET = "organisation:template:reset"
    CREDITOR_ORG_CREATE = "creditor_org:create"
    CREDITOR_ORG_UPDATE = "creditor_org:update"
    CREDITOR_ORG_PAPER_UPLOAD = "creditor_org:paper:upload"
    CREDITOR_ORG_SEAL_SET = "creditor_org:seal:set"
    LPR_SET = "lpr:set"
    COURT_THRESHOLD_SET = "court_threshold:set"
    MEDIATOR_APPOINTMENT_SET = "mediator:appointment:set"
    USER_CREATE = "user:create"
    USER_LOCK = "user:lock"
    USER_UNLOCK = "user:unlock"
    USER_CREDITOR_ADMIN = "user:creditor-admin"
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
    CASE_CONTACT_LOG = "case:contact:log"
    CASE_CONTACT_RECORDING = "case:contact:recording"
    CASE_CONTACT_RECORDING_DOWNLOAD = "case:contact:recording:download"
    CASE_COMPLAINT_FILE = "case:complaint:file"
    CASE_COMPLAINT_ANSWER = "case:complaint:answer"
    CASE_POA_RECORD = "case:poa:record"
    CASE_RECEIVING_ACCOUNT_SET = "case:receiving_account:set"
    INVITATION_IDENTITY_CONFIRM = "invitation:identity:confirm"
    INVITATION_REVOKE = "invitation:revoke"
    INVITATION_RESEND = "invitation:resend"
    CASE_DEBTOR_JOIN = "case:debtor:join"
    CASE_DEBTOR_DECLINE = "case:debtor:decline"
    CASE_PARTY_ADD = "case:party:add"
    CASE_PARTY_INVITE = "case:party:invite"
    CASE_PARTY_JOIN = "case:party:join"
    CASE_PARTY_IDENTITY_CONFIRM = "case:party:identity:confirm"
    CASE_PARTY_REMOVE = "case:party:remove"
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
    CASE_CONTACT_REVEAL = "case:contact:reveal"
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
    CASE_CONFIRMATION_LIFT = "case:confirmation:lift"
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
    CASE_MEDIATION_END = "case:mediation:end"
    CASE_EXTENSION_PROPOSE = "case:mediation:extension:propose"
    CASE_EXTENSION_ACCEPT = "case:mediation:extension:accept"
    CASE_EXTENSION_DECLINE = "case:mediation:extension:decline"
    CASE_ENFORCEMENT_REMINDER = "case:enforcement:reminder"
    CASE_RESTRUCTURING_REQUEST = "case:restructuring:request"
    CASE_RESTRUCTURING_COUNTER = "case:restructuring:counter"
    CASE_RESTRUCTURING_ACCEPT = "case:restructuring:accept"
    CASE_RESTRUCTURING_DECLINE = "case:restructuring:decline"
    CASE_SUPPLEMENTARY_DRAFT = "case:supplementary:draft"
    CASE_SUPPLEMENTARY_RENDER = "case:supplementary:render"
    CASE_SUPPLEMENTARY_CODE = "case:supplementary:code"
    CASE_SUPPLEMENTARY_SIGN = "case:supplementary:sign"
    CASE_SUPPLEMENTARY_IN_FORCE = "case:supplementary:in_force"
    CASE_SUPPLEMENTARY_DOWNLOAD = "case:supplementary:download"
    # the mediation record (调解笔录) of a held session (人民调解法 Art. 27)
    CASE_RECORD_CREATE = "case:minutes:create"
    CASE_RECORD_EDIT = "case:minutes:edit"
    CASE_RECORD_SUBMIT = "case:minutes:submit"
    CASE_RECORD_RENDER = "case:minutes:render"
    CASE_RECORD_CODE = "case:minutes:code"
    CASE_RECORD_SIGN = "case:minutes:sign"
    CASE_RECORD_CONFIRM = "case:minutes:confirm"
    CASE_RECORD_DOWNLOAD = "case:minutes:download"
    CASE_SESSION_SCHEDULE = "case:session:schedule"
    CASE_SESSION_RESCHEDULE = "case:session:reschedule"
    CASE_SESSION_CANCEL = "case:session:cancel"
    CASE_SESSION_RESPOND = "case:session:respond"
    CASE_SESSION_HELD = "case:session:held"
    CASE_SESSION_REMINDER = "case:session:reminder"
    PAYMENT_IMPORT_START = "payment_import:start"
    PAYMENT_IMPORT_FINISH = "payment_import:finish"
    PAYMENT_IMPORT_REPORT_DOWNLOAD = "payment_import:report:download"
    WEBHOOK_ENDPOINT_CREATE = "webhook:endpoint:create"
    WEBHOOK_ENDPOINT_DELETE = "webhook:endpoint:delete"
    WEBHOOK_DELIVERY_REPLAY = "webhook:delivery:replay"
    DOCKET_BULK_ASSIGN = "docket:bulk:assign"
    DOCKET_BULK_INVITE = "docket:bulk:invite"
    API_TOKEN_CREATE = "api_token:create"  # noqa: S105 (an action name)
    API_TOKEN_REVOKE = "api_token:revoke"  # noqa: S105
    CASE_IMPORT_START = "case_import:start"
    CASE_IMPORT_FINISH = "case_import:finish"
    CASE_IMPORT_REPORT_DOWNLOAD = "case_import:report:download"
    CASE_IMPORT_RESUME = "case_import:resume"
    CASE_IMPORT_RETRY = "case_import:retry"


ACTION_LABELS = {
    AuditAction.AUTH_LOGIN: _l("Signed in"),
    AuditAction.AUTH_LOGOUT: _l("Signed out"),
    AuditAction.AUTH_CODE_SEND: _l("Was sent a sign-in code"),
    AuditAction.ACCOUNT_PASSWORD_CHECKS_PAUSE: _l(
        "Entered the current password wrongly too often (password changes paused)"
    ),
    AuditAction.ACCOUNT_PASSWORD_CHANGE: _l("Changed the password"),
    AuditAction.ACCOUNT_PASSWORD_RESET_CODE: _l("Was sent a password reset code"),
    AuditAction.ACCOUNT_PASSWORD_RESET: _l("Reset the password with a one-time code"),
    AuditAction.ACCOUNT_LOCALE_SET: _l("Changed the language"),
    AuditAction.ORGANISATION_CREATE: _l("Registered the mediation organisation"),
    AuditAction.ORGANISATION_UPDATE: _l("Updated the organisation's details"),
    AuditAction.TEMPLATE_SAVE: _l("Saved the organisation's wording of a message"),
    AuditAction.TEMPLATE_RESET: _l("Went back to the built-in wording of a message"),
    AuditAction.CREDITOR_ORG_CREATE: _l("Registered a creditor organisation"),
    AuditAction.CREDITOR_ORG_UPDATE: _l("Updated a creditor organisation"),
    AuditAction.CREDITOR_ORG_PAPER_UPLOAD: _l("Uploaded a licence or ID copy of the creditor"),
    AuditAction.CREDITOR_ORG_SEAL_SET: _l("Set the creditor's seal"),
    AuditAction.LPR_SET: _l("Entered a one-year LPR fixing"),
    AuditAction.COURT_THRESHOLD_SET: _l("Entered a province's court-level thresholds"),
    AuditAction.MEDIATOR_APPOINTMENT_SET: _l("Entered a mediator's appointment record"),
    AuditAction.USER_CREATE: _l("Opened an account"),
    AuditAction.USER_LOCK: _l("Locked an account"),
    AuditAction.USER_UNLOCK: _l("Unlocked an account"),
    AuditAction.USER_CREDITOR_ADMIN: _l("Changed who keeps a creditor's profile"),
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
    AuditAction.CASE_CONTACT_LOG: _l("Contact with a party logged"),
    AuditAction.CASE_CONTACT_RECORDING: _l("Recording of a contact added"),
    AuditAction.CASE_CONTACT_RECORDING_DOWNLOAD: _l("Recording of a contact downloaded"),
    AuditAction.CASE_SESSION_SCHEDULE: _l("Mediation session scheduled"),
    AuditAction.CASE_SESSION_RESCHEDULE: _l("Mediation session moved to another time"),
    AuditAction.CASE_SESSION_CANCEL: _l("Mediation session cancelled"),
    AuditAction.CASE_SESSION_RESPOND: _l("A party answered the invitation to a session"),
    AuditAction.CASE_SESSION_HELD: _l("Mediation session held"),
    AuditAction.CASE_SESSION_REMINDER: _l("Reminder of a mediation session sent"),
    AuditAction.CASE_COMPLAINT_FILE: _l("Complaint filed"),
    AuditAction.CASE_COMPLAINT_ANSWER: _l("Complaint answered"),
    AuditAction.CASE_POA_RECORD: _l("Power of attorney recorded"),
    AuditAction.CASE_RECEIVING_ACCOUNT_SET: _l("Receiving account entered"),
    AuditAction.INVITATION_IDENTITY_CONFIRM: _l("Debtor confirmed their identity"),
    AuditAction.INVITATION_REVOKE: _l("Invitation link revoked"),
    AuditAction.INVITATION_RESEND: _l("Mediator sent a new invitation link; the old one is void"),
    AuditAction.CASE_DEBTOR_JOIN: _l("Debtor joined the mediation"),
    AuditAction.CASE_DEBTOR_DECLINE: _l("Debtor declined mediation; case closed"),
    AuditAction.CASE_PARTY_ADD: _l("Guarantor or co-borrower added"),
    AuditAction.CASE_PARTY_INVITE: _l("Guarantor or co-borrower invited"),
    AuditAction.CASE_PARTY_JOIN: _l("Guarantor or co-borrower joined the mediation"),
    AuditAction.CASE_PARTY_REMOVE: _l("Guarantor or co-borrower removed from the case"),
    AuditAction.CASE_PARTY_IDENTITY_CONFIRM: _l(
        "Guarantor or co-borrower confirmed their identity"
    ),
    AuditAction.CONTACT_SENT: _l("Message delivered"),
    AuditAction.CONTACT_FAILED: _l("Message could not be delivered"),
    AuditAction.CASE_MESSAGE_POST: _l("Message posted on the case"),
    AuditAction.MEDIATOR_CONFLICT_DECLARE: _l("Declared a conflict of interest"),
    AuditAction.CASE_OBJECTION_RAISE: _l("Debtor objected to a claim item"),
    AuditAction.CASE_OBJECTION_ANSWER: _l("Creditor answered an objection"),
    AuditAction.CASE_OBJECTION_RESOLVE: _l("Mediator resolved an objection"),
    AuditAction.CASE_OBJECTION_WITHDRAW: _l("Debtor withdrew an objection"),
    AuditAction.CASE_STATEMENT_SUBMIT: _l("Debtor submitted an income-and-spending statement"),
    AuditAction.CASE_CONSENT_GIVE: _l("Consent given"),
    AuditAction.CASE_CONSENT_WITHDRAW: _l("Consent withdrawn"),
    AuditAction.CASE_CONTACT_REVEAL: _l("The debtor's full contact details were shown"),
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
    AuditAction.CASE_CONFIRMATION_LIFT: _l(
        "Mediator lifted sham-mediation signals with a written justification"
    ),
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
    AuditAction.CASE_MEDIATION_END: _l("Mediation ended without agreement; case closed"),
    AuditAction.CASE_EXTENSION_PROPOSE: _l("Extension of the mediation period proposed"),
    AuditAction.CASE_EXTENSION_ACCEPT: _l("Extension of the mediation period agreed"),
    AuditAction.CASE_EXTENSION_DECLINE: _l("Extension of the mediation period declined"),
    AuditAction.CASE_ENFORCEMENT_REMINDER: _l("Enforcement deadline reminder sent to the creditor"),
    AuditAction.CASE_RESTRUCTURING_REQUEST: _l("Debtor asked to restructure the agreement"),
    AuditAction.CASE_RESTRUCTURING_COUNTER: _l("Other terms offered for the restructuring"),
    AuditAction.CASE_RESTRUCTURING_ACCEPT: _l("Restructuring terms accepted"),
    AuditAction.CASE_RESTRUCTURING_DECLINE: _l("Restructuring declined"),
    AuditAction.CASE_SUPPLEMENTARY_DRAFT: _l("Mediator drafted the supplementary agreement"),
    AuditAction.CASE_SUPPLEMENTARY_RENDER: _l("Supplementary agreement document prepared"),
    AuditAction.CASE_SUPPLEMENTARY_CODE: _l(
        "One-time code sent for signing the supplementary agreement"
    ),
    AuditAction.CASE_SUPPLEMENTARY_SIGN: _l("Supplementary agreement signed"),
    AuditAction.CASE_SUPPLEMENTARY_IN_FORCE: _l("Supplementary agreement took effect"),
    AuditAction.CASE_SUPPLEMENTARY_DOWNLOAD: _l("Supplementary agreement downloaded"),
    AuditAction.CASE_RECORD_CREATE: _l("Mediator wrote the record of a session"),
    AuditAction.CASE_RECORD_EDIT: _l("Mediator changed the record of a session"),
    AuditAction.CASE_RECORD_SUBMIT: _l("Session record sent to the parties for confirmation"),
    AuditAction.CASE_RECORD_RENDER: _l("Session record document prepared"),
    AuditAction.CASE_RECORD_CODE: _l("One-time code sent for signing a session record"),
    AuditAction.CASE_RECORD_SIGN: _l("Session record signed"),
    AuditAction.CASE_RECORD_CONFIRM: _l("Session record confirmed by every signature"),
    AuditAction.CASE_RECORD_DOWNLOAD: _l("Session record downloaded"),
    AuditAction.PAYMENT_IMPORT_START: _l("Uploaded a statement of payments"),
    AuditAction.PAYMENT_IMPORT_FINISH: _l("Statement of payments applied"),
    AuditAction.PAYMENT_IMPORT_REPORT_DOWNLOAD: _l("Downloaded a statement import report"),
    AuditAction.WEBHOOK_ENDPOINT_CREATE: _l("Registered a webhook endpoint"),
    AuditAction.WEBHOOK_ENDPOINT_DELETE: _l("Removed a webhook endpoint"),
    AuditAction.WEBHOOK_DELIVERY_REPLAY: _l("Sent a webhook delivery again"),
    AuditAction.DOCKET_BULK_ASSIGN: _l("Assigned a selection of cases from the docket"),
    AuditAction.DOCKET_BULK_INVITE: _l("Sent invitations to a selection of cases from the docket"),
    AuditAction.API_TOKEN_CREATE: _l("Created an API token"),
    AuditAction.API_TOKEN_REVOKE: _l("Revoked an API token"),
    AuditAction.CASE_IMPORT_START: _l("Uploaded a sheet of cases to import"),
    AuditAction.CASE_IMPORT_FINISH: _l("Import of cases finished"),
    AuditAction.CASE_IMPORT_REPORT_DOWNLOAD: _l("Downloaded a case import report"),
    AuditAction.CASE_IMPORT_RESUME: _l("Resumed a stopped import of cases"),
    AuditAction.CASE_IMPORT_RETRY: _l("Import of cases lost with its worker, asked for again"),
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


# What reacts to an event in the transaction that records it (set by app.features, e.g.
# the webhooks a creditor subscribed to): called with the new event and the session.
AuditListener = Callable[[AuditEvent, Session], None]
_LISTENERS: list[AuditListener] = []


def on_record(listener: AuditListener) -> AuditListener:
    """Call ``listener`` for every event recorded from now on (once, by the app factory)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


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
    heads = _heads(session)
    prev_hash = heads.last or session.scalar(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    case_prev = None
    if case_id is not None:
        case_prev = heads.cases.get(case_id) or session.scalar(
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
    heads.last = ev.hash
    if case_id is not None:
        heads.cases[case_id] = ev.hash
    # after the heads: a listener that records an event of its own chains it onto this one
    for listener in _LISTENERS:
        listener(ev, session)
    return ev


@dataclass
class _Heads:
    """The chain's heads as this transaction left them: the last event it appended, and
    each case's. Once a transaction has appended, it holds the chain (the advisory lock on
    PostgreSQL, the write lock on SQLite) until it ends, so nobody else can append: its
    own last event *is* the head, and a bulk use case (a sheet of cases: three events a
    row) need not read it back each time. Forgotten at the end of the transaction and at
    the rollback of any savepoint (whose events are gone)."""

    transaction: Any
    last: str | None = None
    cases: dict[int, str] = field(default_factory=dict)


_HEADS = "concord.audit_heads"


def _heads(session: Session) -> _Heads:
    real = session() if callable(session) else session  # db.session: the scoped one
    root = real.get_transaction()
    session = real
    heads = session.info.get(_HEADS)
    if heads is None or heads.transaction is not root:
        heads = session.info[_HEADS] = _Heads(root)
    return heads


@event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_HEADS, None)


@event.listens_for(Session, "after_commit")
def _forget_heads_committed(session: Session) -> None:
    session.info.pop(_HEADS, None)


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
