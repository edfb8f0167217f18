"""The supplementary agreement (补充协议) drafted by the mediator from the accepted terms and
rendered and certified by the worker, exactly as the agreement is
(:mod:`app.agreements.drafting`, :mod:`app.agreements.rendering`): frozen terms per
version, any change a new version on which earlier signatures lapse."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select

from app import audit
from app.audit import AuditAction
from app.core import clock, jobs
from app.core.faults import fault_of
from app.core.transaction import claim, conflict_on, use_case
from app.documents import issued as documents
from app.documents.signing import FieldSpec, certify
from app.extensions import db
from app.models.agreements import Agreement, DocumentKind
from app.models.cases import Case
from app.models.restructuring import (
    RequestStatus,
    RestructuringRequest,
    SupplementaryAgreement,
    SupplementaryStatus,
)
from app.models.users import User
from app.notifications.recipients import EXTRA_PARTIES
from app.restructuring.common import (
    RestructuringRefused,
    current_supplement,
    live_performance,
    notify,
    open_request,
)
from app.restructuring.content import supplementary_context
from app.rules.agreements import terms_from_json
from app.rules.restructuring import renumbered, restructured_rules, schedule_from_json
from app.rules.schedules import LUMP_SUM

log = logging.getLogger(__name__)

# Two versions with the same number: two drafts at the same moment.
conflict_on("uq_supplementary_agreements_case_id")


def frozen_terms(request: RestructuringRequest, original: Agreement) -> dict[str, Any]:
    """The terms a version prints and the plan follows once in force: the original
    agreement it amends, the basis frozen at acceptance, the accepted schedule numbered on
    from the plan's last instalment, and its default rule."""
    basis = request.basis or {}
    schedule = schedule_from_json(request.offers[-1]["schedule"])
    lump = all(row.kind == LUMP_SUM for row in schedule.instalments)
    grace = terms_from_json(original.terms["terms"]).default_rule.grace_days
    rules = restructured_rules(lump, grace)
    return {
        "original": {
            "agreement_id": original.id,
            "version": original.version,
            "effective_on": clock.day_of(original.effective_at or original.drafted_at).isoformat(),
            "sha256": original.current_sha256,
        },
        "reason": request.reason,
        "basis": basis,
        "schedule": [
            {"number": r.number, "kind": r.kind, "due": r.due.isoformat(), "amount": str(r.amount)}
            for r in renumbered(schedule, int(basis["last_number"])).instalments
        ],
        "rules": {"grace_days": rules.grace_days, "accelerates": rules.accelerates},
        "account": original.terms.get("account") or {},
    }


@use_case
def draft_supplementary(actor: User, case: Case) -> SupplementaryAgreement:
    """The mediator drafts a version from the accepted terms; an earlier version of it is
    superseded and its signatures lapse. Rendering is queued for after the commit."""
    original, _ = live_performance(case, clock.today())
    request = open_request(case)
    if request is None or request.status != RequestStatus.ACCEPTED:
        raise RestructuringRefused("not_accepted")
    claim(case)
    previous = current_supplement(request)
    if previous is not None and previous.status == SupplementaryStatus.IN_FORCE:
        raise RestructuringRefused("not_accepted")
    if previous is not None:
        previous.status = SupplementaryStatus.SUPERSEDED
    version = (
        db.session.scalar(
            select(func.max(SupplementaryAgreement.version)).where(
                SupplementaryAgreement.case_id == case.id
            )
        )
        or 0
    ) + 1
    supplement = SupplementaryAgreement(
        case_id=case.id,
        request_id=request.id,
        agreement_id=original.id,
        version=version,
        status=SupplementaryStatus.RENDERING,
        terms=frozen_terms(request, original),
        drafted_by_id=actor.id,
        drafted_at=clock.now(),
    )
    db.session.add(supplement)
    db.session.flush()
    audit.record(
        AuditAction.CASE_SUPPLEMENTARY_DRAFT,
        actor=actor,
        object_type="supplementary",
        object_id=supplement.id,
        case_id=case.id,
        data={
            "version": version,
            "request": request.id,
            "supersedes": previous.version if previous else None,
            "original_version": original.version,
        },
    )
    jobs.enqueue("render_supplementary_task", supplement.id)
    return supplement


@use_case
def render_supplementary(supplement_id: int) -> None:
    """Render, certify (with a signature field per signer) and store the version, then
    ask the parties to sign. A version no longer waiting is left alone; a failure marks it
    failed for the mediator to draft again."""
    supplement = db.session.get(SupplementaryAgreement, supplement_id)
    if supplement is None or supplement.status != SupplementaryStatus.RENDERING:
        return
    case = db.session.get(Case, supplement.case_id)
    original = db.session.get(Agreement, supplement.agreement_id)
    assert case is not None and original is not None
    try:
        data = _certified_pdf(case, original, supplement)
    except Exception as err:  # noqa: BLE001 - any failure is shown to the mediator
        if fault_of(err) is not None:
            raise
        log.exception("supplementary agreement %s failed to render", supplement_id)
        supplement.status = SupplementaryStatus.FAILED
        supplement.render_error = type(err).__name__
        return
    sha = documents.store_pdf(
        data,
        kind=DocumentKind.SUPPLEMENTARY,
        case=case,
        version=supplement.version,
        stage="certified",
        agreement=original,
    )
    supplement.base_sha256 = supplement.current_sha256 = sha
    supplement.status = SupplementaryStatus.SIGNING
    audit.record(
        AuditAction.CASE_SUPPLEMENTARY_RENDER,
        actor=None,
        object_type="supplementary",
        object_id=supplement.id,
        case_id=case.id,
        data={"version": supplement.version, "sha256": sha, "bytes": len(data)},
    )
    notify(case, "supplementary_ready", roles={"debtor", "creditor", EXTRA_PARTIES})


def _certified_pdf(case: Case, original: Agreement, supplement: SupplementaryAgreement) -> bytes:
    from app.documents.render import render_pdf  # the worker's import (see agreements)

    context = supplementary_context(case, original, supplement)
    rendered = render_pdf("supplementary.html", context)
    # One field per signature block: the debtor, the creditor, each guarantor or
    # co-borrower (sig-party-<id>) and the mediator, as the agreement has.
    fields = [
        FieldSpec(name=sig["anchor"], page=a.page, box=(a.x1, a.y1, a.x2, a.y2))
        for sig in context["signatures"]
        if (a := rendered.anchors.get(sig["anchor"])) is not None
    ]
    return certify(
        rendered.data,
        signer=documents.organisation_signer(),
        fields=fields,
        title=f"补充协议 {case.reference} 第{supplement.version}版",
        timestamper=documents.timestamper(),
    )
