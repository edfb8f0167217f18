"""The worker's part of drafting: render a drafted version to PDF/A, certify it with the
organisation's key (creating a signature field for each signer), store it and open it for
signing."""

from __future__ import annotations

import logging

from app import audit
from app.agreements.common import ROLES, notify
from app.agreements.content import agreement_context
from app.audit import AuditAction
from app.core.faults import fault_of
from app.core.transaction import use_case
from app.documents import issued as documents
from app.documents.signing import FieldSpec, certify
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.notifications.recipients import EXTRA_PARTIES

log = logging.getLogger(__name__)


@use_case
def render_agreement(agreement_id: int) -> None:
    """Render, certify and store the version, then tell the parties it is ready to sign.
    A version no longer waiting to be rendered (superseded meanwhile, or done) is left
    alone; one superseded while it renders is not stored (the version check refuses the
    write with ``Conflict``: the new version wins). A rendering that fails marks the
    version failed, for the mediator to see and try again; a full disk or a database
    refusing writes is not the document's fault: the task is tried again later
    (:mod:`app.queue`). Running it again for a version already rendered does nothing, so
    a retry by :mod:`app.agreements.recovery` never makes a second document."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.RENDERING:
        return
    case = db.session.get(Case, agreement.case_id)
    assert case is not None
    try:
        data = _certified_pdf(case, agreement)
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        if fault_of(err) is not None:
            raise  # a full disk or a read-only database: the task is tried again later
        log.exception("agreement %s failed to render", agreement_id)
        agreement.status = AgreementStatus.FAILED
        agreement.render_error = type(err).__name__
        return
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.AGREEMENT,
        case=case,
        version=agreement.version,
        stage="certified",
        agreement=agreement,
    )
    agreement.base_sha256 = agreement.current_sha256 = sha
    agreement.status = AgreementStatus.SIGNING
    audit.record(
        AuditAction.CASE_AGREEMENT_RENDER,
        actor=None,
        object_type="agreement",
        object_id=agreement.id,
        case_id=case.id,
        data={"version": agreement.version, "sha256": sha, "bytes": len(data)},
    )
    event = "agreement_ready" if agreement.version == 1 else "agreement_revised"
    notify(case, event, roles=(set(ROLES) - {"mediator"}) | {EXTRA_PARTIES})


def _certified_pdf(case: Case, agreement: Agreement) -> bytes:
    """The version as a certified PDF with an empty signature field for each signer."""
    # WeasyPrint takes seconds and tens of MB to import and only the worker renders: the
    # web process, which imports this module for the task's name, never loads it.
    from app.documents.render import render_pdf

    rendered = render_pdf("agreement.html", agreement_context(case, agreement))
    roles = [*ROLES, *(party.signer_role for party in case.extra_parties)]
    fields = [
        FieldSpec(name=f"sig-{role}", page=a.page, box=(a.x1, a.y1, a.x2, a.y2))
        for role in roles
        if (a := rendered.anchors.get(f"sig-{role}")) is not None
    ]
    return certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=fields,
        title=f"调解协议书 {case.reference} 第{agreement.version}版",
        timestamper=documents.timestamper(),
    )
