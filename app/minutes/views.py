"""The mediation records (调解笔录) on the case page and their pages: the mediator writes a
held session's record from its contact record, corrects it and sends it for
confirmation; the parties and then the mediator read its pages and sign it. Rules live in
:mod:`app.minutes.writing` and :mod:`app.minutes.signing`; every download is audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.access import Permission, can, requires, requires_object
from app.core import clock, prg
from app.core.errors import DomainError
from app.documents import issued as documents
from app.extensions import db
from app.minutes import signing, writing
from app.minutes.common import (
    RecordInvalid,
    RecordRefused,
    may_read,
    record_for_contact,
    record_of,
    records_of,
    role_on,
    signed_roles,
)
from app.minutes.content import CHANNEL_ZH, session_time
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord, RecordStatus
from app.models.users import User
from app.rules.contact_log import Outcome
from app.rules.minutes import SESSION_CHANNELS, SIGNERS, Participant, RecordContent
from app.signing.views import (
    announce_code,
    channel_choices,
    page_images,
    page_response,
    pdf_response,
    refused_signing,
    requested_channel,
    signature_form_input,
    signature_rows,
    typed_form,
)

bp = Blueprint("minutes", __name__)

PARTICIPANT_ROWS = 8
TEXT_FIELDS = ("place", "creditor_statement", "debtor_statement", "agreed", "not_agreed")
STATUS_LABELS = {
    RecordStatus.DRAFT: _l("Draft (only the mediator sees it)"),
    RecordStatus.RENDERING: _l("Being prepared for confirmation"),
    RecordStatus.FAILED: _l("Could not be prepared: send it again"),
    RecordStatus.AWAITING: _l("Awaiting confirmation by signature"),
    RecordStatus.CONFIRMED: _l("Confirmed by every signature"),
}


_SUBMITTABLE = (RecordStatus.DRAFT, RecordStatus.FAILED, RecordStatus.RENDERING)


def _user() -> User:
    return current_user._get_current_object()


def _case(case_id: int, permission: Permission) -> Case:
    case = db.session.get(Case, case_id)
    requires_object(permission, case)
    assert case is not None
    return case


def _readable(case: Case, record_id: int) -> MediationRecord:
    record = record_of(case, record_id)
    if record is None or not may_read(_user(), case, record):
        abort(404)
    return record


def _show_url(case: Case, record: MediationRecord) -> str:
    return url_for("minutes.show", case_id=case.id, record_id=record.id)


# --- the case page's section -------------------------------------------------------------


def record_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The held sessions and their records: the mediator sees every session and may write
    its record; the parties see the records sent to them."""
    role = role_on(viewer, case)
    if role is None or not can(viewer, Permission.RECORD_VIEW, case):
        return None
    records = {r.contact_record_id: r for r in records_of(case)}
    rows = []
    if role == "mediator":
        may_write = can(viewer, Permission.RECORD_WRITE, case)
        for contact in _sessions(case):
            record = records.get(contact.id)
            rows.append(_row(case, viewer, contact, record, may_write))
    else:
        rows = [
            _row(case, viewer, r.contact, r, False)
            for r in records.values()
            if may_read(viewer, case, r)
        ]
    if not rows:
        return None
    return "minutes/_panel.html", {"case": case, "rows": rows}


def contact_links(
    case: Case, viewer: User, contacts: list[ContactRecord]
) -> dict[int, list[tuple[str, str]]]:
    """On the contact history: the record of each held session the viewer may read, and
    for the case's mediator the way to write one."""
    role = role_on(viewer, case)
    if role is None:
        return {}
    may_write = role == "mediator" and can(viewer, Permission.RECORD_WRITE, case)
    records = {r.contact_record_id: r for r in records_of(case)}
    sessions = {c.id for c in _sessions(case)} if may_write else set()
    links: dict[int, list[tuple[str, str]]] = {}
    for contact in contacts:
        record = records.get(contact.id)
        if record is not None and may_read(viewer, case, record):
            label = _("Session record: %(status)s", status=STATUS_LABELS[record.status])
            links[contact.id] = [(label, _show_url(case, record))]
        elif record is None and contact.id in sessions:
            url = url_for("minutes.new", case_id=case.id, contact_id=contact.id)
            links[contact.id] = [(_("Write the session record"), url)]
    return links


def _sessions(case: Case) -> list[ContactRecord]:
    """The sessions held on the case: calls, video sessions and meetings that reached
    someone (:data:`app.rules.minutes.SESSION_CHANNELS`)."""
    return list(
        db.session.scalars(
            select(ContactRecord)
            .where(
                ContactRecord.case_id == case.id,
                ContactRecord.channel.in_(SESSION_CHANNELS),
                ContactRecord.outcome == Outcome.REACHED,
                ContactRecord.creditor_org_id.is_(None),  # held by the mediation side
            )
            .order_by(ContactRecord.occurred_at, ContactRecord.id)
        )
    )


def _row(
    case: Case,
    viewer: User,
    contact: ContactRecord,
    record: MediationRecord | None,
    may_write: bool,
) -> dict[str, Any]:
    return {
        "at": contact.occurred_at,
        "channel": CHANNEL_ZH.get(contact.channel, ""),
        "summary": contact.summary,
        "status": STATUS_LABELS[record.status] if record else None,
        "url": _show_url(case, record) if record else None,
        "write_url": (
            url_for("minutes.new", case_id=case.id, contact_id=contact.id)
            if record is None and may_write
            else None
        ),
        "sign_url": (
            url_for("minutes.sign", case_id=case.id, record_id=record.id)
            if record is not None and signing.may_sign(viewer, case, record)
            else None
        ),
    }


# --- writing -----------------------------------------------------------------------------


def _time(name: str) -> datetime:
    raw = request.form.get(name, "").strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise RecordInvalid("time_format", name) from None
    if value.tzinfo is None:  # typed on the legal clock
        value = value.replace(tzinfo=clock.legal_tz())
    return value


def _content() -> RecordContent:
    people = []
    for n in range(1, PARTICIPANT_ROWS + 1):
        name = request.form.get(f"name-{n}", "").strip()
        role = request.form.get(f"role-{n}", "").strip()
        if name or role:
            people.append(Participant(name=name, role=role))
    return RecordContent(
        started_at=_time("started_at"),
        ended_at=_time("ended_at"),
        place=request.form.get("place", ""),
        participants=tuple(people),
        debtor_statement=request.form.get("debtor_statement", ""),
        creditor_statement=request.form.get("creditor_statement", ""),
        agreed=request.form.get("agreed", ""),
        not_agreed=request.form.get("not_agreed", ""),
    )


def _local_input(value: datetime) -> str:
    return clock.local(value).strftime("%Y-%m-%dT%H:%M")


def _defaults_for(case: Case, contact: ContactRecord) -> dict[str, str]:
    """A new record starts from the contact record: its time and length, the means, and
    the people one expects (the creditor's side, the debtor, the mediator)."""
    minutes = (contact.duration_seconds or 0) // 60 or 30
    place = {
        "video": "本平台在线视频调解",
        "phone": "电话调解",
        "in_person": case.mediation_org.address or "",
    }.get(contact.channel.value, "")
    values = {
        "started_at": _local_input(contact.occurred_at),
        "ended_at": _local_input(contact.occurred_at + timedelta(minutes=minutes)),
        "place": place,
        "name-1": case.mediator.name if case.mediator else "",
        "role-1": "调解员",
        "name-2": case.creditor_org.name,
        "role-2": "申请人（债权人）",
        "name-3": case.debtor_name or "",
        "role-3": "被申请人（债务人）",
    }
    return values


def _values_of(record: MediationRecord) -> dict[str, str]:
    values = {name: getattr(record, name) for name in TEXT_FIELDS}
    values["started_at"] = _local_input(record.started_at)
    values["ended_at"] = _local_input(record.ended_at)
    for n, p in enumerate(record.participants, start=1):
        values[f"name-{n}"], values[f"role-{n}"] = p["name"], p["role"]
    return values


def _form(case: Case, heading: str, values: dict[str, str], record: MediationRecord | None):
    stash = prg.take()  # a refused form: what was typed and the refusal, once
    if stash.values:
        values = {name: stash.value(name) for name in stash.values}
    return render_template(
        "minutes/form.html",
        case=case,
        heading=heading,
        values=values,
        errors=stash.errors,
        rows=range(1, PARTICIPANT_ROWS + 1),
        record=record,
        lapses=record is not None and record.status != RecordStatus.DRAFT,
        signed=bool(record is not None and signed_roles(record)),
    ), stash.status


@bp.route("/cases/<int:case_id>/contacts/<int:contact_id>/record", methods=["GET", "POST"])
@requires(Permission.RECORD_WRITE)
def new(case_id: int, contact_id: int) -> Any:
    """The mediator writes the record of a session held on this case."""
    case = _case(case_id, Permission.RECORD_WRITE)
    contact = db.session.get(ContactRecord, contact_id)
    if contact is None or contact.case_id != case.id or role_on(_user(), case) != "mediator":
        abort(404)
    existing = record_for_contact(contact)
    if existing is not None:
        return redirect(_show_url(case, existing))
    if request.method == "POST":
        try:
            record = writing.create_record(_user(), case, contact, _content())
        except DomainError as err:
            return prg.redirect_with(
                request.path, {err.field or "": err.message}, drop={"csrf_token"}, status=err.status
            )
        flash(
            _("The record is saved as a draft. Send it to the parties when it is complete."),
            "success",
        )
        return redirect(_show_url(case, record))
    return _form(case, _("Write the session record"), _defaults_for(case, contact), None)


@bp.route("/cases/<int:case_id>/records/<int:record_id>/edit", methods=["GET", "POST"])
@requires(Permission.RECORD_WRITE)
def edit(case_id: int, record_id: int) -> Any:
    """The mediator corrects the record until it is confirmed (a new version once sent)."""
    case = _case(case_id, Permission.RECORD_WRITE)
    record = _readable(case, record_id)
    if role_on(_user(), case) != "mediator":
        abort(404)
    if request.method == "POST":
        try:
            writing.edit_record(_user(), case, record, _content())
        except DomainError as err:
            return prg.redirect_with(
                request.path, {err.field or "": err.message}, drop={"csrf_token"}, status=err.status
            )
        flash(_("The record is changed."), "success")
        return redirect(_show_url(case, record))
    if record.status == RecordStatus.CONFIRMED:
        return prg.refused_to(_show_url(case, record), RecordRefused("confirmed").message, 409)
    return _form(case, _("Change the session record"), _values_of(record), record)


@bp.route("/cases/<int:case_id>/records/<int:record_id>/submit", methods=["POST"])
@requires(Permission.RECORD_WRITE)
def submit(case_id: int, record_id: int) -> Response:
    case = _case(case_id, Permission.RECORD_WRITE)
    record = _readable(case, record_id)
    if role_on(_user(), case) != "mediator":
        abort(404)
    try:
        writing.submit_record(_user(), case, record)
    except DomainError as err:
        return prg.refused_to(_show_url(case, record), err.message, err.status)
    flash(
        _("The record is being prepared. The parties are asked to sign it when it is ready."),
        "success",
    )
    return redirect(_show_url(case, record))


# --- reading -----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/records/<int:record_id>")
@requires(Permission.RECORD_VIEW)
def show(case_id: int, record_id: int) -> Any:
    case = _case(case_id, Permission.RECORD_VIEW)
    record = _readable(case, record_id)
    user = _user()
    mediator = role_on(user, case) == "mediator"
    writable = mediator and can(user, Permission.RECORD_WRITE, case)
    signed = {s.role: s for s in record.signatures if s.version == record.version}
    return render_template(
        "minutes/show.html",
        case=case,
        record=record,
        status=STATUS_LABELS[record.status],
        time=session_time(record),
        channel=CHANNEL_ZH.get(record.contact.channel, ""),
        signatures=signature_rows(signed, SIGNERS),
        pdf_url=(
            url_for("minutes.pdf", case_id=case.id, record_id=record.id)
            if record.current_sha256
            else None
        ),
        may_edit=writable and record.status != RecordStatus.CONFIRMED,
        may_submit=writable and record.status in _SUBMITTABLE,
        may_sign=signing.may_sign(user, case, record),
        history=[h["version"] for h in record.history],
    )


@bp.route("/cases/<int:case_id>/records/<int:record_id>.pdf")
@requires(Permission.RECORD_VIEW)
def pdf(case_id: int, record_id: int) -> Response:
    """The exact bytes of the record's newest file (or an earlier one by hash), inline;
    ``?download=1`` saves it. Every request is audited."""
    case = _case(case_id, Permission.RECORD_VIEW)
    record = _readable(case, record_id)
    sha = request.args.get("rev") or record.current_sha256
    if sha is None or sha not in signing.all_files(record):
        abort(404)
    response = pdf_response(
        documents.read_pdf(sha), sha, f"record-{case.reference}-{record.id}-v{record.version}.pdf"
    )
    signing.record_download(_user(), case, record, sha)
    return response


@bp.route("/cases/<int:case_id>/records/<int:record_id>/pages/<sha>/<int:page>.png")
@requires(Permission.RECORD_VIEW)
def page(case_id: int, record_id: int, sha: str, page: int) -> Response:
    """One page of one of the record's files as an image, for the signing page."""
    case = _case(case_id, Permission.RECORD_VIEW)
    record = _readable(case, record_id)
    if sha not in signing.all_files(record):
        abort(404)
    return page_response(sha, page)


# --- signing -----------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/records/<int:record_id>/sign", methods=["GET", "POST"])
@requires(Permission.RECORD_SIGN)
def sign(case_id: int, record_id: int) -> Any:
    case = _case(case_id, Permission.RECORD_SIGN)
    record = _readable(case, record_id)
    user = _user()
    if request.method == "POST":
        try:
            signing.sign_record(user, case, record, signature_form_input(record.version))
        except DomainError as err:
            return refused_signing(request.path, err)
        flash(_("You signed the session record."), "success")
        return redirect(_show_url(case, record))
    stash = prg.take()  # a refused signature: the mark chosen and the refusal, once
    may = signing.may_sign(user, case, record)
    error = stash.error or (None if may else RecordRefused("not_signable").message)
    sha = record.current_sha256
    return render_template(
        "minutes/sign.html",
        case=case,
        record=record,
        time=session_time(record),
        channel=CHANNEL_ZH.get(record.contact.channel, ""),
        seen_sha256=sha,
        pages=page_images(sha, lambda n: _page_url(case, record, sha, n)) if sha else [],
        pdf_url=url_for("minutes.pdf", case_id=case.id, record_id=record.id),
        code_url=url_for("minutes.send_code", case_id=case.id, record_id=record.id),
        channels=channel_choices(user),
        form=typed_form(user, stash),
        error=error,
        may_sign=may,
    ), stash.status


def _page_url(case: Case, record: MediationRecord, sha: str, number: int) -> str:
    return url_for("minutes.page", case_id=case.id, record_id=record.id, sha=sha, page=number)


@bp.route("/cases/<int:case_id>/records/<int:record_id>/code", methods=["POST"])
@requires(Permission.RECORD_SIGN)
def send_code(case_id: int, record_id: int) -> Response:
    case = _case(case_id, Permission.RECORD_SIGN)
    record = _readable(case, record_id)
    target = url_for("minutes.sign", case_id=case.id, record_id=record.id)
    try:
        sent = signing.send_signing_code(_user(), case, record, requested_channel())
    except DomainError as err:  # post/redirect/get: back with the refusal
        return prg.refused_to(target, err.message, err.status)
    announce_code(sent)
    return redirect(target)
