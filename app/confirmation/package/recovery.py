"""Package builds lost with their worker (as :mod:`app.agreements.recovery` does for the
agreement): a periodic check asks again for a package still being assembled
``RENDER_TIMEOUT_MINUTES`` after it was asked for, up to ``RENDER_MAX_ATTEMPTS`` attempts,
then fails it (:func:`app.confirmation.package.build.mark_failed`, reason ``timeout``)
for the mediator to see and try again (:func:`retry_build`). A build of a package no
longer being assembled does nothing, and a second concurrent build loses on the version
column: a retry never stores a second package."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import audit
from app.audit import AuditAction
from app.confirmation.common import PACKAGE_OBJECT, current_package
from app.confirmation.errors import ConfirmationRefused
from app.confirmation.package.build import mark_failed
from app.core import clock, jobs
from app.core.errors import Conflict
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.users import User

log = logging.getLogger(__name__)

TIMED_OUT = "timeout"


def recover_stalled_packages(now: datetime | None = None) -> int:
    """Ask again for (or fail) every package whose build is overdue; how many."""
    moment = now or clock.now()
    overdue = db.session.scalars(
        select(ConfirmationPackage.id).where(
            ConfirmationPackage.status == PackageStatus.RENDERING,
            func.coalesce(ConfirmationPackage.render_requested_at, ConfirmationPackage.released_at)
            < _cutoff(moment),
        )
    ).all()
    handled = 0
    for package_id in overdue:
        try:
            handled += recover_stalled(package_id, moment)
        except Conflict:  # it finished (or was retried) at this very moment
            log.info("package %s changed while it was checked", package_id)
    return handled


@use_case
def recover_stalled(package_id: int, now: datetime) -> bool:
    package = db.session.get(ConfirmationPackage, package_id)
    if package is None or package.status != PackageStatus.RENDERING:
        return False
    if (package.render_requested_at or package.released_at) >= _cutoff(now):
        return False
    if package.render_attempts >= current_app.config["SETTINGS"].render_max_attempts:
        log.error("package %s: no build after %s attempts", package_id, package.render_attempts)
        mark_failed(package_id, TIMED_OUT, "")
        return True
    log.warning("package %s: build lost or stuck, asking again", package_id)
    claim(package)
    _ask_again(package, now, actor=None)
    return True


@use_case
def retry_build(actor: User, case: Case, package: ConfirmationPackage) -> None:
    """The mediator asks again for the current package that could not be assembled."""
    current = current_package(case)
    if current is None or current.id != package.id:
        raise ConfirmationRefused("superseded")
    if package.status != PackageStatus.FAILED:
        raise ConfirmationRefused("not_failed")
    claim(package)
    package.status = PackageStatus.RENDERING
    package.render_attempts = 0
    _ask_again(package, clock.now(), actor=actor)


def _ask_again(package: ConfirmationPackage, now: datetime, actor: User | None) -> None:
    package.render_attempts += 1
    package.render_requested_at = now
    audit.record(
        AuditAction.CASE_PACKAGE_RETRY,
        actor=actor,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=package.case_id,
        data={"number": package.number, "attempt": package.render_attempts},
    )
    jobs.enqueue("build_package_task", package.id)


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(minutes=current_app.config["SETTINGS"].render_timeout_minutes)
