"""The contact record of a case (:mod:`app.cases.contact_log`): the history page with
the form to log a contact and to file a complaint, the recordings, the case-page section,
and the compliance view of the organisation's admin (and of a creditor's staff)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.cases import contact_log as service
from app.core import clock, prg
from app.core.errors import DomainError
from app.core.storage import max_upload_bytes, send_blob
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.contact_log import (
    COMPLAINT_DAYS,
    RECORDABLE,
    ContactChannel,
    Counterpart,
    Direction,
    Outcome,
)

bp = Blueprint("contact_log", __name__)

# Links a later feature adds to logged contacts (the session record of a held session,
# app.minutes): ``provider(case, viewer, contacts)`` → {contact id: [(label, url)]}.
RowLinks = Callable[[Case, User, list[ContactRecord]], dict[int, list[tuple[str, str]]]]
_ROW_LINKS: list[RowLinks] = []


def on_contact_rows(provider: RowLinks) -> RowLinks:
    """Register a provider of links for the contact history's rows (by the app factory)."""
    if provider not in _ROW_LINKS:
        _ROW_LINKS.append(provider)
    return provider


CHANNELS = {
    ContactChannel.PHONE: _l("Phone"),
    ContactChannel.VIDEO: _l("Video"),
    ContactChannel.SMS: _l("SMS"),
    ContactChannel.EMAIL: _l("E-mail"),
    ContactChannel.IN_PERSON: _l("In person"),
    ContactChannel.LETTER: _l("Letter"),
}
DIRECTIONS = {
    Direction.OUTBOUND: _l("We contacted them"),
    Direction.INBOUND: _l("They contacted us"),
}
COUNTERPARTS = {
    Counterpart.DEBTOR: _l("The debtor"),
    Counterpart.DEBTOR_AGENT: _l("The debtor's authorised agent"),
    Counterpart.GUARANTOR: _l("A guarantor"),
    Counterpart.CREDITOR: _l("The creditor"),
    Counterpart.OTHER: _l("Someone else (relative, employer …)"),
}
OUTCOMES = {
    Outcome.REACHED: _l("Reached"),
    Outcome.NO_ANSWER: _l("No answer"),
    Outcome.WRONG_NUMBER: _l("Wrong number"),
    Outcome.REFUSED: _l("Refused to talk"),
}
CONSENTS = {
    "": _l("Not asked (no recording)"),
    "yes": _l("Asked at the start: consented to being recorded"),
    "no": _l("Asked at the start: refused to be recorded"),
}


def _user() -> User:
    return current_user._get_current_object()


def _case(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _page(case: Case) -> str:
    return url_for("contact_log.index", case_id=case.id)


def _choice(enum: type, name: str) -> Any:
    raw = request.form.get(name, "")
    try:
        return enum(raw)
    except ValueError:
        raise service.ContactRefused("choice", name) from None


def _draft() -> service.ContactDraft:
    raw_time = request.form.get("occurred_at", "").strip()
    try:
        occurred = datetime.fromisoformat(raw_time)
    except ValueError:
        raise service.ContactRefused("invalid", "occurred_at") from None
    if occurred.tzinfo is None:  # typed on the legal clock
        occurred = occurred.replace(tzinfo=clock.legal_tz())
    raw_minutes = request.form.get("duration", "").strip()
    minutes = None
    if raw_minutes:
        if not raw_minutes.isdigit():
            raise service.ContactRefused("duration", "duration")
        minutes = int(raw_minutes)
    consent = {"": None, "yes": True, "no": False}.get(request.form.get("consent", ""))
    return service.ContactDraft(
        counterpart=_choice(Counterpart, "counterpart"),
        direction=_choice(Direction, "direction"),
        channel=_choice(ContactChannel, "channel"),
        occurred_at=occurred,
        outcome=_choice(Outcome, "outcome"),
        summary=request.form.get("summary", ""),
        counterpart_name=request.form.get("counterpart_name", ""),
        duration_minutes=minutes,
        recording_consent=consent,
        reason=request.form.get("reason", ""),
    )


def _contact_row(record: ContactRecord, viewer: User) -> dict[str, Any]:
    return {
        "kind": "logged",
        "id": record.id,
        "at": record.occurred_at,
        "channel": CHANNELS[record.channel],
        "direction": DIRECTIONS[record.direction],
        "counterpart": COUNTERPARTS[record.counterpart],
        "counterpart_name": record.counterpart_name,
        "outcome": OUTCOMES[record.outcome],
        "minutes": None if record.duration_seconds is None else record.duration_seconds // 60,
        "summary": record.summary,
        "by": record.logged_by.name,
        "creditor_side": record.creditor_org_id is not None,
        "flags": service.flag_words(record.flags) if record.flagged else "",
        "reason": record.flag_reason,
        "consent": record.recording_consent,
        "consent_at": record.consent_at,
        "recording": record.recording_sha256,
        "recording_size": record.recording_size,
        "recording_url": url_for(
            "contact_log.download_recording", case_id=record.case_id, contact_id=record.id
        )
        if record.recording_sha256
        else None,
        "may_record": record.channel in RECORDABLE
        and record.recording_consent is True
        and service.may_add_recording(viewer, record),
    }


def _history(case: Case, viewer: User, contacts: list[ContactRecord]) -> list[dict[str, Any]]:
    rows = [_contact_row(r, viewer) for r in contacts]
    links: dict[int, list[tuple[str, str]]] = {}
    for provider in _ROW_LINKS:
        for contact_id, found in provider(case, viewer, contacts).items():
            links.setdefault(contact_id, []).extend(found)
    for row in rows:
        row["links"] = links.get(row["id"], [])
    for m in service.product_messages(case, viewer):
        rows.append(
            {
                "kind": "outbox",
                "id": m.id,
                "at": m.sent_at or m.due_at,
                "channel": CHANNELS[ContactChannel(m.channel.value)],
                "subject": m.subject,
                "status": m.status.value,
            }
        )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


@bp.route("/cases/<int:case_id>/contact-log")
@requires(Permission.CONTACT_HISTORY)
def index(case_id: int) -> tuple[str, int]:
    case = _case(case_id, Permission.CONTACT_HISTORY)
    viewer = _user()
    stash = prg.take()
    contacts = service.visible_contacts(case, viewer)
    return render_template(
        "cases/contact_log.html",
        case=case,
        rows=_history(case, viewer, contacts),
        complaints=service.complaints_for(case, viewer),
        contacts=contacts,
        can_log=can(viewer, Permission.CONTACT_LOG, case),
        can_complain=can(viewer, Permission.COMPLAINT_FILE, case),
        channels=CHANNELS,
        directions=DIRECTIONS,
        counterparts=_counterparts_for(viewer),
        outcomes=OUTCOMES,
        consents=CONSENTS,
        stash=stash,
        now_local=clock.local(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        complaint_days=COMPLAINT_DAYS,
        max_mb=max_upload_bytes() // (1024 * 1024),
    ), stash.status


def _counterparts_for(viewer: User) -> dict[Counterpart, Any]:
    if can(viewer, Permission.DOCKET_VIEW):  # the mediator: also the creditor's side
        return COUNTERPARTS
    return {k: v for k, v in COUNTERPARTS.items() if k != Counterpart.CREDITOR}


@bp.route("/cases/<int:case_id>/contact-log/new", methods=["POST"])
@requires(Permission.CONTACT_LOG)
def log(case_id: int) -> Response:
    case = _case(case_id, Permission.CONTACT_LOG)
    try:
        record = service.log_contact(_user(), case, _draft())
    except DomainError as err:
        return prg.redirect_with(
            _page(case) + "#log", {err.field or "": err.message}, status=err.status
        )
    if record.flagged:
        flash(
            _(
                "The contact was logged and flagged: %(flags)s.",
                flags=service.flag_words(record.flags),
            ),
            "warning",
        )
    else:
        flash(_("The contact was logged."), "success")
    return redirect(_page(case) + f"#contact-{record.id}", code=303)


@bp.route("/cases/<int:case_id>/contact-log/<int:contact_id>/recording/upload", methods=["POST"])
@requires(Permission.CONTACT_LOG)
def recording(case_id: int, contact_id: int) -> Response:
    case = _case(case_id, Permission.CONTACT_LOG)
    record = service.contact_of(case, contact_id)
    viewer = _user()
    if record is None or record not in service.visible_contacts(case, viewer):
        abort(404)
    if record.logged_by_id != viewer.id and case.mediator_id != viewer.id:
        abort(404)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise service.ContactRefused("required", "file")
        service.add_recording(viewer, record, upload.stream, upload.filename)
    except DomainError as err:
        return prg.redirect_with(
            _page(case) + f"#contact-{record.id}",
            {f"file-{record.id}": err.message},
            status=err.status,
        )
    flash(_("The recording was added to the contact."), "success")
    return redirect(_page(case) + f"#contact-{record.id}", code=303)


@bp.route("/cases/<int:case_id>/contact-log/<int:contact_id>/recording")
@requires(Permission.CONTACT_HISTORY)
def download_recording(case_id: int, contact_id: int) -> Response:
    case = _case(case_id, Permission.CONTACT_HISTORY)
    viewer = _user()
    record = service.contact_of(case, contact_id)
    if record is None or record.recording_sha256 is None:
        abort(404)
    if record not in service.visible_contacts(case, viewer):
        abort(404)
    service.record_recording_download(viewer, record)
    name = PurePosixPath((record.recording_name or "").replace("\\", "/")).name or "recording"
    # send_blob streams the stored file in blocks (never read whole into memory)
    return send_blob(
        record.recording_sha256, mimetype=record.recording_media_type, download_name=name
    )


@bp.route("/cases/<int:case_id>/complaints", methods=["POST"])
@requires(Permission.COMPLAINT_FILE)
def complain(case_id: int) -> Response:
    case = _case(case_id, Permission.COMPLAINT_FILE)
    raw = request.form.get("contact_id", "").strip()
    contact_id = int(raw) if raw.isdigit() else None
    try:
        if raw and contact_id is None:
            raise service.ContactRefused("unknown_contact", "contact_id")
        service.file_complaint(_user(), case, request.form.get("text", ""), contact_id)
    except DomainError as err:
        return prg.redirect_with(
            _page(case) + "#complaints", {err.field or "": err.message}, status=err.status
        )
    flash(
        _(
            "Your complaint was received. The organisation answers within %(n)s days.",
            n=COMPLAINT_DAYS,
        ),
        "success",
    )
    return redirect(_page(case) + "#complaints", code=303)


@bp.route("/compliance")
@requires(Permission.COMPLIANCE_VIEW)
def compliance() -> tuple[str, int]:
    viewer = _user()
    stash = prg.take()
    return render_template(
        "cases/compliance.html",
        c=service.compliance(viewer),
        is_admin=can(viewer, Permission.COMPLAINT_ANSWER),
        stash=stash,
        flag_words=service.flag_words,
        channels=CHANNELS,
    ), stash.status


@bp.route("/complaints/<int:complaint_id>/answer", methods=["POST"])
@requires(Permission.COMPLAINT_ANSWER)
def answer(complaint_id: int) -> Response:
    complaint = service.complaint_in_scope(_user(), complaint_id)
    if complaint is None:
        abort(404)
    requires_object(Permission.COMPLAINT_ANSWER, complaint.case)
    target = url_for("contact_log.compliance") + f"#complaint-{complaint.id}"
    try:
        service.answer_complaint(_user(), complaint, request.form.get("answer", ""))
    except DomainError as err:
        return prg.redirect_with(target, {f"answer-{complaint.id}": err.message}, status=err.status)
    flash(_("The answer was sent to the complainant."), "success")
    return redirect(target, code=303)


def contact_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The case page's section: how many contacts the viewer may see, the flagged ones,
    and the way to the history (and to log one or complain)."""
    if case.state == CaseState.DRAFT or not can(viewer, Permission.CONTACT_HISTORY, case):
        return None
    contacts = service.visible_contacts(case, viewer)
    return "cases/_contact_log.html", {
        "count": len(contacts),
        "flagged": sum(1 for c in contacts if c.flagged),
        "open_complaints": sum(
            1 for c in service.complaints_for(case, viewer) if c.status.value == "open"
        ),
        "url": _page(case),
        "can_log": can(viewer, Permission.CONTACT_LOG, case),
    }
