"""The contact record of a case: every contact a mediator or the creditor's staff had
with a party, checked against the contact rules (:mod:`app.rules.contact_log`), with its
recording (stored and hashed like evidence, :mod:`app.cases.evidence`), and the parties'
complaints about contacts or conduct, answered by the mediation organisation's admin.

Who sees what (PIPL Arts. 44–45: a person may know how their information is processed;
人民调解法 Art. 15(4): a mediator keeps what parties tell in confidence):

- the case's mediator and the organisation's admin see every logged contact;
- the creditor's staff see the contacts their organisation logged, never the mediator's;
- the debtor sees every contact made with them or their agent, whoever logged it
  (including the creditor's), not the contacts with other people;
- the product's own messages (the outbox) are shown read-only to the mediator, the admin
  and the debtor they went to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, func, literal, or_, select, union_all
from sqlalchemy import case as when
from sqlalchemy.orm import selectinload

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput, Refused
from app.core.storage import blob_store, max_upload_bytes, sniff_recording
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import Complaint, ComplaintStatus, ContactRecord
from app.models.notifications import OutboundMessage, OutboxStatus
from app.models.users import Role, User
from app.notifications.centre import notify_user
from app.notifications.outbox import contact_policy
from app.rules.contact_log import (
    RECORDABLE,
    ContactChannel,
    Counterpart,
    Direction,
    Flag,
    Outcome,
    complaint_due,
    contact_flags,
    is_outreach,
)
from app.rules.message_kinds import MessageKind

MAX_SUMMARY = 500
MAX_REASON = 1000
MAX_COMPLAINT = 2000
MAX_DURATION_MINUTES = 600
# A contact is logged after it happened; a clock a few minutes ahead is tolerated.
FUTURE_TOLERANCE = timedelta(minutes=5)


class ContactRefused(InvalidInput):
    messages = {
        "reason_required": _l(
            "This contact breaks the contact rules (%(flags)s). Log it with a written reason."
        ),
        "future": _l("A contact is logged after it happened: the time cannot be in the future."),
        "name_required": _l("Say whom the contact was with."),
        "duration": _l("Enter the duration in whole minutes, from 0 to 600."),
        "creditor_side": _l("Contacts with the creditor are logged by the mediator."),
        "consent_channel": _l("Only calls, video sessions and meetings can be recorded."),
        "unknown_contact": _l("Choose a contact of this case."),
    }


class RecordingRefused(Refused):
    messages = {
        "no_consent": _l(
            "The party did not consent to being recorded at the start of this contact: no "
            "recording can be added."
        ),
        "recording_exists": _l("This contact already has its recording; it is never replaced."),
        "not_recordable": _l("Only calls, video sessions and meetings have recordings."),
    }


class ComplaintRefused(Refused):
    messages = {
        "answered": _l("This complaint has already been answered."),
    }


FLAG_LABELS = {
    Flag.QUIET_HOURS: _l("in quiet hours (21:00–08:00)"),
    Flag.DAILY_CAP: _l("more than three outreach contacts that day"),
    Flag.WRONG_PERSON: _l("with someone other than the debtor, a guarantor or their agent"),
}


@dataclass(frozen=True)
class ContactDraft:
    counterpart: Counterpart
    direction: Direction
    channel: ContactChannel
    occurred_at: datetime
    outcome: Outcome
    summary: str
    counterpart_name: str = ""
    duration_minutes: int | None = None
    # asked at the start of a call or session: None not asked, else the answer
    recording_consent: bool | None = None
    reason: str = ""


def debtor_key(case: Case) -> str:
    """Whom the compliance view's contacts per day are grouped by: the debtor's phone as
    the creditor gave it (set before the debtor has an account), else their account, else
    the case."""
    if case.debtor_phone:
        return f"phone:{case.debtor_phone}"[:40]
    if case.debtor_user_id is not None:
        return f"user:{case.debtor_user_id}"
    return f"case:{case.id}"


def _debtor_cases(case: Case) -> list[int]:
    same = [Case.id == case.id]
    if case.debtor_user_id is not None:
        same.append(Case.debtor_user_id == case.debtor_user_id)
    if case.debtor_phone:
        same.append(Case.debtor_phone == case.debtor_phone)
    return list(db.session.scalars(select(Case.id).where(or_(*same))))


def outreach_that_day(case: Case, day: date, exclude_id: int | None = None) -> int:
    """The debtor's outreach on the legal-clock ``day``: logged outbound contacts with
    the debtor's side on any of their cases (the same account or phone), and the outbox's
    outreach sent or due that day."""
    cases = _debtor_cases(case)
    logged = db.session.scalar(
        select(func.count(ContactRecord.id)).where(
            ContactRecord.case_id.in_(cases),
            ContactRecord.local_day == day,
            ContactRecord.is_outreach.is_(True),
            ContactRecord.id != (exclude_id or 0),
        )
    )
    tz = clock.legal_tz()
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = start + timedelta(days=1)
    keys = [f"debtor:{case_id}" for case_id in cases]
    addresses = [a for a in (case.debtor_phone, case.debtor_email) if a]
    at = func.coalesce(OutboundMessage.sent_at, OutboundMessage.due_at)
    sent = db.session.scalar(
        select(func.count(OutboundMessage.id)).where(
            or_(
                OutboundMessage.recipient_key.in_(keys),
                OutboundMessage.is_debtor.is_(True) & OutboundMessage.address.in_(addresses),
            ),
            OutboundMessage.kind == MessageKind.OUTREACH,
            OutboundMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENT]),
            at >= start,
            at < end,
        )
    )
    return int(logged or 0) + int(sent or 0)


def flags_for(case: Case, draft: ContactDraft) -> list[Flag]:
    """The contact rules ``draft`` would break if logged on ``case``."""
    day = clock.local(draft.occurred_at).date()
    return contact_flags(
        moment=draft.occurred_at,
        direction=draft.direction,
        channel=draft.channel,
        counterpart=draft.counterpart,
        other_outreach_that_day=outreach_that_day(case, day),
        policy=contact_policy(),
    )


def flag_words(flags: list[Flag] | list[str]) -> str:
    return "; ".join(str(FLAG_LABELS[Flag(f)]) for f in flags)


def _check(actor: User, draft: ContactDraft) -> None:
    if draft.occurred_at.tzinfo is None:
        raise ValueError("naive datetime: contact times must be timezone-aware")
    if draft.occurred_at > clock.now() + FUTURE_TOLERANCE:
        raise ContactRefused("future", "occurred_at")
    if not draft.summary.strip():
        raise ContactRefused("required", "summary")
    if len(draft.summary.strip()) > MAX_SUMMARY:
        raise ContactRefused("too_long", "summary")
    if draft.counterpart in (Counterpart.OTHER,) and not draft.counterpart_name.strip():
        raise ContactRefused("name_required", "counterpart_name")
    if draft.counterpart == Counterpart.CREDITOR and actor.role != Role.MEDIATOR:
        raise ContactRefused("creditor_side", "counterpart")
    minutes = draft.duration_minutes
    if minutes is not None and not 0 <= minutes <= MAX_DURATION_MINUTES:
        raise ContactRefused("duration", "duration")
    if draft.recording_consent is not None and draft.channel not in RECORDABLE:
        raise ContactRefused("consent_channel", "consent")


@use_case
def log_contact(actor: User, case: Case, draft: ContactDraft) -> ContactRecord:
    """Record one contact. One that breaks a contact rule is kept, flagged, only with a
    written reason: the product cannot stop a call but makes the breach visible."""
    _check(actor, draft)
    flags = flags_for(case, draft)
    reason = draft.reason.strip()[:MAX_REASON]
    if flags and not reason:
        raise ContactRefused("reason_required", "reason", flags=flag_words(flags))
    record = ContactRecord(
        case_id=case.id,
        mediation_org_id=case.mediation_org_id,
        creditor_org_id=actor.creditor_org_id if actor.role == Role.CREDITOR else None,
        logged_by_id=actor.id,
        counterpart=draft.counterpart,
        counterpart_name=draft.counterpart_name.strip()[:100],
        direction=draft.direction,
        channel=draft.channel,
        occurred_at=draft.occurred_at.astimezone(UTC),
        local_day=clock.local(draft.occurred_at).date(),
        debtor_key=debtor_key(case),
        duration_seconds=None if draft.duration_minutes is None else draft.duration_minutes * 60,
        outcome=draft.outcome,
        summary=draft.summary.strip(),
        is_outreach=is_outreach(draft.direction, draft.counterpart),
        recording_consent=draft.recording_consent,
        # asked and answered at the start of the contact
        consent_at=draft.occurred_at if draft.recording_consent is not None else None,
        flag_quiet_hours=Flag.QUIET_HOURS in flags,
        flag_daily_cap=Flag.DAILY_CAP in flags,
        flag_wrong_person=Flag.WRONG_PERSON in flags,
        flagged=bool(flags),
        flag_reason=reason or None,
        logged_at=clock.now(),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.CASE_CONTACT_LOG,
        actor=actor,
        object_type="contact",
        object_id=record.id,
        case_id=case.id,
        data={
            "channel": draft.channel.value,
            "direction": draft.direction.value,
            "counterpart": draft.counterpart.value,
            "occurred_at": record.occurred_at.isoformat(),
            "outcome": draft.outcome.value,
            "flags": [f.value for f in flags],
            "consent": draft.recording_consent,
        },
    )
    return record


def contact_of(case: Case, contact_id: int | None) -> ContactRecord | None:
    if contact_id is None:
        return None
    record = db.session.get(ContactRecord, contact_id)
    return record if record is not None and record.case_id == case.id else None


def may_add_recording(viewer: User, record: ContactRecord) -> bool:
    return record.recording_sha256 is None and (
        record.logged_by_id == viewer.id or record.case.mediator_id == viewer.id
    )


@use_case
def add_recording(
    actor: User, record: ContactRecord, stream: BinaryIO, original_name: str
) -> ContactRecord:
    """Store the recording of a call or session (audio or video by content, within the
    upload limit), only if the party consented at its start; set once, never replaced."""
    if record.channel not in RECORDABLE:
        raise RecordingRefused("not_recordable", "file")
    if record.recording_consent is not True:
        raise RecordingRefused("no_consent", "file")
    if record.recording_sha256 is not None:
        raise RecordingRefused("recording_exists", "file")
    blob = blob_store().put(stream, max_upload_bytes(), sniff_recording, "recording_type")
    record.recording_sha256 = blob.sha256
    record.recording_size = blob.size
    record.recording_media_type = blob.media_type
    record.recording_name = (original_name or "recording").strip()[:255]
    record.recording_at = clock.now()
    audit.record(
        AuditAction.CASE_CONTACT_RECORDING,
        actor=actor,
        object_type="contact",
        object_id=record.id,
        case_id=record.case_id,
        data={"sha256": blob.sha256, "size": blob.size, "media_type": blob.media_type},
    )
    return record


@use_case
def record_recording_download(actor: User, record: ContactRecord) -> None:
    audit.record(
        AuditAction.CASE_CONTACT_RECORDING_DOWNLOAD,
        actor=actor,
        object_type="contact",
        object_id=record.id,
        case_id=record.case_id,
        data={"sha256": record.recording_sha256},
    )


def visible_contacts(case: Case, viewer: User) -> list[ContactRecord]:
    """The logged contacts of ``case`` that ``viewer`` may see (see the module's notes)."""
    query = select(ContactRecord).where(ContactRecord.case_id == case.id)
    if viewer.role == Role.CREDITOR:
        query = query.where(ContactRecord.creditor_org_id == viewer.creditor_org_id)
    elif viewer.role == Role.DEBTOR:
        query = query.where(
            ContactRecord.counterpart.in_([Counterpart.DEBTOR, Counterpart.DEBTOR_AGENT])
        )
    elif viewer.role == Role.MEDIATOR and case.mediator_id != viewer.id:
        return []
    query = query.options(selectinload(ContactRecord.logged_by))
    return list(db.session.scalars(query.order_by(ContactRecord.occurred_at.desc())))


def product_messages(case: Case, viewer: User) -> list[OutboundMessage]:
    """The product's own messages to the debtor of ``case`` (read-only in the history)."""
    if viewer.role == Role.CREDITOR:
        return []
    return list(
        db.session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.case_id == case.id, OutboundMessage.is_debtor.is_(True))
            .order_by(OutboundMessage.due_at.desc())
            .limit(200)
        )
    )


# --- complaints ---------------------------------------------------------------------


@use_case
def file_complaint(actor: User, case: Case, text: str, contact_id: int | None) -> Complaint:
    """A party's complaint about a contact (one they can see) or about conduct; the
    organisation answers within :data:`app.rules.contact_log.COMPLAINT_DAYS` days."""
    body = text.strip()
    if not body:
        raise ContactRefused("required", "text")
    if len(body) > MAX_COMPLAINT:
        raise ContactRefused("too_long", "text")
    contact = None
    if contact_id is not None:
        contact = contact_of(case, contact_id)
        if contact is None or contact not in visible_contacts(case, actor):
            raise ContactRefused("unknown_contact", "contact_id")
    complaint = Complaint(
        case_id=case.id,
        mediation_org_id=case.mediation_org_id,
        complainant_id=actor.id,
        contact_id=contact.id if contact else None,
        text=body,
        filed_at=clock.now(),
        due_on=complaint_due(clock.today()),
        status=ComplaintStatus.OPEN,
    )
    db.session.add(complaint)
    db.session.flush()
    audit.record(
        AuditAction.CASE_COMPLAINT_FILE,
        actor=actor,
        object_type="complaint",
        object_id=complaint.id,
        case_id=case.id,
        data={"contact": complaint.contact_id, "due_on": complaint.due_on.isoformat()},
    )
    admins = db.session.scalars(
        select(User.id).where(
            User.role == Role.ADMIN,
            User.mediation_org_id == case.mediation_org_id,
            User.is_locked.is_(False),
        )
    )
    for admin_id in admins:
        notify_user(
            admin_id,
            case_id=case.id,
            template="complaint_filed",
            title=f"【{case.mediation_org.name}】案件 {case.reference} 收到投诉",
            body=f"请于 {_cn_date(complaint.due_on)}前书面答复。",
            link=f"/compliance#complaint-{complaint.id}",
        )
    return complaint


@use_case
def answer_complaint(actor: User, complaint: Complaint, answer: str) -> Complaint:
    body = answer.strip()
    if not body:
        raise ContactRefused("required", "answer")
    if len(body) > MAX_COMPLAINT:
        raise ContactRefused("too_long", "answer")
    if complaint.status != ComplaintStatus.OPEN:
        raise ComplaintRefused("answered")
    complaint.status = ComplaintStatus.ANSWERED
    complaint.answer = body
    complaint.answered_by_id = actor.id
    complaint.answered_at = clock.now()
    audit.record(
        AuditAction.CASE_COMPLAINT_ANSWER,
        actor=actor,
        object_type="complaint",
        object_id=complaint.id,
        case_id=complaint.case_id,
        data={"late": clock.today() > complaint.due_on},
    )
    org, ref = complaint.case.mediation_org.name, complaint.case.reference
    notify_user(
        complaint.complainant_id,
        case_id=complaint.case_id,
        template="complaint_answered",
        title=f"【{org}】您对案件 {ref} 的投诉已答复",
        body=body,
        link=f"/cases/{complaint.case_id}/contact-log#complaint-{complaint.id}",
    )
    return complaint


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def complaints_for(case: Case, viewer: User) -> list[Complaint]:
    """The admin sees every complaint on the case; a party sees the ones they filed."""
    query = select(Complaint).where(Complaint.case_id == case.id)
    if viewer.role != Role.ADMIN:
        query = query.where(Complaint.complainant_id == viewer.id)
    return list(db.session.scalars(query.order_by(Complaint.filed_at.desc())))


# --- the compliance view ------------------------------------------------------------


def compliance(viewer: User, today: date | None = None) -> dict[str, Any]:
    """Flagged contacts, complaints and the contacts per debtor per day, aggregated in
    SQL: the mediation organisation's for its admin, its own staff's for a creditor."""
    today = today or clock.today()
    if viewer.role == Role.ADMIN:
        scope = ContactRecord.mediation_org_id == viewer.mediation_org_id
        complaint_scope = Complaint.mediation_org_id == viewer.mediation_org_id
    else:
        scope = ContactRecord.creditor_org_id == viewer.creditor_org_id
        complaint_scope = Complaint.contact_id.in_(select(ContactRecord.id).where(scope))
    flag_counts = db.session.execute(
        select(
            func.count(ContactRecord.id),
            func.coalesce(func.sum(when((ContactRecord.flagged, 1), else_=0)), 0),
            func.coalesce(func.sum(when((ContactRecord.flag_quiet_hours, 1), else_=0)), 0),
            func.coalesce(func.sum(when((ContactRecord.flag_daily_cap, 1), else_=0)), 0),
            func.coalesce(func.sum(when((ContactRecord.flag_wrong_person, 1), else_=0)), 0),
        ).where(scope)
    ).one()
    is_open = Complaint.status == ComplaintStatus.OPEN
    complaint_counts = db.session.execute(
        select(
            func.coalesce(func.sum(when((is_open, 1), else_=0)), 0),
            func.coalesce(func.sum(when((is_open & (Complaint.due_on < today), 1), else_=0)), 0),
            func.coalesce(func.sum(when((is_open, 0), else_=1)), 0),
        ).where(complaint_scope)
    ).one()
    per_day = outreach_days(viewer, scope).subquery()
    counted = (
        select(per_day.c.key, per_day.c.day, func.count().label("n"))
        .group_by(per_day.c.key, per_day.c.day)
        .subquery()
    )
    distribution = db.session.execute(
        select(counted.c.n, func.count()).group_by(counted.c.n).order_by(counted.c.n)
    ).all()
    flagged = db.session.scalars(
        select(ContactRecord)
        .options(selectinload(ContactRecord.case), selectinload(ContactRecord.logged_by))
        .where(scope, ContactRecord.flagged.is_(True))
        .order_by(ContactRecord.occurred_at.desc())
        .limit(200)
    ).all()
    complaints = db.session.scalars(
        select(Complaint)
        .options(selectinload(Complaint.case))
        .where(complaint_scope)
        .order_by(is_open.desc(), Complaint.due_on, Complaint.id)
        .limit(200)
    ).all()
    return {
        "contacts": int(flag_counts[0]),
        "flagged": int(flag_counts[1]),
        "by_flag": {
            "quiet_hours": int(flag_counts[2]),
            "daily_cap": int(flag_counts[3]),
            "wrong_person": int(flag_counts[4]),
        },
        "complaints_open": int(complaint_counts[0]),
        "complaints_overdue": int(complaint_counts[1]),
        "complaints_answered": int(complaint_counts[2]),
        "distribution": [(int(n), int(days)) for n, days in distribution],
        "flagged_rows": list(flagged),
        "complaint_rows": list(complaints),
        "today": today,
    }


def outreach_days(viewer: User, scope: Any, since: date | None = None) -> Any:
    """One row (debtor, legal-clock day) per outreach contact: the logged ones and, on the
    organisation's view, the outbox's outreach sent to the debtors of its cases; only
    from the day ``since`` when given."""
    logged = select(
        ContactRecord.debtor_key.label("key"), ContactRecord.local_day.label("day")
    ).where(scope, ContactRecord.is_outreach.is_(True))
    if since is not None:
        logged = logged.where(ContactRecord.local_day >= since)
    if viewer.role != Role.ADMIN:
        return logged
    key = func.coalesce(
        literal("phone:") + Case.debtor_phone,
        literal("user:") + cast(Case.debtor_user_id, String),
        literal("case:") + cast(Case.id, String),
    )
    sent = (
        select(key.label("key"), _local_day(OutboundMessage.sent_at).label("day"))
        .join(Case, Case.id == OutboundMessage.case_id)
        .where(
            Case.mediation_org_id == viewer.mediation_org_id,
            OutboundMessage.is_debtor.is_(True),
            OutboundMessage.kind == MessageKind.OUTREACH,
            OutboundMessage.status == OutboxStatus.SENT,
        )
    )
    if since is not None:
        start = datetime.combine(since, time(0), clock.legal_tz()).astimezone(UTC)
        sent = sent.where(OutboundMessage.sent_at >= start)
    return union_all(logged, sent)


def _local_day(column: Any) -> Any:
    """The legal-clock date of a stored instant, in SQL. SQLite has no time zones: the
    zone's present offset is used (Asia/Shanghai has had no daylight saving since 1991)."""
    tz = clock.legal_tz()
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, column))
    offset = datetime.now(tz).utcoffset() or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def complaint_in_scope(viewer: User, complaint_id: int) -> Complaint | None:
    """The complaint, if ``viewer`` (an admin) handles it: their organisation's."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or viewer.role != Role.ADMIN:
        return None
    return complaint if complaint.mediation_org_id == viewer.mediation_org_id else None
