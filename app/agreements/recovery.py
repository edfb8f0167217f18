"""Renders lost with their worker. A worker killed mid-render takes the Huey task with it
and the version would stay "being prepared" for ever: a periodic check
(:func:`recover_stalled_agreements`, run by the worker every minute) finds versions
still rendering ``RENDER_TIMEOUT_MINUTES`` after they were asked for and asks again, up
to ``RENDER_MAX_ATTEMPTS`` attempts in all; then the version is failed, with the reason,
for the mediator to see and try again (:func:`retry_rendering`).

Asking again is safe: the render of a version no longer rendering does nothing, and of two
renders of one version only the first to commit is stored (the version column refuses
the other's write), so a retry never makes a second document.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import audit
from app.agreements.common import AgreementRefused, current_agreement
from app.audit import AuditAction
from app.core import clock, jobs
from app.core.errors import Conflict
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.users import User

log = logging.getLogger(__name__)

TIMED_OUT = "timeout"


def recover_stalled_agreements(now: datetime | None = None) -> int:
    """Ask again for (or fail) every version whose render is overdue; how many."""
    moment = now or clock.now()
    overdue = db.session.scalars(
        select(Agreement.id).where(
            Agreement.status == AgreementStatus.RENDERING,
            func.coalesce(Agreement.render_requested_at, Agreement.drafted_at) < _cutoff(moment),
        )
    ).all()
    handled = 0
    for agreement_id in overdue:
        try:
            handled += recover_stalled(agreement_id, moment)
        except Conflict:  # it finished (or was retried) at this very moment
            log.info("agreement %s changed while it was checked", agreement_id)
    return handled


@use_case
def recover_stalled(agreement_id: int, now: datetime) -> bool:
    """One overdue version: asked for again while attempts remain, else failed."""
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or agreement.status != AgreementStatus.RENDERING:
        return False
    asked = agreement.render_requested_at or agreement.drafted_at
    if asked >= _cutoff(now):
        return False
    claim(agreement)
    if agreement.render_attempts < current_app.config["SETTINGS"].render_max_attempts:
        log.warning("agreement %s: render lost or stuck, asking again", agreement_id)
        _ask_again(agreement, now, actor=None)
        return True
    log.error("agreement %s: no render after %s attempts", agreement_id, agreement.render_attempts)
    agreement.status = AgreementStatus.FAILED
    agreement.render_error = TIMED_OUT
    audit.record(
        AuditAction.CASE_AGREEMENT_RENDER_FAIL,
        actor=None,
        object_type="agreement",
        object_id=agreement.id,
        case_id=agreement.case_id,
        data={"version": agreement.version, "attempts": agreement.render_attempts},
    )
    return True


@use_case
def retry_rendering(actor: User, case: Case, agreement: Agreement) -> None:
    """The mediator asks again for a version that could not be prepared (a new round of
    attempts); only the current version, only when it failed."""
    current = current_agreement(case)
    if current is None or current.id != agreement.id:
        raise AgreementRefused("superseded")
    if agreement.status != AgreementStatus.FAILED:
        raise AgreementRefused("not_failed")
    claim(agreement)
    agreement.status = AgreementStatus.RENDERING
    agreement.render_attempts = 0
    _ask_again(agreement, clock.now(), actor=actor)


def _ask_again(agreement: Agreement, now: datetime, actor: User | None) -> None:
    agreement.render_attempts += 1
    agreement.render_requested_at = now
    audit.record(
        AuditAction.CASE_AGREEMENT_RENDER_RETRY,
        actor=actor,
        object_type="agreement",
        object_id=agreement.id,
        case_id=agreement.case_id,
        data={"version": agreement.version, "attempt": agreement.render_attempts},
    )
    jobs.enqueue("render_agreement_task", agreement.id)


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(minutes=current_app.config["SETTINGS"].render_timeout_minutes)
