"""Judicial confirmation (司法确认): the mediator releases the package to a competent court.

Once the agreement takes effect the parties have 30 days to apply jointly (CPL Art. 205;
人民调解法 Art. 33; :mod:`app.confirmation.deadline`). The mediator runs the pre-checks
(民诉法解释 Arts. 354, 355, 358), acknowledges each warning
(:mod:`app.confirmation.acknowledgements`), picks a competent court and releases the
package; the worker builds it (:mod:`app.confirmation.package.build`); the parties sign it
(:mod:`app.confirmation.signing`); the mediator records the filing and the ruling
(:mod:`app.confirmation.outcome`).

This module is also the feature's front door: it names what the others offer, so a caller
(the demo, the tests) imports one module.
"""

from __future__ import annotations

from typing import Any

from app import audit
from app.audit import AuditAction
from app.confirmation.acknowledgements import acknowledge, pending_acknowledgements, run_checks
from app.confirmation.common import (
    PACKAGE_OBJECT,
    current_package,
    notify_parties,
    packages_of,
    require_mediator,
)
from app.confirmation.courts import competent_courts_for
from app.confirmation.deadline import (
    confirmation_deadline_for,
    in_force_agreement,
    is_overdue,
    on_agreement_in_force,
    overdue_cases,
)
from app.confirmation.errors import ConfirmationBlocked, ConfirmationError, ConfirmationRefused
from app.confirmation.facts import facts_for
from app.confirmation.lifts import lift_signals, pending_lifts, still_blocking
from app.confirmation.outcome import record_filing, record_ruling, remediate
from app.confirmation.package.integrity import check_evidence_integrity
from app.confirmation.package.papers import check_papers_integrity
from app.confirmation.package.records import check_records_integrity
from app.confirmation.signing import (
    may_sign_package,
    package_signed_roles,
    send_package_code,
    sign_package,
)
from app.core import clock, jobs
from app.core.transaction import claim, conflict_on, use_case
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding, Severity
from app.rules.collusion import finding_key, is_liftable
from app.rules.confirmability import unacknowledged_warnings
from app.rules.courts import CompetentCourt, is_competent

# Two releases of the same case at the same moment would number their packages alike
# (``migrations/versions/0005_confirmation.py``): the second lost the race.
conflict_on("uq_confirmation_packages_case_id")

UNFILED = (
    PackageStatus.RENDERING,
    PackageStatus.FAILED,
    PackageStatus.SIGNING,
    PackageStatus.READY,
)

__all__ = [
    "ConfirmationError",
    "acknowledge",
    "competent_courts_for",
    "confirmation_deadline_for",
    "current_package",
    "facts_for",
    "is_overdue",
    "lift_signals",
    "may_sign_package",
    "notify_parties",
    "on_agreement_in_force",
    "overdue_cases",
    "package_signed_roles",
    "packages_of",
    "pending_acknowledgements",
    "pending_lifts",
    "record_filing",
    "record_ruling",
    "release_package",
    "remediate",
    "run_checks",
    "send_package_code",
    "sign_package",
]


@use_case
def release_package(mediator: User, case: Case, court_name: str) -> ConfirmationPackage:
    """Release the package addressed to ``court_name``. Refused before the agreement is in
    force (``not_in_force``), when an evidence file no longer matches its hash
    (``evidence_changed``, detail = the file's name), for a court outside the competent
    ones (``court_not_competent``, CPL Art. 205), when a pre-check blocks (``blocked``;
    a sham-mediation signal the mediator lifted with a written justification does not,
    :mod:`app.confirmation.lifts`) or a warning is not acknowledged (``unacknowledged``).
    An earlier unfiled package is superseded; the worker builds the new one once this is
    stored. The package keeps the acknowledgements and the lifts with their
    justifications, which its pre-check report prints."""
    require_mediator(mediator, case)
    agreement = in_force_agreement(case)
    if agreement is None or case.state != CaseState.IN_FORCE:
        raise ConfirmationRefused("not_in_force")
    check_evidence_integrity(case)  # the package embeds the files byte for byte
    check_papers_integrity(case)
    check_records_integrity(case)
    court = _competent_court(case, court_name)
    findings = run_checks(case, court.court.name)
    lifts = pending_lifts(case)
    blocking = still_blocking(findings, {lift["key"] for lift in lifts})
    if blocking:
        raise ConfirmationBlocked("blocked", findings=blocking)
    acknowledged = pending_acknowledgements(case)
    waiting = unacknowledged_warnings(findings, {a["code"] for a in acknowledged})
    if waiting:
        raise ConfirmationBlocked("unacknowledged", findings=waiting)
    warned = {f.code for f in findings if f.severity is Severity.WARN}
    package = _create_package(mediator, case, agreement, court, findings)
    keys = {finding_key(f) for f in findings if is_liftable(f)}
    package.acknowledged = [a for a in acknowledged if a["code"] in warned] + [
        lift for lift in lifts if lift["key"] in keys
    ]
    audit.record(
        AuditAction.CASE_CONFIRMATION_RELEASE,
        actor=mediator,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={
            "number": package.number,
            "agreement_version": agreement.version,
            "court": package.court_name,
            "findings": [f["code"] for f in package.findings],
            "acknowledged": sorted(warned),
            "lifted": sorted(lift["key"] for lift in lifts if lift["key"] in keys),
        },
    )
    jobs.enqueue("build_package_task", package.id)
    return package


def _competent_court(case: Case, court_name: str) -> CompetentCourt:
    competent = competent_courts_for(case)
    if not is_competent(court_name or "", competent):
        findings = [
            f for f in run_checks(case, court_name) if f.code == "confirm.court_not_competent"
        ]
        raise ConfirmationBlocked("court_not_competent", findings=findings, detail=court_name)
    return next(c for c in competent if is_competent(court_name, [c]))


def _create_package(
    mediator: User,
    case: Case,
    agreement: Agreement,
    court: CompetentCourt,
    findings: list[Finding],
) -> ConfirmationPackage:
    """The case row is taken first (lock order: the case, then its packages); an earlier
    unfiled package is superseded by the new one."""
    claim(case)
    case.last_activity_at = clock.now()
    earlier = packages_of(case)
    for old in earlier:
        if old.status in UNFILED and old.filed_on is None:
            old.status = PackageStatus.SUPERSEDED
    package = ConfirmationPackage(
        case_id=case.id,
        agreement_id=agreement.id,
        number=max((p.number for p in earlier), default=0) + 1,
        status=PackageStatus.RENDERING,
        court_name=court.court.name,
        court_division=court.court.division_code,
        findings=[_finding_json(f) for f in findings],
        acknowledged=[],
        released_by_id=mediator.id,
        render_attempts=1,
        render_requested_at=clock.now(),
    )
    db.session.add(package)
    db.session.flush()
    return package


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message_zh": finding.message_zh,
        "message_en": finding.message_en,
        "source": finding.source,
    }
