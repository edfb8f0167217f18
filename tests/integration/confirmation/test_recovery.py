"""A package build lost with its worker is asked for again after ``RENDER_TIMEOUT_MINUTES``,
a bounded number of times, then failed with the reason; a build asked for again after the
package was built does nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.confirmation.package import recovery
from app.confirmation.package.build import build_package
from app.core import clock, jobs
from app.extensions import db
from app.models import AuditEvent
from app.models.confirmation import ConfirmationPackage, PackageStatus
from tests import confirmation_support as support


@pytest.fixture
def lost_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    monkeypatch.setitem(jobs._TASKS, "build_package_task", asked.append)
    return asked


def _package(status: PackageStatus) -> ConfirmationPackage:
    who, case, agreement = support.in_force_case()
    package = support.released_package(case, agreement, who["mediator"], status)
    package.render_attempts = 1
    package.render_requested_at = clock.now()
    db.session.commit()
    return package


def test_a_lost_build_is_asked_for_again_then_failed(app: Flask, lost_builds: list[int]) -> None:
    package = _package(PackageStatus.RENDERING)
    start = clock.now()
    assert recovery.recover_stalled_packages(start + timedelta(minutes=9)) == 0
    for attempt, minutes in ((2, 11), (3, 22)):
        assert recovery.recover_stalled_packages(start + timedelta(minutes=minutes)) == 1
        db.session.refresh(package)
        assert (package.status, package.render_attempts) == (PackageStatus.RENDERING, attempt)
    assert lost_builds == [package.id, package.id]
    assert recovery.recover_stalled_packages(start + timedelta(minutes=33)) == 1
    db.session.refresh(package)
    assert package.status == PackageStatus.FAILED
    assert package.render_error == recovery.TIMED_OUT
    assert lost_builds == [package.id, package.id]
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_id == str(package.id), AuditEvent.action.like("case:package:%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["case:package:retry", "case:package:retry", "case:package:fail"]


def test_a_build_asked_for_again_after_it_finished_does_nothing(
    app: Flask, lost_builds: list[int]
) -> None:
    package = _package(PackageStatus.SIGNING)
    package.current_sha256 = "a" * 64
    db.session.commit()
    build_package(package.id)  # the retried task, run after all
    assert recovery.recover_stalled_packages(clock.now() + timedelta(hours=1)) == 0
    db.session.refresh(package)
    assert (package.status, package.current_sha256) == (PackageStatus.SIGNING, "a" * 64)
    assert lost_builds == []
