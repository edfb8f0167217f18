"""Extending the mediation period by agreement (cf. 在线调解规则 Art. 24): one party proposes a
new last day, the other accepts (the period then runs to that day, shown with the case's
deadline) or declines. One proposal waits at a time; a new one replaces it."""

from __future__ import annotations

from datetime import date

from app import audit
from app.access import Permission, can
from app.audit import AuditAction
from app.closing.ending import EndingRefused
from app.closing.facts import mediation_end, side_of
from app.core import clock
from app.core.transaction import claim, use_case
from app.models.cases import Case
from app.models.users import User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.closing import closing_notice
from app.rules.mediation_failure import check_extension, check_extension_answer

OTHER_SIDE = {"creditor": "debtor", "debtor": "creditor"}


def _current_end(actor: User, case: Case) -> date:
    if not can(actor, Permission.MEDIATION_EXTEND, case):
        raise EndingRefused("not_allowed")
    end = mediation_end(case)
    if end is None:
        raise EndingRefused("wrong_state")
    return end


def _notify(case: Case, event: str, roles: set[str]) -> None:
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: closing_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )


@use_case
def propose_extension(actor: User, case: Case, until: date) -> None:
    """A party proposes that the mediation run until ``until``: refused once the period
    has ended, for a day not after its current end, or more than 90 days past it."""
    check_extension(until, _current_end(actor, case), clock.today())
    claim(case)
    side = side_of(actor)
    case.extension_proposed_until = until
    case.extension_proposed_by_side = side
    case.extension_proposed_at = clock.now()
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_EXTENSION_PROPOSE,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"until": until.isoformat(), "side": side},
    )
    _notify(case, "extension_proposed", {OTHER_SIDE[side], "mediator"})


@use_case
def answer_extension(actor: User, case: Case, *, accept: bool) -> None:
    """The other party accepts (the period now ends on the proposed day, which becomes the
    case's next deadline) or declines the proposed extension."""
    end = _current_end(actor, case)
    proposer = case.extension_proposed_by_side
    check_extension_answer(proposer, side_of(actor))
    until = case.extension_proposed_until
    assert until is not None and proposer is not None
    if accept:
        check_extension(until, end, clock.today())
    claim(case)
    if accept:
        case.mediation_extended_until = until
        case.next_deadline = until
    case.extension_proposed_until = case.extension_proposed_by_side = None
    case.extension_proposed_at = None
    case.last_activity_at = clock.now()
    audit.record(
        AuditAction.CASE_EXTENSION_ACCEPT if accept else AuditAction.CASE_EXTENSION_DECLINE,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"until": until.isoformat(), "proposed_by": proposer},
    )
    event = "extension_accepted" if accept else "extension_declined"
    _notify(case, event, {"debtor", "creditor", "mediator"} if accept else {proposer, "mediator"})
