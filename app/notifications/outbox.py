"""The outbox: use cases queue messages in their own transaction; a worker sends them.

Queuing in the same transaction as the change means a message exists if and only if
the change does. The contact rules of :mod:`app.rules.contact_rules` are applied on the
legal clock (``TIMEZONE``, :func:`app.core.clock.legal_tz`) when the message is planned (a
debtor message gets the first ``due_at`` its kind allows, :mod:`app.rules.message_kinds`) and
again if it is still unsent when quiet hours begin. Together with the ``contact:sent``
and ``contact:failed`` audit events, the outbox rows are the contact log: who, channel,
time, template, outcome.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select, text

from app import audit
from app.audit import AuditAction
from app.config import ConfigurationError, Settings
from app.core import clock, jobs
from app.core.faults import fault_of
from app.core.transaction import in_use_case, use_case
from app.extensions import db
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.notifications import channels, digest, told
from app.rules.contact_rules import DEFAULT_POLICY, ContactPolicy, is_quiet
from app.rules.message_kinds import (
    MessageKind,
    counts_against_cap,
    held_back,
    kind_of,
    planned_delivery,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Attachment:
    """A text file an email carries: an ASCII ``name``, its full media type (e.g.
    ``text/calendar; method=REQUEST``) and its text (sent as UTF-8)."""

    name: str
    media_type: str
    text: str


def contact_policy() -> ContactPolicy:
    """The contact rules reckoned on the legal clock: quiet hours and the local day of the
    daily limit move with ``TIMEZONE`` (:class:`app.config.Settings`)."""
    return replace(DEFAULT_POLICY, tz=clock.legal_tz().key)


def recipient_key(
    *, address: str, case_id: int | None, recipient_user_id: int | None, to_debtor: bool
) -> str:
    """Whom the contact rules count against: the debtor of a case, a user, or an address."""
    if to_debtor:
        if case_id is None:
            raise ValueError("a message to a debtor needs the case it is about")
        return f"debtor:{case_id}"
    if recipient_user_id is not None:
        return f"user:{recipient_user_id}"
    return f"addr:{address}"[:40]


def queue_message(
    *,
    address: str,
    channel: Channel,
    template: str,
    subject: str,
    body: str,
    case_id: int | None = None,
    recipient_user_id: int | None = None,
    to_debtor: bool = False,
    requested_by_recipient: bool = False,
    kind: MessageKind | None = None,
    now: datetime | None = None,
    attachment: Attachment | None = None,
) -> OutboundMessage:
    """Add a message to the outbox in the caller's transaction (flushed, not committed).

    The message's kind (:mod:`app.rules.message_kinds`) is ``kind``, else requested when
    ``requested_by_recipient``, else the kind of its template. A message to a debtor
    (``to_debtor``) is due at the first moment the rules of its kind allow: a requested
    code at once, even in quiet hours (a code delayed to 08:00 would be useless and break
    the flow the debtor started; it is still a logged contact); a case notice at the first
    moment outside quiet hours (21:00–08:00 on the legal clock); outreach outside quiet
    hours and within three outreach contacts a local day across all channels. The
    outreach counted is that debtor's queued and sent outreach on this case and any
    debtor outreach to the same address, so one phone is not contacted three times a day
    per case.

    Messages to anyone else (creditor staff, mediators) are due at once. The text must
    name the organisation and the case: build it with :mod:`app.notifications.texts.common`.
    The message is also noted for the screen (:mod:`app.notifications.told`).
    ``attachment`` (email only) goes with it as a file: a session's .ics invitation.
    """
    if attachment is not None and channel != Channel.EMAIL:
        raise ValueError("only an email carries an attachment")
    now = now or clock.now()
    if kind is None:
        kind = MessageKind.REQUESTED if requested_by_recipient else kind_of(template)
    key = recipient_key(
        address=address, case_id=case_id, recipient_user_id=recipient_user_id, to_debtor=to_debtor
    )
    due_at = now
    if to_debtor and held_back(kind):
        due_at = plan_debtor_contact(key, address, kind, wanted=now)
    message = OutboundMessage(
        case_id=case_id,
        recipient_user_id=recipient_user_id,
        recipient_key=key,
        is_debtor=to_debtor,
        kind=kind,
        channel=channel,
        address=address,
        template=template,
        subject=subject,
        body=body,
        created_at=now,
        due_at=due_at,
        status=OutboxStatus.QUEUED,
        attempts=0,
    )
    if attachment is not None:
        message.attachment_name = attachment.name
        message.attachment_type = attachment.media_type
        message.attachment_text = attachment.text
    db.session.add(message)
    db.session.flush()
    told.note(message)
    if due_at <= now and in_use_case():
        # Due now: the worker sends it right after the commit, not at the next minute
        # (outside a use case, e.g. a script, the every-minute sweep sends it).
        jobs.enqueue("deliver_outbox_now")
    return message


def plan_debtor_contact(
    key: str,
    address: str,
    kind: MessageKind,
    *,
    wanted: datetime,
    exclude_id: int | None = None,
) -> datetime:
    """The earliest allowed delivery of one more message of ``kind`` to this debtor
    (:func:`app.rules.message_kinds.planned_delivery`, on the legal clock)."""
    policy = contact_policy()
    contacts: list[datetime] = []
    if counts_against_cap(kind):
        _lock_recipient(key, address)
        contacts = _debtor_outreach(key, address, wanted, exclude_id, ZoneInfo(policy.tz))
    return planned_delivery(kind, wanted, contacts, policy)


def preview_outreach(recipients: Sequence[tuple[str, str]], wanted: datetime) -> list[datetime]:
    """When each of a batch of outreach messages to debtors — (recipient key, address),
    queued in this order at ``wanted`` — would go out under the contact rules, counting
    each debtor's outreach already queued or sent and the batch's earlier messages.
    Nothing is written: the schedule a bulk send shows before it is confirmed."""
    policy = contact_policy()
    tz = ZoneInfo(policy.tz)
    planned: list[tuple[str, str, datetime]] = []
    for key, address in recipients:
        contacts = _debtor_outreach(key, address, wanted, None, tz)
        contacts += [due for k, a, due in planned if k == key or a == address]
        due = planned_delivery(MessageKind.OUTREACH, wanted, contacts, policy)
        planned.append((key, address, due))
    return [due for _k, _a, due in planned]


def _debtor_outreach(
    key: str, address: str, since: datetime, exclude_id: int | None, tz: ZoneInfo
) -> list[datetime]:
    """Delivery times (sent, else due) of this debtor's outreach from ``since``'s local day
    on: only outreach fills the daily cap."""
    day_start = datetime.combine(since.astimezone(tz).date(), time(0), tzinfo=tz).astimezone(UTC)
    rows = db.session.scalars(
        select(OutboundMessage).where(
            or_(
                OutboundMessage.recipient_key == key,
                OutboundMessage.is_debtor.is_(True) & (OutboundMessage.address == address),
            ),
            OutboundMessage.kind == MessageKind.OUTREACH,
            OutboundMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENT]),
            or_(OutboundMessage.due_at >= day_start, OutboundMessage.sent_at >= day_start),
            OutboundMessage.id != (exclude_id or 0),
        )
    )
    times = (row.sent_at or row.due_at for row in rows)
    return [moment for moment in times if moment >= day_start]


def _lock_recipient(*names: str) -> None:
    """On PostgreSQL, serialise planning per recipient until the caller commits, so two
    concurrent use cases cannot both take the last free slot of a day."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):  # a fixed order: no deadlock between two planners
        digest = hashlib.sha256(f"outbox:{name}".encode()).digest()
        key = int.from_bytes(digest[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


# --- delivery -------------------------------------------------------------------------


def deliver_due(now: datetime | None = None, limit: int = 100) -> int:
    """Send queued messages whose time has come, oldest first; return how many were sent.

    One message per transaction: the loop locks the next due message (``FOR UPDATE SKIP
    LOCKED`` on PostgreSQL, so parallel workers never take the same one) and hands it to
    one step, a use case whose commit releases the lock: :func:`replan_message` when it
    fell into quiet hours, else :func:`deliver_message` (which records a refusal by the
    channel with :func:`record_failure`). A crash can therefore resend at most the message
    in flight. A failed send stays queued with its error and is retried by the next run;
    after five attempts it is marked failed. A channel whose backend is misconfigured is
    skipped for the rest of the run without using up its messages' attempts. SQLite cannot
    lock rows, so on it runs wait for each other instead (:func:`_one_run_at_a_time`).
    ``now`` is the clock, for tests; by default the real time is read for every message.
    """
    with _one_run_at_a_time():
        return _deliver(now, limit, current_app.config["SETTINGS"])


def _deliver(now: datetime | None, limit: int, settings: Settings) -> int:
    tried: set[int] = set()
    broken: set[Channel] = set()
    sent = 0
    for _ in range(limit):
        moment = now or clock.now()
        message = _next_due(moment, tried, broken)
        if message is None:
            break
        tried.add(message.id)
        channel = message.channel  # read now: a rolled-back step expires the message
        if _late_into_quiet_hours(message, moment):
            replan_message(message, moment)
            continue
        held_with = digest.held_notices_with(message)
        tried.update(other.id for other in held_with)
        try:
            if held_with:
                sent += deliver_digest([message, *held_with], moment, settings)
            else:
                sent += deliver_message(message, moment, settings)
        except ConfigurationError:
            broken.add(channel)
            log.exception("outbox: %s backend misconfigured, not sending", channel.value)
    return sent


@contextmanager
def _one_run_at_a_time() -> Iterator[None]:
    """On SQLite, one delivery run at a time per database file, across threads and worker
    processes (``make run`` starts two): without row locks, two runs would send the same
    message twice. ``flock`` is released by the OS if the process dies, so no stale lock."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    path = url.database
    if path.startswith("file:"):  # a URI filename (``?uri=true``, e.g. ``mode=ro``)
        path = path.removeprefix("file:").split("?", 1)[0]
    with open(f"{path}.outbox-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _next_due(
    moment: datetime, tried: Collection[int], broken: Collection[Channel]
) -> OutboundMessage | None:
    """The oldest due message, locked (on PostgreSQL) until the step given it ends."""
    stmt = (
        select(OutboundMessage)
        .where(OutboundMessage.status == OutboxStatus.QUEUED, OutboundMessage.due_at <= moment)
        .order_by(OutboundMessage.due_at, OutboundMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if tried:
        stmt = stmt.where(OutboundMessage.id.not_in(tried))
    if broken:
        stmt = stmt.where(OutboundMessage.channel.not_in(broken))
    return db.session.scalar(stmt)


def _late_into_quiet_hours(message: OutboundMessage, moment: datetime) -> bool:
    """A debtor message planned for allowed hours but still unsent when quiet hours begin
    (a retry, or a worker that was down). A requested code goes whatever the hour."""
    if not message.is_debtor or not held_back(message.kind):
        return False
    policy = contact_policy()
    return is_quiet(moment, policy) and not is_quiet(message.due_at, policy)


@use_case
def replan_message(message: OutboundMessage, moment: datetime) -> None:
    """Move a debtor message that fell into quiet hours to the next allowed moment."""
    message.due_at = plan_debtor_contact(
        message.recipient_key,
        message.address,
        message.kind,
        wanted=moment,
        exclude_id=message.id,
    )
    log.info("outbox: message %s moved out of quiet hours to %s", message.id, message.due_at)


@use_case
def deliver_message(message: OutboundMessage, moment: datetime, settings: Settings) -> int:
    """Hand one due message to its channel and mark it sent (1), or record the channel's
    refusal as a failed attempt (0) while the message is still locked. A misconfigured
    backend (``ConfigurationError``) or a fault of our machine (a full disk,
    :mod:`app.core.faults`) rolls back: the message keeps its attempts."""
    try:
        channels.send(message, settings)
    except ConfigurationError:
        raise
    except Exception as exc:  # any refusal by the channel: keep the message, retry later
        if fault_of(exc) is not None:
            raise  # our full disk, not the channel's refusal: no attempt used, tried later
        record_failure(message, exc)
        return 0
    message.status = OutboxStatus.SENT
    message.sent_at = moment
    message.attempts += 1
    message.error = None
    if message.is_debtor:
        _audit_contact(AuditAction.CONTACT_SENT, message)
    return 1


@use_case
def deliver_digest(notices: list[OutboundMessage], moment: datetime, settings: Settings) -> int:
    """Send held case notices due at the same moment as one digest
    (:mod:`app.notifications.digest`): on success the digest is the sent contact and each
    notice is marked merged into it; a refusal by the channel counts an attempt on each
    notice and keeps them queued (the digest is not kept)."""
    carrier = digest.carrier_for(notices, moment, settings.public_url)
    try:
        channels.send(carrier, settings)
    except ConfigurationError:
        raise
    except Exception as exc:
        if fault_of(exc) is not None:
            raise
        db.session.delete(carrier)
        for notice in notices:
            record_failure(notice, exc)
        return 0
    carrier.status = OutboxStatus.SENT
    carrier.sent_at = moment
    carrier.attempts = 1
    for notice in notices:
        notice.status = OutboxStatus.MERGED
        notice.merged_into_id = carrier.id
        notice.sent_at = moment
        notice.error = None
    _audit_contact(AuditAction.CONTACT_SENT, carrier)
    return 1


@use_case
def record_failure(message: OutboundMessage, exc: Exception) -> None:
    """Count a failed attempt; the fifth one marks the message failed (and, for a debtor,
    logs the contact that did not happen)."""
    message.attempts += 1
    message.error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("outbox: message %s attempt %s failed: %s", message.id, message.attempts, exc)
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        if message.is_debtor:
            _audit_contact(AuditAction.CONTACT_FAILED, message)


def _audit_contact(action: AuditAction, message: OutboundMessage) -> None:
    """The contact log entry. The address stays out: the chain cannot forget it (PIPL)."""
    audit.record(
        action,
        actor=None,
        object_type="outbound_message",
        object_id=message.id,
        case_id=message.case_id,
        data={
            "recipient": message.recipient_key,
            "channel": message.channel.value,
            "template": message.template,
            "due_at": _iso(message.due_at),
            "sent_at": _iso(message.sent_at),
            "attempts": message.attempts,
        },
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None
