"""What recording and deciding payments share: the refusals in words, the agreement being
performed, its plan (derived, never stored) and the payments that count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.audit import AuditAction
from app.calendar.overrides import legal_calendar
from app.cases.transitions import transition_case
from app.core.errors import InvalidInput, Refused
from app.core.transaction import conflict_on
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.repayments import COUNTED, RepaymentPayment
from app.models.users import User
from app.notifications.recipients import case_link, notify_case
from app.notifications.texts.repayments import payment_notice
from app.rules.agreements import DEFAULT_GRACE_DAYS, terms_from_json
from app.rules.cases import PERFORMANCE_STATES, CaseEvent
from app.rules.repayments import (
    Payment,
    PaymentRefused,
    RepaymentPlan,
    RepaymentState,
    RepaymentStatus,
    plan_from_terms,
    repayment_status,
)

# The same reference twice on one case, inserted at the same instant: one lands.
conflict_on("uq_payments_case_id")

PaymentRefused.messages.update(
    {
        "payment_reference": _l("Enter the payment's reference (up to 64 characters)."),
        "payment_reference_reused": _l(
            "This reference is already recorded for another payment on this case."
        ),
        "money_precision": _l("Amounts have at most two decimals (fen)."),
        "payment_not_positive": _l("The amount must be greater than zero."),
        "payment_in_future": _l("A payment cannot be dated after today."),
        "payment_exceeds_balance": _l(
            "This is more than everything that remains to be paid under the agreement."
        ),
    }
)


class RepaymentRefused(Refused):
    """The case or the payment does not allow this now."""

    messages = {
        "not_in_performance": _l("Payments are recorded only while an agreement is in force."),
        "already_decided": _l("This payment was already confirmed or disputed."),
        "not_disputed": _l("Only a disputed payment is resolved by the mediator."),
        "not_a_payment": _l("There is no such payment on this case."),
    }


class RepaymentInvalid(InvalidInput):
    """A form value that cannot be a payment; ``field`` names it. The form is shown again."""

    status = 422
    messages = {
        "paid_on": _l("Enter the date of payment as YYYY-MM-DD."),
        "channel": _l("Choose how the money was paid."),
        "proof_required": _l("Attach the transfer receipt (PDF, JPEG or PNG)."),
        "paid_before_agreement": _l(
            "This date is before the agreement took effect: the agreement counts only what "
            "was paid from then on."
        ),
        "dispute_reason": _l("Say why the payment is disputed (up to 300 characters)."),
        "resolution_note": _l("Say what you found (up to 300 characters)."),
        "resolution": _l("Choose whether the payment was received."),
    }


@dataclass(frozen=True)
class Performance:
    """An agreement being performed: its plan and the status on ``on``."""

    agreement: Agreement
    plan: RepaymentPlan
    payments: list[RepaymentPayment]
    status: RepaymentStatus


def agreement_in_force(case: Case) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def plan_of(agreement: Agreement) -> RepaymentPlan:
    """The plan from the agreement's frozen terms, on the legal calendar. The mediation
    organisation's grace period fills in where the agreement states no default rule of its
    own; the agreement's rule prevails (app.rules.repayment_plan)."""
    case = db.session.get(Case, agreement.case_id)
    grace = case.mediation_org.grace_days if case is not None else DEFAULT_GRACE_DAYS
    return plan_from_terms(
        terms_from_json(agreement.terms["terms"]),
        legal_calendar(),
        organisation_grace_days=grace,
    )


def payments_of(case: Case) -> list[RepaymentPayment]:
    return list(
        db.session.scalars(
            select(RepaymentPayment)
            .where(RepaymentPayment.case_id == case.id)
            .order_by(RepaymentPayment.paid_on, RepaymentPayment.id)
        )
    )


def counted(rows: list[RepaymentPayment]) -> list[Payment]:
    """The payments that count (recorded, or reported and confirmed), as the rules see them."""
    return [as_rule(row) for row in rows if row.status in COUNTED]


def as_rule(row: RepaymentPayment) -> Payment:
    return Payment(row.reference, Decimal(row.amount), row.paid_on)


def performance_of(case: Case, on: date) -> Performance | None:
    """The repayment of ``case`` on ``on``, or None without an agreement in force."""
    agreement = agreement_in_force(case)
    if agreement is None:
        return None
    plan = plan_of(agreement)
    rows = payments_of(case)
    return Performance(agreement, plan, rows, repayment_status(plan, counted(rows), on))


def require_performance(case: Case) -> Agreement:
    """The agreement being performed; ``not_in_performance`` if the case is not there."""
    agreement = agreement_in_force(case)
    if case.state not in PERFORMANCE_STATES or agreement is None:
        raise RepaymentRefused("not_in_performance")
    return agreement


def by_reference(case: Case, reference: str) -> RepaymentPayment | None:
    return db.session.scalar(
        select(RepaymentPayment).where(
            RepaymentPayment.case_id == case.id, RepaymentPayment.reference == reference
        )
    )


PerformedListener = Callable[[Case], None]
_performed: list[PerformedListener] = []


def on_performed(listener: PerformedListener) -> PerformedListener:
    """Call ``listener(case)`` when a case closes as performed, inside the use case that
    closes it (the settlement certificate; wired in :mod:`app.features`)."""
    if listener not in _performed:
        _performed.append(listener)
    return listener


def close_if_performed(actor: User, case: Case, plan: RepaymentPlan, today: date) -> bool:
    """Paying the last fen performs the agreement and closes the case (民法典 Art. 557(1):
    the obligation ends by performance). Returns whether it did."""
    db.session.flush()
    status = repayment_status(plan, counted(payments_of(case)), today)
    if status.state is not RepaymentState.COMPLETED or case.state not in PERFORMANCE_STATES:
        return False
    transition_case(case, CaseEvent.PERFORM)
    notify(case, "case_performed", roles={"debtor", "creditor", "mediator"})
    audit.record(
        AuditAction.CASE_PERFORMED,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"paid": str(status.paid.total), "waived": str(status.waived.total)},
    )
    for listener in _performed:
        listener(case)
    return True


def notify(case: Case, event: str, *, roles: set[str], now: datetime | None = None) -> None:
    """Tell the people on the case through the outbox, under the contact rules (a case
    notice: quiet hours apply to the debtor); ``now`` is the clock, for a worker's run."""
    org, ref, link = case.mediation_org.name, case.reference, case_link(case)
    notify_case(
        case,
        event,
        lambda channel: payment_notice(event, org, ref, link, channel=channel),
        roles=roles,
        now=now,
    )
