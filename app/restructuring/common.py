"""What the restructuring use cases share: the refusals in words, the queries, the basis
of the remaining balance and the notices."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.agreements.common import role_on
from app.core.errors import InvalidInput, Refused
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.restructuring import (
    OPEN_REQUEST_STATES,
    RestructuringRequest,
    SupplementaryAgreement,
)
from app.models.users import User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.restructuring import restructuring_notice
from app.repayments.common import Performance, agreement_in_force, performance_of
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.errors import Refused as RuleRefused
from app.rules.repayments import RepaymentState
from app.rules.restructuring import RestructuringBasis, restructuring_basis

REASON_MAX = 2000
DECLINE_MAX = 500


class RestructuringRefused(Refused):
    """The case or the request does not allow this now."""

    messages = {
        "not_in_performance": _l(
            "A restructuring can be requested only while an agreement is in force and "
            "being performed."
        ),
        "completed": _l(
            "Everything under the agreement is paid: there is nothing left to restructure."
        ),
        "already_open": _l(
            "There is already an open restructuring request on this case. It must be "
            "answered, or its supplementary agreement signed, before another one."
        ),
        "not_the_debtor": _l("Only the debtor can ask to restructure the agreement."),
        "no_open_request": _l("There is no open restructuring request on this case."),
        "own_offer": _l("These are your side's terms: the other party answers them."),
        "not_a_party": _l("Only the debtor and the creditor answer a restructuring request."),
        "balance_changed": _l(
            "A payment changed the remaining balance since these terms were offered: "
            "answer with terms for the new balance."
        ),
        "not_accepted": _l(
            "The supplementary agreement is drafted once the parties agreed new terms."
        ),
        "not_failed": _l("This version is not waiting for another try."),
    }


class RestructuringInvalid(InvalidInput):
    """A form value that cannot be taken; ``field`` names it. The form is shown again."""

    status = 422
    messages = {
        "reason_required": _l(
            "Say what changed in your situation (up to %(n)s characters).", n=REASON_MAX
        ),
        "decline_reason": _l("Say why you decline (up to %(n)s characters).", n=DECLINE_MAX),
        "schedule_sum": _l(
            "The new schedule must add up exactly to the remaining balance, %(remaining)s: "
            "what was paid is not collected again."
        ),
        "first_due_past": _l("The first payment cannot be due in the past."),
        "due_too_late": _l("A payment cannot be due more than 10 years from today."),
        "schedule_order": _l("The payment dates must not go backwards."),
        "instalment_too_small": _l("With this many instalments each would be less than ¥0.01."),
        "instalment_count": _l("Choose between 1 and 60 instalments."),
        "down_payment": _l("The down payment must be less than the total."),
        "down_payment_date": _l("The down payment cannot be due after the first instalment."),
        "money_precision": _l("Amounts have at most two decimals (fen)."),
        "money_zero": _l("The amount must be greater than zero."),
        "number_format": _l("Enter a whole number with digits only."),
    }


def open_request(case: Case) -> RestructuringRequest | None:
    """The request still open or accepted (its supplementary agreement not yet in force)."""
    return db.session.scalar(
        select(RestructuringRequest).where(
            RestructuringRequest.case_id == case.id,
            RestructuringRequest.status.in_(OPEN_REQUEST_STATES),
        )
    )


def requests_of(case: Case) -> list[RestructuringRequest]:
    return list(
        db.session.scalars(
            select(RestructuringRequest)
            .where(RestructuringRequest.case_id == case.id)
            .order_by(RestructuringRequest.id)
        )
    )


def supplements_of(case: Case) -> list[SupplementaryAgreement]:
    return list(
        db.session.scalars(
            select(SupplementaryAgreement)
            .where(SupplementaryAgreement.case_id == case.id)
            .order_by(SupplementaryAgreement.version)
        )
    )


def current_supplement(request: RestructuringRequest) -> SupplementaryAgreement | None:
    return db.session.scalar(
        select(SupplementaryAgreement)
        .where(SupplementaryAgreement.request_id == request.id)
        .order_by(SupplementaryAgreement.version.desc())
        .limit(1)
    )


def live_performance(case: Case, today: date) -> tuple[Agreement, Performance]:
    """The agreement being performed and its repayment today. Refused on a case not in
    performance (``not_in_performance``) or fully paid (``completed``)."""
    if case.state == CaseState.PERFORMED:
        raise RestructuringRefused("completed")
    agreement = agreement_in_force(case)
    perf = performance_of(case, today) if agreement is not None else None
    if case.state not in PERFORMANCE_STATES or agreement is None or perf is None:
        raise RestructuringRefused("not_in_performance")
    if perf.status.state is RepaymentState.COMPLETED:
        raise RestructuringRefused("completed")
    return agreement, perf


def basis_of(perf: Performance) -> RestructuringBasis:
    try:
        return restructuring_basis(perf.status)
    except RuleRefused:
        raise RestructuringRefused("completed") from None


def party_role(user: User, case: Case) -> str | None:
    role = role_on(user, case)
    return role if role in ("debtor", "creditor") else None


def schedule_refused(code: str, remaining: Any) -> RestructuringInvalid:
    """A refusal of the new schedule, with the remaining balance in its words."""
    field = "total" if code in ("schedule_sum", "money_precision", "money_zero") else None
    if code == "schedule_sum":
        # plain digits: the refusal may be raised outside a request (no locale to format in)
        return RestructuringInvalid(code, field, remaining=f"¥{remaining:,.2f}")
    return RestructuringInvalid(code, field)


def notify(case: Case, event: str, *, roles: set[str]) -> None:
    """Tell the people on the case through the outbox, under the contact rules."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: restructuring_notice(event, org, ref, link, channel=channel),
        roles=roles,
    )
