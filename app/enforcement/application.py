"""The creditor's enforcement application (强制执行申请书): rendered from the repayment
record, certified with the organisation's key (so ``/verify`` recognises it), stored and
registered; each download audited. Filed with the court that made the confirming ruling
(CPL Art. 235) within two years (CPL Art. 250)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.core import clock
from app.core.errors import Refused
from app.core.transaction import claim as take
from app.core.transaction import use_case
from app.documents import issued as documents
from app.documents.signing import certify
from app.enforcement.common import applications_of, claim_on
from app.enforcement.content import application_context
from app.models.agreements import DocumentKind, IssuedDocument
from app.models.cases import Case
from app.models.users import User

STAGE = "issued"
OBJECT = "enforcement_application"


class EnforcementForbidden(Refused):
    """Only the case's creditor organisation applies for enforcement."""

    status = 403
    messages = {"creditor_only": _l("Only the case's creditor applies for enforcement.")}


def _require_creditor(user: User, case: Case) -> None:
    if not can(user, Permission.ENFORCEMENT_APPLY, case):
        raise EnforcementForbidden("creditor_only")


@use_case
def generate_application(creditor: User, case: Case) -> IssuedDocument:
    """A new application on today's repayment record: refused without a recorded
    confirming ruling (``no_confirmation_ruling``), before a breach (``not_in_breach``)
    or once everything is paid (``repayment_completed``)."""
    _require_creditor(creditor, case)
    today = clock.today()
    enf, claim = claim_on(case, today)
    # Two applications generated at once would take the same number: the second waits
    # (PostgreSQL) or fails with ``Conflict`` and is tried again by the creditor.
    take(case)
    version = 1 + max((doc.version for doc in applications_of(case)), default=0)
    data = _certified_pdf(application_context(case, enf, claim, today), case, version)
    sha = documents.store_pdf(
        data, kind=DocumentKind.ENFORCEMENT, case=case, version=version, stage=STAGE
    )
    doc = next(d for d in applications_of(case) if d.sha256 == sha)
    audit.record(
        AuditAction.CASE_ENFORCEMENT_GENERATE,
        actor=creditor,
        object_type=OBJECT,
        object_id=doc.id,
        case_id=case.id,
        data={
            "version": version,
            "sha256": sha,
            "amount": str(claim.amount),
            "accelerated": claim.accelerated,
            "deadline": claim.deadline.end.isoformat(),
            "late": claim.late,
        },
    )
    return doc


def _certified_pdf(context: dict[str, Any], case: Case, version: int) -> bytes:
    # WeasyPrint is heavy to import: only the code that renders loads it.
    from app.documents.render import render_pdf

    rendered = render_pdf("enforcement.html", context)
    return certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=[],
        title=f"强制执行申请书 {case.reference} 第{version}份",
        timestamper=documents.timestamper(),
    )


@use_case
def record_download(user: User, case: Case, doc: IssuedDocument) -> None:
    """Who took a copy of the application, and when."""
    _require_creditor(user, case)
    audit.record(
        AuditAction.CASE_ENFORCEMENT_DOWNLOAD,
        actor=user,
        object_type=OBJECT,
        object_id=doc.id,
        case_id=case.id,
        data={"version": doc.version, "sha256": doc.sha256},
    )
