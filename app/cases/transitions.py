"""Moving a case from one state to the next.

The moves themselves are :mod:`app.rules.cases`; this applies one to a stored case. Every
stage of a case's life (intake, the invitation, negotiation, the agreement, the court's
confirmation) moves the case through here, so it imports nothing of those stages.
"""

from __future__ import annotations

from app.cases.errors import CaseRuleError
from app.core import clock
from app.models.cases import Case
from app.rules.cases import CaseEvent, InvalidTransition, next_state


def transition_case(case: Case, event: CaseEvent) -> None:
    """Move ``case`` on by ``event``; ``CaseRuleError("wrong_state")`` if the rules do not
    allow that move from the case's current state."""
    try:
        case.state = next_state(case.state, event)
    except InvalidTransition:
        raise CaseRuleError("wrong_state") from None
    case.last_activity_at = clock.now()
