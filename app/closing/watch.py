"""Watching mediations that run out of time (run by the worker, :mod:`app.closing.tasks`):
a case whose debtor did not answer the invitation within the response period closes as
``no_response``; a case still in negotiation when the mediation period (extension
included) has ended closes as ``period_expired`` (cf. 在线调解规则 Art. 24; 人民调解法 Art. 26).

One use case per case, on the legal clock; a negotiating case's deadline on the docket is
kept at the period's last day. The rules decide (:func:`check_failure`): a case
they refuse today is left alone. Idempotent: a case closed is no longer in the state
watched, and two workers closing the same case at once collide on its version (the second
gets :class:`Conflict` and does nothing).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.closing.ending import EndingRefused, close_case
from app.closing.facts import mediation_end
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import use_case
from app.extensions import db
from app.models.cases import Case
from app.rules.cases import CaseState
from app.rules.mediation_failure import FailureGround, MediationFailureRefused

log = logging.getLogger(__name__)

WATCHED = {
    CaseState.INVITED: FailureGround.NO_RESPONSE,
    CaseState.NEGOTIATING: FailureGround.PERIOD_EXPIRED,
}


def watch_mediations(now: datetime | None = None) -> int:
    """Close every case whose time ran out; returns how many were closed."""
    now = now or clock.now()
    cases = db.session.execute(
        select(Case.id, Case.state).where(Case.state.in_(tuple(WATCHED))).order_by(Case.id)
    ).all()
    closed = 0
    for case_id, state in cases:
        try:
            closed += _close_if_due(case_id, WATCHED[CaseState(state)], now)
        except Conflict:
            log.info("case %s was closed by another worker at the same moment", case_id)
    return closed


@use_case
def _close_if_due(case_id: int, ground: FailureGround, now: datetime) -> int:
    case = db.session.get(Case, case_id)
    if case is None or WATCHED.get(case.state) is not ground:
        return 0
    try:
        close_case(case, ground, actor=None, reason=None, now=now)
    except (MediationFailureRefused, EndingRefused):
        # Not yet: the rules decide. The docket's deadline follows the period (a mediation
        # reopened after the court's refusal runs from then; the legal calendar may change).
        end = mediation_end(case) if ground is FailureGround.PERIOD_EXPIRED else None
        if end is not None and case.next_deadline != end:
            case.next_deadline = end
        return 0
    log.info("case %s closed as not mediated: %s", case.id, ground.value)
    return 1
