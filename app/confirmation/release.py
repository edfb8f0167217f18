"""Judicial confirmation (司法确认, BRIEF §2 journey 6, §5, §7): the 30-day clock, the
pre-checks, the mediator's acknowledgement of warnings and the release of the package.

Once the agreement takes effect the parties have 30 days to apply jointly (CPL Art. 205;
人民调解法 Art. 33). The mediator runs the pre-checks (民诉法解释 Arts. 354, 355, 358),
acknowledges each warning, picks a competent court and releases the package; the worker
builds it; the parties sign it (``confirmation_signing``); the mediator records the filing
and the ruling (``confirmation_outcome``).

Acknowledgements live in the audit log: each ``case:confirmation:acknowledge`` event holds
the warning codes; a release reads those recorded since the last release, remediation or
agreement taking effect, so an acknowledgement never outlives the situation it was for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app import audit
from app.confirmation.common import (
    ConfirmationConflict,
    ConfirmationError,
    current_package,
    notify_parties,
    packages_of,
    require_mediator,
    touch_case,
)
from app.confirmation.deadline import (
    confirmation_deadline_for,
    in_force_agreement,
    is_overdue,
    on_agreement_in_force,
    overdue_cases,
)
from app.confirmation.facts import competent_courts_for, facts_for
from app.confirmation.outcome import record_filing, record_ruling, remediate
from app.confirmation.signing import (
    may_sign_package,
    package_signed_roles,
    send_package_code,
    sign_package,
)
from app.extensions import db
from app.models.agreements import Agreement
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding, Severity
from app.rules.confirmability import check_confirmability, unacknowledged_warnings
from app.rules.courts import CompetentCourt, is_competent

ACKNOWLEDGE = "case:confirmation:acknowledge"
# After any of these, earlier acknowledgements no longer count.
ACKNOWLEDGEMENT_RESETS = (
    "case:confirmation:release",
    "case:confirmation:remediate",
    "case:agreement:in_force",
)
UNFILED = (
    PackageStatus.RENDERING,
    PackageStatus.FAILED,
    PackageStatus.SIGNING,
    PackageStatus.READY,
)

__all__ = [
    "ConfirmationConflict",
    "ConfirmationError",
    "acknowledge",
    "competent_courts_for",
    "confirmation_deadline_for",
    "current_package",
    "facts_for",
    "is_overdue",
    "may_sign_package",
    "notify_parties",
    "on_agreement_in_force",
    "overdue_cases",
    "package_signed_roles",
    "packages_of",
    "pending_acknowledgements",
    "record_filing",
    "record_ruling",
    "release_package",
    "remediate",
    "run_checks",
    "send_package_code",
    "sign_package",
]


# --- checks and acknowledgements --------------------------------------------------------


def run_checks(case: Case, court: str | None) -> list[Finding]:
    """The confirmability pre-checks for this case addressed to ``court`` (BRIEF §5.2),
    blocks first."""
    return check_confirmability(facts_for(case, court))


def pending_acknowledgements(case: Case) -> list[dict[str, Any]]:
    """The warnings the mediator acknowledged since the last release, remediation or
    agreement taking effect: ``{"code", "by", "at"}``, one per code (the latest)."""
    reset = db.session.scalar(
        select(AuditEvent.id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action.in_(ACKNOWLEDGEMENT_RESETS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.action == ACKNOWLEDGE,
            AuditEvent.id > (reset or 0),
        )
        .order_by(AuditEvent.id)
    )
    latest: dict[str, dict[str, Any]] = {}
    for event in events:
        for code in event.data.get("codes", []):
            at = event.occurred_at.astimezone(UTC).isoformat()
            latest[code] = {"code": code, "by": event.actor_id, "at": at}
    return list(latest.values())


def acknowledge(mediator: User, case: Case, codes: Iterable[str]) -> list[str]:
    """The mediator acknowledges warnings they have read (BRIEF §5.2: a warning needs the
    mediator's acknowledgement, which is recorded). Only codes of warnings the checks find
    now are accepted (``not_a_warning``, detail = the code); a block cannot be waved away."""
    require_mediator(mediator, case)
    if case.state != CaseState.IN_FORCE:
        raise ConfirmationError("wrong_state")
    wanted = sorted({code.strip() for code in codes if code.strip()})
    if not wanted:
        raise ConfirmationError("nothing_to_acknowledge")
    warnings = {f.code for f in run_checks(case, None) if f.severity is Severity.WARN}
    for code in wanted:
        if code not in warnings:
            raise ConfirmationError("not_a_warning", detail=code)
    try:
        touch_case(case)
    except StaleDataError as err:
        db.session.rollback()
        raise ConfirmationConflict() from err
    audit.record(
        ACKNOWLEDGE,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"codes": wanted},
    )
    db.session.commit()
    return wanted


# --- release ----------------------------------------------------------------------------


def release_package(mediator: User, case: Case, court_name: str) -> ConfirmationPackage:
    """Release the package addressed to ``court_name``. Refused before the agreement is in
    force (``not_in_force``), when an evidence file no longer matches its hash
    (``evidence_changed``, detail = the file's name), for a court outside the competent
    ones (``court_not_competent``, CPL Art. 205), when a pre-check blocks (``blocked``) or
    a warning is not acknowledged (``unacknowledged``). An earlier unfiled package is
    superseded; the worker builds the new one after the commit."""
    require_mediator(mediator, case)
    agreement = in_force_agreement(case)
    if agreement is None or case.state != CaseState.IN_FORCE:
        raise ConfirmationError("not_in_force")
    _check_evidence(case)
    court = _competent_court(case, court_name)
    findings = run_checks(case, court.court.name)
    blocking = [f for f in findings if f.severity is Severity.BLOCK]
    if blocking:
        raise ConfirmationError("blocked", blocking)
    acknowledged = pending_acknowledgements(case)
    waiting = unacknowledged_warnings(findings, {a["code"] for a in acknowledged})
    if waiting:
        raise ConfirmationError("unacknowledged", waiting)
    warned = {f.code for f in findings if f.severity is Severity.WARN}
    package = _create_package(mediator, case, agreement, court, findings)
    package.acknowledged = [a for a in acknowledged if a["code"] in warned]
    audit.record(
        "case:confirmation:release",
        actor=mediator,
        object_type="confirmation_package",
        object_id=package.id,
        case_id=case.id,
        data={
            "number": package.number,
            "agreement_version": agreement.version,
            "court": package.court_name,
            "findings": [f["code"] for f in package.findings],
            "acknowledged": sorted(warned),
        },
    )
    db.session.commit()
    _enqueue_build(package.id)
    return package


def _check_evidence(case: Case) -> None:
    """Every evidence file must still match the hash taken at upload (the package embeds
    them byte for byte): the first one that does not is named."""
    from app.confirmation.package.build import PackageError, check_evidence_integrity

    try:
        check_evidence_integrity(case)
    except PackageError as err:
        detail = getattr(err, "detail", None) or str(err)
        raise ConfirmationError("evidence_changed", detail=detail) from None


def _competent_court(case: Case, court_name: str) -> CompetentCourt:
    competent = competent_courts_for(case)
    if not is_competent(court_name or "", competent):
        findings = [
            f for f in run_checks(case, court_name) if f.code == "confirm.court_not_competent"
        ]
        raise ConfirmationError("court_not_competent", findings, detail=court_name)
    return next(c for c in competent if is_competent(court_name, [c]))


def _create_package(
    mediator: User,
    case: Case,
    agreement: Agreement,
    court: CompetentCourt,
    findings: list[Finding],
) -> ConfirmationPackage:
    try:
        touch_case(case)
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
        )
        db.session.add(package)
        db.session.flush()
    except Exception as err:
        db.session.rollback()
        if isinstance(err, StaleDataError) or "unique" in str(err).lower():
            raise ConfirmationConflict() from err
        raise
    return package


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message_zh": finding.message_zh,
        "message_en": finding.message_en,
        "source": finding.source,
    }


def _enqueue_build(package_id: int) -> None:
    from app.confirmation.tasks import build_package_task  # TRANSITION: becomes jobs.enqueue

    build_package_task(package_id)
