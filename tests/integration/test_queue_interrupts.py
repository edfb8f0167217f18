"""Ctrl-C during an inline task stops the caller.

With Huey in immediate mode (the tests, ``flask seed-demo``) a task runs inside whoever
enqueued it. Huey catches a ``KeyboardInterrupt`` raised in a task and only logs it (right
for the consumer, which shuts down on its own signal handling): without
:func:`app.queue._interrupt_the_caller`, Ctrl-C during a PDF render was swallowed and the
run went on.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from weasyprint.document import Document

from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.queue import huey
from tests import agreement_support as support

STOPS = {"ctrl-c": KeyboardInterrupt, "exit": SystemExit}


@huey.task()
def _stopped_task(how: str) -> None:
    raise STOPS[how]()


@pytest.mark.parametrize("how", sorted(STOPS))
def test_an_interrupt_in_an_inline_task_reaches_the_caller(how: str) -> None:
    assert huey.immediate
    with pytest.raises(STOPS[how]):
        _stopped_task(how)


def test_ctrl_c_during_a_pdf_render_stops_the_mediator_drafting(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = support.people()
    case = support.settled_case(who)

    def interrupted(*args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(Document, "write_pdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        support.draft(case, who)
    # The render never finished: the version is neither failed nor open for signing.
    (agreement,) = db.session.scalars(select(Agreement).where(Agreement.case_id == case.id))
    assert agreement.status == AgreementStatus.RENDERING


def test_the_consumer_still_logs_an_interrupted_task_and_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(huey, "immediate", False)
    # What the consumer does with a dequeued task: the interrupt is its own to handle.
    assert huey.execute(_stopped_task.s("ctrl-c")) is None
