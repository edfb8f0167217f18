"""The debtor's restructuring request and the answers to it (民法典 Art. 543: a contract is
changed by the parties' consensus). The debtor whose situation changed offers a new
schedule for the remaining balance; the other party accepts, declines with a reason, or
answers with other terms, until one side accepts what the other offered. The new
schedule always covers exactly what remains unpaid, to the fen: what was paid is never
collected again (:func:`app.rules.restructuring.check_restructured_schedule`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.errors import InvalidInput
from app.core.transaction import claim, conflict_on, use_case
from app.extensions import db
from app.models.cases import Case
from app.models.restructuring import RequestStatus, RestructuringRequest
from app.models.users import Role, User
from app.notifications.content import check_words_to_debtor
from app.restructuring.common import (
    DECLINE_MAX,
    REASON_MAX,
    RestructuringInvalid,
    RestructuringRefused,
    basis_of,
    live_performance,
    notify,
    open_request,
    party_role,
    schedule_refused,
)
from app.rules.restructuring import (
    basis_to_json,
    check_restructured_schedule,
    schedule_to_json,
)
from app.rules.schedules import Schedule

# Two requests filed at the same moment: the open request's unique column lets one land.
conflict_on("uq_restructuring_requests_open_case_id")


def _offer(
    side: str, actor: User, schedule: Schedule, remaining: Decimal, n: int
) -> dict[str, Any]:
    return {
        "number": n,
        "side": side,
        "by": actor.id,
        "at": clock.now().isoformat(),
        "remaining": str(remaining),
        "schedule": schedule_to_json(schedule),
    }


def _checked(case: Case, schedule: Schedule) -> Decimal:
    """The remaining balance today, once ``schedule`` is checked against it."""
    _, perf = live_performance(case, clock.today())
    basis = basis_of(perf)
    try:
        check_restructured_schedule(basis, schedule)
    except InvalidInput as err:
        raise schedule_refused(err.code, basis.remaining.total) from None
    return basis.remaining.total


@use_case
def file_request(actor: User, case: Case, reason: str, schedule: Schedule) -> RestructuringRequest:
    """The debtor asks for new terms for what remains unpaid, saying what changed.
    Refused (nothing written) on a case not in performance or fully paid, with a request
    already open, by anyone but the case's debtor, without a reason, or with a schedule
    that does not add up exactly to the remaining balance."""
    if party_role(actor, case) != "debtor":
        raise RestructuringRefused("not_the_debtor")
    agreement, _ = live_performance(case, clock.today())
    if open_request(case) is not None:
        raise RestructuringRefused("already_open")
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise RestructuringInvalid("reason_required", "reason")
    remaining = _checked(case, schedule)
    claim(case)
    request = RestructuringRequest(
        case_id=case.id,
        agreement_id=agreement.id,
        status=RequestStatus.OPEN,
        reason=reason,
        offers=[_offer("debtor", actor, schedule, remaining, 1)],
        requested_by_id=actor.id,
        open_case_id=case.id,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        AuditAction.CASE_RESTRUCTURING_REQUEST,
        actor=actor,
        object_type="restructuring",
        object_id=request.id,
        case_id=case.id,
        data={
            "agreement_id": agreement.id,
            "remaining": str(remaining),
            "rows": len(schedule.instalments),
            "last_due": schedule.last_due.isoformat(),
        },
    )
    notify(case, "restructuring_requested", roles={"creditor", "mediator"})
    return request


def _answerable(actor: User, case: Case) -> tuple[RestructuringRequest, str]:
    request = open_request(case)
    if request is None or request.status != RequestStatus.OPEN:
        raise RestructuringRefused("no_open_request")
    side = party_role(actor, case)
    if side is None:
        raise RestructuringRefused("not_a_party")
    if request.offers[-1]["side"] == side:
        raise RestructuringRefused("own_offer")
    return request, side


@use_case
def counter_offer(actor: User, case: Case, schedule: Schedule) -> RestructuringRequest:
    """The party answering offers other terms for the remaining balance; the other side
    answers them in turn."""
    request, side = _answerable(actor, case)
    remaining = _checked(case, schedule)
    claim(case)
    n = len(request.offers) + 1
    request.offers = [*request.offers, _offer(side, actor, schedule, remaining, n)]
    audit.record(
        AuditAction.CASE_RESTRUCTURING_COUNTER,
        actor=actor,
        object_type="restructuring",
        object_id=request.id,
        case_id=case.id,
        data={"offer": n, "side": side, "remaining": str(remaining)},
    )
    notify(case, "restructuring_countered", roles={"debtor", "creditor", "mediator"} - {side})
    return request


@use_case
def accept_offer(actor: User, case: Case) -> RestructuringRequest:
    """The party answering accepts the other side's terms: the remaining balance and the
    rows kept and superseded are frozen for the supplementary agreement. Refused
    (``balance_changed``) when a payment since the offer changed the remaining balance."""
    request, side = _answerable(actor, case)
    _, perf = live_performance(case, clock.today())
    basis = basis_of(perf)
    offer = request.offers[-1]
    if Decimal(offer["remaining"]) != basis.remaining.total:
        raise RestructuringRefused("balance_changed")
    claim(case)
    request.status = RequestStatus.ACCEPTED
    request.basis = basis_to_json(basis, perf.status)
    request.decided_by_id = actor.id
    request.decided_at = clock.now()
    audit.record(
        AuditAction.CASE_RESTRUCTURING_ACCEPT,
        actor=actor,
        object_type="restructuring",
        object_id=request.id,
        case_id=case.id,
        data={"offer": offer["number"], "side": side, "remaining": offer["remaining"]},
    )
    notify(case, "restructuring_accepted", roles={"debtor", "creditor", "mediator"})
    return request


@use_case
def decline_request(actor: User, case: Case, reason: str) -> RestructuringRequest:
    """The party answering declines, saying why; the agreement stays as it is and the
    debtor may ask again later."""
    request, side = _answerable(actor, case)
    reason = (reason or "").strip()
    if not reason or len(reason) > DECLINE_MAX:
        raise RestructuringInvalid("decline_reason", "reason")
    if actor.role != Role.DEBTOR:  # the debtor reads why their request was declined
        check_words_to_debtor(reason, case, field="reason")
    claim(case)
    request.status = RequestStatus.DECLINED
    request.open_case_id = None
    request.decided_by_id = actor.id
    request.decided_at = clock.now()
    request.decline_reason = reason
    audit.record(
        AuditAction.CASE_RESTRUCTURING_DECLINE,
        actor=actor,
        object_type="restructuring",
        object_id=request.id,
        case_id=case.id,
        data={"offer": request.offers[-1]["number"], "side": side},
    )
    notify(case, "restructuring_declined", roles={"debtor", "creditor", "mediator"} - {side})
    return request
