"""A render lost with its worker: the periodic check asks again for a version still being
prepared after ``RENDER_TIMEOUT_MINUTES``, a bounded number of times, then fails it for
the mediator; asking again for a version already rendered makes no second document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.agreements import recovery
from app.agreements.rendering import render_agreement
from app.core import clock, jobs
from app.extensions import db
from app.models import AuditEvent
from app.models.agreements import Agreement, AgreementStatus, IssuedDocument
from tests import agreement_support as support


@pytest.fixture
def lost_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Renders asked for but never run (their worker was killed): what was asked for."""
    asked: list[int] = []
    monkeypatch.setitem(jobs._TASKS, "render_agreement_task", asked.append)
    return asked


def _actions(agreement: Agreement) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "agreement", AuditEvent.object_id == str(agreement.id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_lost_render_is_asked_for_again_then_failed_after_the_last_attempt(
    app: Flask, lost_renders: list[int]
) -> None:
    who = support.people()
    agreement = support.draft(support.settled_case(who), who)
    assert (agreement.status, agreement.render_attempts) == (AgreementStatus.RENDERING, 1)
    assert lost_renders == [agreement.id]
    start = clock.now()

    # Within the bound nothing happens: the render may simply be running.
    assert recovery.recover_stalled_agreements(start + timedelta(minutes=9)) == 0
    assert lost_renders == [agreement.id]

    for attempt, minutes in ((2, 11), (3, 22)):
        assert recovery.recover_stalled_agreements(start + timedelta(minutes=minutes)) == 1
        db.session.refresh(agreement)
        assert agreement.status == AgreementStatus.RENDERING
        assert agreement.render_attempts == attempt
        assert lost_renders == [agreement.id] * attempt

    assert recovery.recover_stalled_agreements(start + timedelta(minutes=33)) == 1
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.FAILED
    assert agreement.render_error == recovery.TIMED_OUT
    assert agreement.render_attempts == 3
    assert len(lost_renders) == 3  # failed, not asked for a fourth time
    assert _actions(agreement)[-3:] == [
        "case:agreement:render:retry",
        "case:agreement:render:retry",
        "case:agreement:render:fail",
    ]
    # A failed version is left alone by later checks.
    assert recovery.recover_stalled_agreements(start + timedelta(hours=5)) == 0


def test_the_bound_and_the_attempts_are_settings(app: Flask, lost_renders: list[int]) -> None:
    import dataclasses

    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = dataclasses.replace(
        settings, render_timeout_minutes=2, render_max_attempts=1
    )
    who = support.people()
    agreement = support.draft(support.settled_case(who), who)
    assert recovery.recover_stalled_agreements(clock.now() + timedelta(minutes=3)) == 1
    db.session.refresh(agreement)
    assert agreement.status == AgreementStatus.FAILED
    assert lost_renders == [agreement.id]


def _documents(agreement: Agreement) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(IssuedDocument)
        .where(IssuedDocument.agreement_id == agreement.id)
    )


def test_asking_again_for_a_render_that_finished_makes_no_second_document(app: Flask) -> None:
    who = support.people()
    agreement = support.draft(support.settled_case(who), who)  # rendered inline
    assert agreement.status == AgreementStatus.SIGNING
    sha = agreement.current_sha256
    render_agreement(agreement.id)  # the task run again (a retry after all)
    jobs._TASKS["render_agreement_task"](agreement.id)
    assert recovery.recover_stalled_agreements(clock.now() + timedelta(hours=1)) == 0
    db.session.refresh(agreement)
    assert (agreement.status, agreement.current_sha256, agreement.version) == (
        AgreementStatus.SIGNING,
        sha,
        1,
    )
    assert _documents(agreement) == 1
    assert db.session.scalar(select(func.count()).select_from(Agreement)) == 1
