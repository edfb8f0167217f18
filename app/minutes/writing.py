"""Writing the mediation record (调解笔录, 人民调解法 Art. 27): the mediator writes it from
a held session's contact record, may change it until it is confirmed, and sends it to the
parties; the worker renders it, certifies it with the organisation's key (one empty
signature field per signer) and opens it for signing. A change after it was sent is a
new version: the earlier content is kept and signatures on it no longer count."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from app import audit
from app.audit import AuditAction
from app.core import clock, jobs
from app.core.faults import fault_of
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.documents.signing import FieldSpec, certify
from app.extensions import db
from app.minutes.common import (
    OBJECT_TYPE,
    RecordInvalid,
    RecordRefused,
    record_for_contact,
    signed_roles,
)
from app.minutes.content import record_context
from app.models.agreements import DocumentKind
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord, RecordStatus
from app.models.users import User
from app.notifications.recipients import notify_accounts
from app.rules.minutes import SIGNERS, RecordContent, content_problems, is_held_session

log = logging.getLogger(__name__)

# One record per session: two "write the record" clicks at the same moment.
conflict_on("uq_mediation_records_contact_record_id")


def content_json(content: RecordContent) -> dict[str, Any]:
    return {
        "started_at": content.started_at.isoformat(),
        "ended_at": content.ended_at.isoformat(),
        "place": content.place.strip(),
        "participants": [
            {"name": p.name.strip(), "role": p.role.strip()} for p in content.participants
        ],
        "debtor_statement": content.debtor_statement.strip(),
        "creditor_statement": content.creditor_statement.strip(),
        "agreed": content.agreed.strip(),
        "not_agreed": content.not_agreed.strip(),
    }


def stored_content(record: MediationRecord) -> dict[str, Any]:
    return {
        "started_at": record.started_at.isoformat(),
        "ended_at": record.ended_at.isoformat(),
        "place": record.place,
        "participants": list(record.participants),
        "debtor_statement": record.debtor_statement,
        "creditor_statement": record.creditor_statement,
        "agreed": record.agreed,
        "not_agreed": record.not_agreed,
    }


def _digest(content: dict[str, Any]) -> str:
    """A fingerprint of the content for the audit log, which never carries what the
    parties said (人民调解法 Art. 15: the mediator keeps it in confidence)."""
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _checked(content: RecordContent) -> None:
    problems = content_problems(content, clock.now())
    if problems:
        field, code = next(iter(problems.items()))
        raise RecordInvalid(code, field)


def _apply(record: MediationRecord, values: dict[str, Any], content: RecordContent) -> None:
    record.started_at = content.started_at
    record.ended_at = content.ended_at
    record.place = values["place"]
    record.participants = values["participants"]
    record.debtor_statement = values["debtor_statement"]
    record.creditor_statement = values["creditor_statement"]
    record.agreed = values["agreed"]
    record.not_agreed = values["not_agreed"]
    record.updated_at = clock.now()


@use_case
def create_record(
    actor: User, case: Case, contact: ContactRecord, content: RecordContent
) -> MediationRecord:
    """The mediator writes the record of a session held by phone, video or in person on
    this case. A session has one record."""
    held = is_held_session(contact.channel, contact.outcome, contact.creditor_org_id is None)
    if contact.case_id != case.id or not held:
        raise RecordRefused("not_a_session")
    if record_for_contact(contact) is not None:
        raise RecordRefused("record_exists")
    _checked(content)
    values = content_json(content)
    record = MediationRecord(
        case_id=case.id,
        contact_record_id=contact.id,
        version=1,
        status=RecordStatus.DRAFT,
        history=[],
        written_by_id=actor.id,
        written_at=clock.now(),
    )
    _apply(record, values, content)
    db.session.add(record)
    db.session.flush()
    audit.record(
        AuditAction.CASE_RECORD_CREATE,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={"contact": contact.id, "channel": contact.channel.value, "digest": _digest(values)},
    )
    return record


@use_case
def edit_record(
    actor: User, case: Case, record: MediationRecord, content: RecordContent
) -> MediationRecord:
    """The mediator corrects the record until it is confirmed. A draft changes in place;
    a record already sent to the parties becomes a new version, back to draft: its
    earlier content is kept (``history``) and the signatures given on it lapse."""
    if record.status == RecordStatus.CONFIRMED:
        raise RecordRefused("confirmed")
    _checked(content)
    claim(record)
    values = content_json(content)
    lapsed = sorted(signed_roles(record))
    new_version = record.status != RecordStatus.DRAFT
    if new_version:
        earlier = {
            "version": record.version,
            "content": stored_content(record),
            "sha256": record.current_sha256,
            "signed": lapsed,
        }
        record.history = [*record.history, earlier]
        record.version += 1
        record.status = RecordStatus.DRAFT
        record.base_sha256 = record.current_sha256 = None
        record.render_error = None
    _apply(record, values, content)
    audit.record(
        AuditAction.CASE_RECORD_EDIT,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={
            "version": record.version,
            "new_version": new_version,
            "signatures_lapsed": lapsed,
            "digest": _digest(values),
        },
    )
    return record


@use_case
def submit_record(actor: User, case: Case, record: MediationRecord) -> MediationRecord:
    """The mediator sends the record for confirmation: the worker renders and certifies
    it, then the parties are asked to sign. One that failed is sent again; so is one still
    being prepared (a worker lost meanwhile): a second rendering of the same version is
    not stored twice (:func:`render_record`)."""
    if record.status not in (RecordStatus.DRAFT, RecordStatus.FAILED, RecordStatus.RENDERING):
        raise RecordRefused("not_submittable")
    again = record.status != RecordStatus.DRAFT
    claim(record)
    record.status = RecordStatus.RENDERING
    record.render_error = None
    audit.record(
        AuditAction.CASE_RECORD_SUBMIT,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={
            "version": record.version,
            "again": again,
            "digest": _digest(stored_content(record)),
        },
    )
    jobs.enqueue("render_record_task", record.id)
    return record


@use_case
def render_record(record_id: int) -> None:
    """Worker: render, certify and store the version, then ask the parties to sign. A
    record no longer waiting is left alone; one changed while it rendered is not stored
    (the version check refuses the write with ``Conflict``); a failure marks it failed
    for the mediator to send again."""
    record = db.session.get(MediationRecord, record_id)
    if record is None or record.status != RecordStatus.RENDERING:
        return
    case = db.session.get(Case, record.case_id)
    assert case is not None
    try:
        data = _certified_pdf(case, record)
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        if fault_of(err) is not None:
            raise  # a full disk or a read-only database: the task is tried again later
        log.exception("mediation record %s failed to render", record_id)
        record.status = RecordStatus.FAILED
        record.render_error = type(err).__name__
        return
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.MEDIATION_RECORD,
        case=case,
        version=record.version,
        stage=f"certified:record-{record.id}",
    )
    record.base_sha256 = record.current_sha256 = sha
    record.status = RecordStatus.AWAITING
    audit.record(
        AuditAction.CASE_RECORD_RENDER,
        actor=None,
        object_type=OBJECT_TYPE,
        object_id=record.id,
        case_id=case.id,
        data={"version": record.version, "sha256": sha, "bytes": len(data)},
    )
    tell_parties(case, record, "record_to_confirm")


def tell_parties(case: Case, record: MediationRecord, template: str) -> None:
    """The parties (and, once confirmed, the mediator) in their notification centre: not
    an outbound contact, so at once and outside the contact rules."""
    org, ref = case.mediation_org.name, case.reference
    when = clock.local(record.started_at)
    day = f"{when.year}年{when.month}月{when.day}日"
    if template == "record_to_confirm":
        title = f"【{org}】案件 {ref} {day}调解的笔录请您核对签名"
        body = "调解员已制作调解笔录，请核对内容无误后签名确认。"
    else:
        title = f"【{org}】案件 {ref} {day}调解的笔录已确认"
        body = "各方已在调解笔录上签名，笔录已归入案卷。"
    roles = {"debtor", "creditor"} if template == "record_to_confirm" else set(SIGNERS)
    notify_accounts(
        case,
        template,
        lambda _channel: (title, body),
        roles=roles,
        link=f"/cases/{case.id}/records/{record.id}",
    )


def _certified_pdf(case: Case, record: MediationRecord) -> bytes:
    """The version as a certified PDF with an empty signature field for each signer."""
    # WeasyPrint loads only in the worker (see app.agreements.rendering).
    from app.documents.render import render_pdf

    rendered = render_pdf("mediation_record.html", record_context(case, record))
    fields = [
        FieldSpec(name=f"sig-{role}", page=a.page, box=(a.x1, a.y1, a.x2, a.y2))
        for role in SIGNERS
        if (a := rendered.anchors.get(f"sig-{role}")) is not None
    ]
    return certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=fields,
        title=f"调解笔录 {case.reference} 第{record.version}版",
        timestamper=documents.timestamper(),
    )
