"""Lifting a sham-mediation signal with a written justification (CPL Art. 115; 民诉法解释
Art. 358; the signals are :mod:`app.rules.collusion`).

A strong signal blocks the release. The mediator who checked it (a family sharing one
phone, both parties signing in the mediation room) may lift it by writing why it does not
show a staged mediation. The lift is an audit event (``case:confirmation:lift``) naming
each finding by its key (its code and evidence, ``app.rules.collusion.finding_key``), so
a signal whose evidence changes needs a new justification; like an acknowledgement it
lapses at the next release, remediation or agreement taking effect
(:data:`app.confirmation.acknowledgements.ACKNOWLEDGEMENT_RESETS`). The released package
prints every lifted signal with its justification.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC
from typing import Any

from app import audit
from app.audit import AuditAction
from app.confirmation.acknowledgements import events_since_reset, run_checks
from app.confirmation.common import require_mediator
from app.confirmation.errors import ConfirmationInvalid, ConfirmationRefused
from app.core import clock
from app.core.transaction import claim, use_case
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Finding, Severity
from app.rules.collusion import finding_key, is_liftable

MIN_JUSTIFICATION = 15
MAX_JUSTIFICATION = 2000


def pending_lifts(case: Case) -> list[dict[str, Any]]:
    """The signals lifted since the last release, remediation or agreement taking effect:
    ``{"key", "code", "by", "at", "justification"}``, one per key (the latest)."""
    latest: dict[str, dict[str, Any]] = {}
    for event in events_since_reset(case, AuditAction.CASE_CONFIRMATION_LIFT):
        for key in event.data.get("keys", []):
            latest[key] = {
                "key": key,
                "code": key.partition(":")[0] if ":" in key else key,
                "by": event.actor_id,
                "at": event.occurred_at.astimezone(UTC).isoformat(),
                "justification": event.data.get("justification", ""),
            }
    return list(latest.values())


def still_blocking(findings: Iterable[Finding], lifted_keys: Collection[str]) -> list[Finding]:
    """The blocks left once the lifted signals are set aside."""
    return [
        f
        for f in findings
        if f.severity is Severity.BLOCK and not (is_liftable(f) and finding_key(f) in lifted_keys)
    ]


@use_case
def lift_signals(mediator: User, case: Case, keys: Iterable[str], justification: str) -> list[str]:
    """The mediator lifts the signals named by ``keys`` (finding keys of liftable blocks the
    checks find now; ``not_liftable``, detail = the key, otherwise) with a written
    justification of 15 to 2,000 characters, recorded in the audit log."""
    require_mediator(mediator, case)
    if case.state != CaseState.IN_FORCE:
        raise ConfirmationRefused("wrong_state")
    wanted = sorted({key.strip() for key in keys if key.strip()})
    if not wanted:
        raise ConfirmationInvalid("nothing_to_lift", "key")
    text = " ".join(justification.split())
    if len(text) < MIN_JUSTIFICATION:
        raise ConfirmationInvalid("justification_required", "justification")
    if len(text) > MAX_JUSTIFICATION:
        raise ConfirmationInvalid("justification_too_long", "justification")
    liftable = {finding_key(f): f.code for f in run_checks(case, None) if is_liftable(f)}
    for key in wanted:
        if key not in liftable:
            raise ConfirmationRefused("not_liftable", "key", detail=key)
    claim(case)
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_CONFIRMATION_LIFT,
        actor=mediator,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={
            "keys": wanted,
            "codes": sorted({liftable[k] for k in wanted}),
            "justification": text,
        },
    )
    return wanted
