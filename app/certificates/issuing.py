"""Issuing a certificate: rendered to PDF/A, certified with the organisation's key (no
signer fields: the organisation alone signs it), stored and registered so ``/verify``
knows it. Like the agreement, the rendering runs in the worker
(``jobs.enqueue("issue_certificate_task", case_id)`` after the closing use case commits).

A case has at most one certificate: that mediation failed for a case closed as not
mediated, that the agreement was performed for a case closed as performed."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.certificates.content import failure_context, settlement_context
from app.core import jobs
from app.core.transaction import conflict_on, use_case
from app.documents import issued as documents
from app.documents.signing import certify
from app.extensions import db
from app.models.agreements import DocumentKind, IssuedDocument
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.errors import Refused

# Two workers issuing the same case's certificate at once: one lands, the other's is dropped.
conflict_on("uq_issued_documents_one_certificate")

KIND_OF_STATE = {
    CaseState.CLOSED_NOT_MEDIATED: DocumentKind.FAILURE_CERTIFICATE,
    CaseState.PERFORMED: DocumentKind.SETTLEMENT_CERTIFICATE,
}
TEMPLATES = {
    DocumentKind.FAILURE_CERTIFICATE: "failure_certificate.html",
    DocumentKind.SETTLEMENT_CERTIFICATE: "settlement_certificate.html",
}
TITLES = {
    DocumentKind.FAILURE_CERTIFICATE: "调解终结证明",
    DocumentKind.SETTLEMENT_CERTIFICATE: "结清证明",
}
FILE_NAMES = {
    DocumentKind.FAILURE_CERTIFICATE: "mediation-ended",
    DocumentKind.SETTLEMENT_CERTIFICATE: "settlement",
}


class CertificateRefused(Refused):
    messages: ClassVar[dict[str, Any]] = {
        "no_certificate": _l("This case has no certificate: it is not closed."),
        "already_issued": _l("The certificate has already been issued."),
        "not_allowed": _l("You may not issue this case's certificate."),
    }


def kind_for(case: Case) -> DocumentKind | None:
    return KIND_OF_STATE.get(case.state)


def certificate_of(case: Case) -> IssuedDocument | None:
    """The case's certificate, if issued (the one for the state the case closed in)."""
    kind = kind_for(case)
    if kind is None:
        return None
    return db.session.scalar(
        select(IssuedDocument)
        .where(IssuedDocument.case_id == case.id, IssuedDocument.kind == kind)
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )


def enqueue_certificate(case: Case) -> None:
    """Ask the worker for the case's certificate once the current use case commits (the
    listener for a case that closes: wired in :mod:`app.features`)."""
    jobs.enqueue("issue_certificate_task", case.id)


@use_case
def request_certificate(actor: User, case: Case) -> None:
    """The assigned mediator asks for a closed case's missing certificate."""
    if not can(actor, Permission.CERTIFICATE_ISSUE, case):
        raise CertificateRefused("not_allowed")
    if kind_for(case) is None:
        raise CertificateRefused("no_certificate")
    if certificate_of(case) is not None:
        raise CertificateRefused("already_issued")
    enqueue_certificate(case)


@use_case
def issue_certificate(case_id: int) -> str | None:
    """Render, certify and store the case's certificate; its SHA-256. Does nothing (None)
    for a case that is not closed, and returns the existing one when already issued, so a
    retried task never makes a second certificate."""
    case = db.session.get(Case, case_id)
    if case is None or (kind := kind_for(case)) is None:
        return None
    existing = certificate_of(case)
    if existing is not None:
        return existing.sha256
    data = _certified_pdf(case, kind)
    sha = documents.store_pdf(data, kind=kind, case=case, version=1, stage="certified")
    audit.record(
        AuditAction.CASE_CERTIFICATE_ISSUE,
        actor=None,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"kind": kind.value, "sha256": sha, "bytes": len(data)},
    )
    return sha


def _context(case: Case, kind: DocumentKind) -> dict[str, Any]:
    if kind == DocumentKind.FAILURE_CERTIFICATE:
        return failure_context(case)
    return settlement_context(case)


def _certified_pdf(case: Case, kind: DocumentKind) -> bytes:
    # WeasyPrint is heavy to import; only the worker (and the demo seeder) renders.
    from app.documents.render import render_pdf

    rendered = render_pdf(TEMPLATES[kind], _context(case, kind))
    return certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=[],
        title=f"{TITLES[kind]} {case.reference}",
        timestamper=documents.timestamper(),
    )


def record_download(actor: User, case: Case, doc: IssuedDocument) -> None:
    """Audit a download (a read: written in its own small transaction)."""
    _record_download(actor, case, doc.kind.value, doc.sha256)


@use_case
def _record_download(actor: User, case: Case, kind: str, sha: str) -> None:
    audit.record(
        AuditAction.CASE_CERTIFICATE_DOWNLOAD,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"kind": kind, "sha256": sha},
    )
