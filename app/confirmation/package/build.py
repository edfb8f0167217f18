"""The judicial-confirmation package as a document, built by the worker: assembled from
the agreement in force and the case's evidence, rendered to one PDF/A-3b with every file
embedded byte for byte, certified by the organisation with one empty signature field per
party (民诉法解释 Art. 354 lists what the application holds; 电子签名法 Arts. 13–14).

Each evidence file is re-hashed on the very bytes that are embedded
(:mod:`app.confirmation.package.integrity`): a file whose bytes no longer match the hash
recorded at upload stops the package and is named. The result is stored in one use case
(:func:`store_built`), a failure recorded in another (:func:`mark_failed`); a package
superseded while it was being built is left as the newer release made it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from app import audit
from app.audit import AuditAction
from app.cases.evidence import court_evidence
from app.confirmation.common import PACKAGE_OBJECT, notify_parties
from app.confirmation.errors import PackageError
from app.confirmation.package.content import package_context
from app.confirmation.package.integrity import read_checked
from app.confirmation.package.papers import (
    creditor_papers,
    first_number,
    paper_filename,
    paper_title,
    read_paper,
)
from app.confirmation.package.records import read_record, record_filename, record_title
from app.confirmation.package.report import (
    AGREEMENT_TITLE,
    agreement_filename,
    evidence_filename,
    evidence_title,
)
from app.core.errors import Conflict
from app.core.faults import fault_of
from app.core.transaction import claim, use_case
from app.documents import issued as documents
from app.documents.render import Attachment, environment, render_pdf
from app.documents.signing import FieldSpec, certify
from app.extensions import db
from app.minutes.common import confirmed_records
from app.models.agreements import Agreement, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.notifications.recipients import EXTRA_PARTIES

log = logging.getLogger(__name__)

PARTY_FIELDS = ("sig-creditor", "sig-debtor")  # one per party, on the application


def build_package(package_id: int) -> None:
    """Worker: assemble, render and certify one release of the package, store it and open
    it for the parties' signatures. On failure the package is FAILED with the reason in
    ``render_error`` (for a changed evidence file: ``evidence_changed: <file name>``)."""
    package = db.session.get(ConfirmationPackage, package_id)
    if package is None or package.status != PackageStatus.RENDERING:
        return
    case = db.session.get(Case, package.case_id)
    agreement = db.session.get(Agreement, package.agreement_id)
    assert case is not None and agreement is not None
    try:
        data, embedded = _assemble(case, agreement, package)
    except PackageError as err:
        _unless_superseded(mark_failed, package_id, err.code, err.detail or "")
        return
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        if fault_of(err) is not None:
            raise  # a full disk or a read-only database: the task is tried again later
        log.exception("package %s failed to render", package_id)
        _unless_superseded(mark_failed, package_id, type(err).__name__, "")
        return
    _unless_superseded(store_built, package_id, data, embedded)


def _unless_superseded(step: Callable[..., None], package_id: int, *args: Any) -> None:
    """Run ``step``; a package released again meanwhile was claimed by that release (the
    newer release wins): nothing of this build is kept."""
    try:
        step(package_id, *args)
    except Conflict:
        log.info("package %s was superseded while it was built", package_id)


@use_case
def store_built(package_id: int, data: bytes, embedded: dict[str, str]) -> None:
    """Store the certified PDF and open the package for signing; the parties are told."""
    package = db.session.get(ConfirmationPackage, package_id)
    if package is None or package.status != PackageStatus.RENDERING:
        return
    claim(package)
    case = db.session.get(Case, package.case_id)
    assert case is not None
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.PACKAGE,
        case=case,
        version=package.number,
        stage="certified",
        agreement=db.session.get(Agreement, package.agreement_id),
    )
    package.base_sha256 = package.current_sha256 = sha
    package.status = PackageStatus.SIGNING
    package.render_error = None
    audit.record(
        AuditAction.CASE_PACKAGE_RENDER,
        actor=None,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={"number": package.number, "sha256": sha, "bytes": len(data), "files": embedded},
    )
    notify_parties(case, "package_released", roles=("debtor", "creditor", EXTRA_PARTIES))


@use_case
def mark_failed(package_id: int, code: str, detail: str) -> None:
    """The package could not be built: FAILED, with the reason for the mediator."""
    package = db.session.get(ConfirmationPackage, package_id)
    if package is None or package.status != PackageStatus.RENDERING:
        return
    claim(package)
    package.status = PackageStatus.FAILED
    package.render_error = f"{code}: {detail}" if detail else code
    audit.record(
        AuditAction.CASE_PACKAGE_FAIL,
        actor=None,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=package.case_id,
        data={"number": package.number, "error": code, "detail": detail or None},
    )


def _assemble(
    case: Case, agreement: Agreement, package: ConfirmationPackage
) -> tuple[bytes, dict[str, str]]:
    """The certified PDF and the embedded files (name → SHA-256)."""
    if agreement.status != AgreementStatus.IN_FORCE or not agreement.current_sha256:
        raise PackageError("agreement_not_in_force")
    evidence = court_evidence(case)
    blobs = [read_checked(e) for e in evidence]
    agreement_pdf = documents.read_pdf(agreement.current_sha256)
    if documents.sha256_of(agreement_pdf) != agreement.current_sha256:
        raise PackageError("agreement_changed", detail=agreement_filename(case, agreement))
    attachments = [Attachment(agreement_filename(case, agreement), AGREEMENT_TITLE, agreement_pdf)]
    attachments += [
        Attachment(evidence_filename(n, e), evidence_title(n, e), blob)
        for n, (e, blob) in enumerate(zip(evidence, blobs, strict=True), start=1)
    ]
    papers = creditor_papers(case)
    attachments += [
        Attachment(paper_filename(n, p), paper_title(p), read_paper(p))
        for n, p in enumerate(papers, start=first_number(len(evidence)))
    ]
    # the confirmed session records, proof of presiding (人民调解法 Art. 27), come last
    records = confirmed_records(case)
    attachments += [
        Attachment(record_filename(n, r), record_title(r), read_record(r))
        for n, r in enumerate(records, start=first_number(len(evidence)) + len(papers))
    ]
    context = package_context(case, agreement, package, evidence, papers)
    context |= agreement_blocks(context["agreement"])
    rendered = render_pdf("package.html", context, attachments=attachments)
    data = certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=_party_fields(rendered, case),
        title=f"司法确认申请材料 {case.reference} 第{package.number}次",
        timestamper=documents.timestamper(),
    )
    return data, {a.filename: documents.sha256_of(a.data) for a in attachments}


def _party_fields(rendered: Any, case: Case) -> list[Any]:
    """One empty signature field per party where the application's anchors are (the
    guarantors' and co-borrowers' too, ``sig-party-<id>``); all must be there (a package
    a party cannot sign is useless)."""
    fields = []
    for name in (*PARTY_FIELDS, *(f"sig-{p.signer_role}" for p in case.extra_parties)):
        anchor = rendered.anchors.get(name)
        if anchor is None:
            raise PackageError("field_missing", detail=name)
        box = (anchor.x1, anchor.y1, anchor.x2, anchor.y2)
        fields.append(FieldSpec(name=name, page=anchor.page, box=box))
    return fields


def agreement_blocks(agreement: dict[str, Any]) -> dict[str, Markup]:
    """The agreement template's own ``content`` and ``head`` blocks, rendered with the
    agreement's context by the same autoescaping environment: the package prints the
    agreement's text exactly as the agreement does, without a second copy of its markup."""
    template = environment().get_template("agreement.html")
    jinja_context = template.new_context(dict(agreement))
    return {
        "agreement_html": Markup("".join(template.blocks["content"](jinja_context))),  # noqa: S704
        "agreement_css": Markup("".join(template.blocks["head"](jinja_context))),  # noqa: S704
    }
