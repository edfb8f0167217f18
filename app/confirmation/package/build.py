"""The judicial-confirmation package as a document (BRIEF §5.1): assembled by the worker
from the agreement in force and the case's evidence, rendered to one PDF/A-3b with every
file embedded byte for byte, certified by the organisation with one empty signature field
per party, and offered as a ZIP with a manifest of hashes (``package_archive``).

Integrity: each evidence file is re-hashed from the blob store before it goes in, on the
very bytes that are embedded; a file whose bytes no longer match the hash recorded at
upload stops the package and is named (``PackageError("evidence_changed", <name>)``).
The workflow (``app.confirmation.release``) runs ``check_evidence_integrity`` at release.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import current_app
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.cases.evidence import evidence_of
from app.confirmation.package.content import package_context
from app.confirmation.package.report import (
    AGREEMENT_TITLE,
    agreement_filename,
    evidence_filename,
    evidence_title,
)
from app.core.storage import blob_store
from app.documents import issued as documents
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus, DocumentKind
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.evidence import EvidenceFile

PARTY_FIELDS = ("sig-creditor", "sig-debtor")  # one per party, on the application


class PackageError(Exception):
    """The package cannot be built or served; ``code`` says why, ``detail`` what (e.g. the
    original name of the evidence file whose bytes changed)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def check_evidence_integrity(case: Case) -> list[EvidenceFile]:
    """Every evidence file of the case, each re-hashed from the store (streamed). A missing
    file or one whose bytes no longer hash to the value recorded at upload raises
    ``PackageError("evidence_changed", detail=<its original name>)``: a court must receive
    exactly what the parties saw (电子签名法 Art. 8; 在线诉讼规则 Art. 16)."""
    store = blob_store()
    files = evidence_of(case)
    for evidence in files:
        try:
            intact = store.verify(evidence.sha256)
        except (OSError, ValueError):
            intact = False
        if not intact:
            raise PackageError("evidence_changed", evidence.original_name)
    return files


def _read_checked(evidence: EvidenceFile) -> bytes:
    """The bytes to embed, checked against the recorded hash after reading them, so what
    is checked is exactly what goes in."""
    try:
        with blob_store().open(evidence.sha256) as f:
            data = f.read()
    except (OSError, ValueError):
        raise PackageError("evidence_changed", evidence.original_name) from None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise PackageError("evidence_changed", evidence.original_name)
    return data


# --- building (the worker) --------------------------------------------------------------


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
        _fail(package_id, err.code, err.detail)
        return
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        current_app.logger.exception("package %s failed to render", package_id)
        _fail(package_id, type(err).__name__, "")
        return
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.PACKAGE,
        case=case,
        version=package.number,
        stage="certified",
        agreement=agreement,
    )
    package.base_sha256 = package.current_sha256 = sha
    package.status = PackageStatus.SIGNING
    package.render_error = None
    audit.record(
        "case:package:render",
        actor=None,
        object_type="package",
        object_id=package.id,
        case_id=case.id,
        data={"number": package.number, "sha256": sha, "bytes": len(data), "files": embedded},
    )
    from app.confirmation.common import notify_parties

    notify_parties(case, "package_released", roles=("debtor", "creditor"))
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()  # superseded while rendering: the newer release wins


def _assemble(
    case: Case, agreement: Agreement, package: ConfirmationPackage
) -> tuple[bytes, dict[str, str]]:
    """The certified PDF and the embedded files (name → SHA-256)."""
    from app.documents.render import Attachment, render_pdf
    from app.documents.signing import certify

    if agreement.status != AgreementStatus.IN_FORCE or not agreement.current_sha256:
        raise PackageError("agreement_not_in_force")
    evidence = evidence_of(case)
    blobs = [_read_checked(e) for e in evidence]
    agreement_pdf = documents.read_pdf(agreement.current_sha256)
    if documents.sha256_of(agreement_pdf) != agreement.current_sha256:
        raise PackageError("agreement_changed", agreement_filename(case, agreement))
    attachments = [Attachment(agreement_filename(case, agreement), AGREEMENT_TITLE, agreement_pdf)]
    attachments += [
        Attachment(evidence_filename(n, e), evidence_title(n, e), blob)
        for n, (e, blob) in enumerate(zip(evidence, blobs, strict=True), start=1)
    ]
    context = package_context(case, agreement, package, evidence)
    context |= agreement_blocks(context["agreement"])
    rendered = render_pdf("package.html", context, attachments=attachments)
    data = certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=_party_fields(rendered),
        title=f"司法确认申请材料 {case.reference} 第{package.number}次",
        timestamper=documents.timestamper(),
    )
    return data, {a.filename: documents.sha256_of(a.data) for a in attachments}


def _party_fields(rendered: Any) -> list[Any]:
    """One empty signature field per party where the application's anchors are; both must
    be there (a package nobody can sign is useless)."""
    from app.documents.signing import FieldSpec

    fields = []
    for name in PARTY_FIELDS:
        anchor = rendered.anchors.get(name)
        if anchor is None:
            raise PackageError("field_missing", name)
        box = (anchor.x1, anchor.y1, anchor.x2, anchor.y2)
        fields.append(FieldSpec(name=name, page=anchor.page, box=box))
    return fields


def agreement_blocks(agreement: dict[str, Any]) -> dict[str, Markup]:
    """The agreement template's own ``content`` and ``head`` blocks, rendered with the
    agreement's context by the same autoescaping environment: the package prints the
    agreement's text exactly as the agreement does, without a second copy of its markup."""
    from app.documents.render import environment

    template = environment().get_template("agreement.html")
    jinja_context = template.new_context(dict(agreement))
    return {
        "agreement_html": Markup("".join(template.blocks["content"](jinja_context))),  # noqa: S704
        "agreement_css": Markup("".join(template.blocks["head"](jinja_context))),  # noqa: S704
    }


def _fail(package_id: int, code: str, detail: str) -> None:
    db.session.rollback()
    package = db.session.get(ConfirmationPackage, package_id)
    if package is None or package.status != PackageStatus.RENDERING:
        return
    package.status = PackageStatus.FAILED
    package.render_error = f"{code}: {detail}" if detail else code
    audit.record(
        "case:package:fail",
        actor=None,
        object_type="package",
        object_id=package.id,
        case_id=package.case_id,
        data={"number": package.number, "error": code, "detail": detail or None},
    )
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()


# --- reading back -----------------------------------------------------------------------


def attachments_of(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in a PDF, by attachment name (decoded: the original bytes)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return {name: contents[0] for name, contents in reader.attachments.items()}


def package_zip(package: ConfirmationPackage) -> bytes:
    """The ZIP of the package (``package_archive``): the package PDF, exactly the files
    embedded in it, and a manifest of their hashes; byte-identical on every download."""
    from app.confirmation.package.archive import write_package_zip

    buffer = io.BytesIO()
    write_package_zip(package, buffer)
    return buffer.getvalue()
