"""What recording and deciding payments share: the refusals in words, the agreement being
performed, its plan (derived, never stored) and the payments that count."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g
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
from app.models.notifications import Channel
from app.models.repayments import COUNTED, RepaymentPayment
from app.models.restructuring import SupplementaryAgreement, SupplementaryStatus
from app.models.users import User
from app.notifications.org_templates import org_compose
from app.notifications.recipients import EXTRA_PARTIES, case_link, notify_case
from app.notifications.texts.repayments import payment_notice
from app.rules.agreements import DEFAULT_GRACE_DAYS, terms_from_json
from app.rules.cases import PERFORMANCE_STATES, CaseEvent
from app.rules.deadlines import LegalCalendar
from app.rules.repayments import (
    Payment,
    PaymentRefused,
    RepaymentPlan,
    RepaymentState,
    RepaymentStatus,
    plan_from_terms,
    repayment_status,
)
from app.rules.restructuring import plan_from_supplement

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
    """An agreement being performed: its plan and the status on ``on``. ``supplement`` is
    the supplementary agreement in force whose new schedule the plan follows, if any."""

    agreement: Agreement
    plan: RepaymentPlan
    payments: list[RepaymentPayment]
    status: RepaymentStatus
    supplement: SupplementaryAgreement | None = None

    @property
    def plan_revision(self) -> int:
        """0 for the agreement's own schedule, else the supplementary agreement's version."""
        return self.supplement.version if self.supplement is not None else 0


def agreement_in_force(case: Case) -> Agreement | None:
    return db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.version.desc())
        .limit(1)
    )


def supplement_in_force(agreement: Agreement) -> SupplementaryAgreement | None:
    """The newest supplementary agreement (补充协议) in force amending ``agreement``."""
    return db.session.scalar(
        select(SupplementaryAgreement)
        .where(
            SupplementaryAgreement.agreement_id == agreement.id,
            SupplementaryAgreement.status == SupplementaryStatus.IN_FORCE,
        )
        .order_by(SupplementaryAgreement.version.desc())
        .limit(1)
    )


def plan_of(agreement: Agreement, calendar: LegalCalendar | None = None) -> RepaymentPlan:
    """The plan from the agreement's frozen terms, on the legal calendar. The mediation
    organisation's grace period fills in where the agreement states no default rule of its
    own; the agreement's rule prevails (app.rules.repayment_plan). Once a supplementary
    agreement is in force, the plan is what was paid under the agreement followed by the
    supplementary agreement's new schedule (民法典 Art. 543; app.rules.restructuring)."""
    return _plan_for(agreement, supplement_in_force(agreement), calendar or legal_calendar())


def _plan_for(
    agreement: Agreement, supplement: SupplementaryAgreement | None, calendar: LegalCalendar
) -> RepaymentPlan:
    """:func:`plan_of` with the supplementary agreement in force already read."""
    case = db.session.get(Case, agreement.case_id)
    grace = case.mediation_org.grace_days if case is not None else DEFAULT_GRACE_DAYS
    if supplement is not None:
        return _plan(
            "supplement",
            supplement.terms,
            grace,
            calendar,
            lambda: plan_from_supplement(supplement.terms, calendar, organisation_grace_days=grace),
        )
    return _plan(
        "agreement",
        agreement.terms["terms"],
        grace,
        calendar,
        lambda: plan_from_terms(
            terms_from_json(agreement.terms["terms"]), calendar, organisation_grace_days=grace
        ),
    )


# A plan is a pure function of the frozen terms, the grace period and the calendar, and
# an immutable value (RepaymentPlan): each worker keeps the plans it made, keyed by those
# inputs themselves (never by an id: different terms can never share a plan), so a page
# listing cases in performance does not recount every schedule on every visit.
_PLANS: OrderedDict[tuple[Any, ...], RepaymentPlan] = OrderedDict()
_PLANS_KEPT = 1024


def forget_plans() -> None:
    """Drop the kept plans (tests that patch the plan's rules start from none)."""
    _PLANS.clear()


def _plan(
    kind: str,
    terms: Any,
    grace: int,
    calendar: LegalCalendar,
    make: Callable[[], RepaymentPlan],
) -> RepaymentPlan:
    key = (kind, json.dumps(terms, sort_keys=True, default=str), grace, calendar.fingerprint())
    plan = _PLANS.get(key)
    if plan is None:
        plan = make()  # a refusal (RepaymentRefused) is raised, never kept
        _PLANS[key] = plan
        if len(_PLANS) > _PLANS_KEPT:
            _PLANS.popitem(last=False)
    return plan


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


def performance_of(
    case: Case, on: date, calendar: LegalCalendar | None = None
) -> Performance | None:
    """The repayment of ``case`` on ``on``, or None without an agreement in force."""
    agreement = agreement_in_force(case)
    if agreement is None:
        return None
    supplement = supplement_in_force(agreement)
    return _performance(agreement, supplement, payments_of(case), on, calendar or legal_calendar())


def _performance(
    agreement: Agreement,
    supplement: SupplementaryAgreement | None,
    rows: list[RepaymentPayment],
    on: date,
    calendar: LegalCalendar,
) -> Performance:
    plan = _plan_for(agreement, supplement, calendar)
    status = repayment_status(plan, counted(rows), on)
    return Performance(agreement, plan, rows, status, supplement)


_DOCKET_MEMO = "concord_docket_performances"


def docket_calendar() -> LegalCalendar:
    """The legal calendar, read once per docket page (app.cases.views.docket's row notes)."""
    memo = g.setdefault(_DOCKET_MEMO, {})
    if "calendar" not in memo:
        memo["calendar"] = legal_calendar()
    return memo["calendar"]


def read_docket_performances(cases: list[Case], on: date) -> None:
    """Read the repayments of the docket page's ``cases`` at once (three statements for
    the page, not four per case) into the page's memo (:func:`docket_performance`)."""
    memo = g.setdefault(_DOCKET_MEMO, {})
    ids = [c.id for c in cases if (c.id, on) not in memo]
    if not ids:
        return
    agreements: dict[int, Agreement] = {}
    for agreement in db.session.scalars(
        select(Agreement)
        .where(Agreement.case_id.in_(ids), Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.case_id, Agreement.version.desc())
    ):
        agreements.setdefault(agreement.case_id, agreement)  # the newest in force
    supplements: dict[int, SupplementaryAgreement] = {}
    if agreements:
        for supplement in db.session.scalars(
            select(SupplementaryAgreement)
            .where(
                SupplementaryAgreement.agreement_id.in_([a.id for a in agreements.values()]),
                SupplementaryAgreement.status == SupplementaryStatus.IN_FORCE,
            )
            .order_by(SupplementaryAgreement.agreement_id, SupplementaryAgreement.version.desc())
        ):
            supplements.setdefault(supplement.agreement_id, supplement)
    payments: dict[int, list[RepaymentPayment]] = {i: [] for i in agreements}
    if agreements:
        for row in db.session.scalars(
            select(RepaymentPayment)
            .where(RepaymentPayment.case_id.in_(list(agreements)))
            .order_by(RepaymentPayment.case_id, RepaymentPayment.paid_on, RepaymentPayment.id)
        ):
            payments[row.case_id].append(row)
    for case_id in ids:
        agreement = agreements.get(case_id)
        memo[(case_id, on)] = (
            None
            if agreement is None
            else _performance(
                agreement,
                supplements.get(agreement.id),
                payments[case_id],
                on,
                docket_calendar(),
            )
        )


def docket_performance(case: Case, on: date) -> Performance | None:
    """:func:`performance_of` for the docket's row notes, computed once per case and page:
    the repayment state and the enforcement deadline of one row read the same repayment,
    on one calendar. Only for the docket's page (a GET that writes nothing): anywhere
    else, call :func:`performance_of`."""
    memo = g.setdefault(_DOCKET_MEMO, {})
    key = (case.id, on)
    if key not in memo:
        memo[key] = performance_of(case, on, docket_calendar())
    return memo[key]


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
    # Closed: the window to apply for judicial confirmation no longer matters.
    case.next_deadline = None
    # Paid in full: the guarantee and the co-borrowers' debt end with it (民法典 Art. 557).
    notify(case, "case_performed", roles={"debtor", "creditor", "mediator", EXTRA_PARTIES})
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

    def built_in(channel: Channel) -> tuple[str, str]:
        return payment_notice(event, org, ref, link, channel=channel)

    # A reminder is outreach: the organisation's own wording, when it has one.
    compose = org_compose(case, event, built_in, {"link": link})
    notify_case(case, event, compose, roles=roles, now=now)
