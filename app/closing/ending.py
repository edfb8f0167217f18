"""Closing a case as not mediated (CLOSED_NOT_MEDIATED) on a ground of
:mod:`app.rules.mediation_failure`: the rules decide whether the case may close on that
ground today, the ground, who ended it and why are recorded on the case with an audit
event, the parties and the mediator are told, and the certificate that mediation ended
is asked for once the transaction commits (:func:`app.cases.joining.closed_not_mediated`).

- A party (the creditor or the debtor) may ask to end the mediation at any time before an
  agreement takes effect (人民调解法 Art. 23(2)): ``party_ended``.
- The mediator ends it when no agreement can be reached (Art. 26): ``no_agreement``.
- The worker closes a case whose debtor did not answer the invitation in time
  (``no_response``) or whose mediation period ended while the parties were still
  negotiating (``period_expired``; cf. 在线调解规则 Art. 24): :mod:`app.closing.watch`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.calendar.overrides import legal_calendar
from app.cases.errors import CaseRuleError
from app.cases.joining import closed_not_mediated
from app.cases.transitions import transition_case
from app.closing.facts import mediation_facts, response_days, side_of
from app.core import clock
from app.core.transaction import claim, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.invitations import Invitation
from app.models.users import Role, User
from app.notifications.content import check_words_to_debtor
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.closing import closing_notice
from app.rules.cases import CaseEvent
from app.rules.errors import Refused
from app.rules.mediation_failure import FailureGround, check_failure

MAX_REASON = 2000
EVENTS = {
    FailureGround.NO_RESPONSE: CaseEvent.LAPSE,
    FailureGround.PERIOD_EXPIRED: CaseEvent.EXPIRE,
    FailureGround.PARTY_ENDED: CaseEvent.PARTY_END,
    FailureGround.NO_AGREEMENT: CaseEvent.MEDIATOR_END,
}


class EndingRefused(Refused):
    messages: ClassVar[dict[str, Any]] = {
        "not_allowed": _l("You may not end the mediation of this case."),
        "wrong_state": _l("The mediation of this case cannot be ended now."),
        "reason_required": _l("Say why the mediation should end."),
        "reason_too_long": _l("Keep the reason under 2,000 characters."),
        "confirm_required": _l("Tick the box to confirm that the case closes for good."),
    }


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise EndingRefused("reason_required", "reason", status=400)
    if len(reason) > MAX_REASON:
        raise EndingRefused("reason_too_long", "reason", status=400)
    return reason


@use_case
def end_by_party(actor: User, case: Case, reason: str, *, confirmed: bool) -> None:
    """The creditor or the debtor asks to end the mediation, with a reason, after
    confirming that the case closes for good (人民调解法 Art. 23(2))."""
    if not can(actor, Permission.MEDIATION_END, case):
        raise EndingRefused("not_allowed")
    text = _reason(reason)
    if actor.role != Role.DEBTOR:  # the debtor reads the creditor's reason
        check_words_to_debtor(text, case, field="reason")
    if not confirmed:
        raise EndingRefused("confirm_required", "confirm", status=400)
    close_case(case, FailureGround.PARTY_ENDED, actor=actor, reason=text)


@use_case
def end_by_mediator(actor: User, case: Case, reason: str, *, confirmed: bool) -> None:
    """The assigned mediator ends the mediation, with a reason, finding that no agreement
    can be reached (人民调解法 Art. 26)."""
    if not can(actor, Permission.MEDIATION_TERMINATE, case):
        raise EndingRefused("not_allowed")
    text = _reason(reason)
    check_words_to_debtor(text, case, field="reason")  # the debtor reads the reason
    if not confirmed:
        raise EndingRefused("confirm_required", "confirm", status=400)
    close_case(case, FailureGround.NO_AGREEMENT, actor=actor, reason=text)


def close_case(
    case: Case,
    ground: FailureGround,
    *,
    actor: User | None,
    reason: str | None,
    now: datetime | None = None,
) -> None:
    """Close ``case`` as not mediated on ``ground`` (inside the caller's use case):
    ``MediationFailureRefused`` when the rules refuse the ground today,
    ``EndingRefused("wrong_state")`` when the case's state does not allow it."""
    now = now or clock.now()
    today = clock.day_of(now)
    check_failure(
        ground,
        mediation_facts(case, ground, today),
        today,
        legal_calendar(),
        response_days=response_days(),
    )
    claim(case)
    try:
        transition_case(case, EVENTS[ground])
    except CaseRuleError:
        raise EndingRefused("wrong_state") from None
    case.closed_at = now
    case.next_deadline = None
    case.close_reason = reason
    case.failure_ground = ground.value
    case.ended_by_side = side_of(actor) if actor is not None else None
    case.extension_proposed_until = case.extension_proposed_by_side = None
    case.extension_proposed_at = None
    # A link the debtor has not used stops working: there is nothing left to answer.
    for invitation in db.session.scalars(
        select(Invitation).where(
            Invitation.case_id == case.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now
    audit.record(
        AuditAction.CASE_MEDIATION_END,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"ground": ground.value, "side": case.ended_by_side, "reason": reason},
    )
    event = f"mediation_ended_{ground.value}"
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: closing_notice(event, org, ref, link, channel=channel),
        roles={"debtor", "creditor", "mediator"},
        now=now,
    )
    closed_not_mediated(case)
