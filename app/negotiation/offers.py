"""Terms as a proposer states them (:class:`Offer`), the schedule built from them, the
row they become, and the refusals of proposals in words.

The rules (:mod:`app.rules.proposals`, :mod:`app.rules.schedules`) are plain Python and
refuse with bare codes. :func:`settle_offer` turns a refusal of the terms into a
:class:`ProposalInvalid` naming the input at fault, so the form shows the words next to
it; the negotiation rules' own refusals (:class:`~app.rules.proposals.ProposalRuleError`)
get their words here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput
from app.models.cases import Case
from app.models.negotiation import Proposal, ProposalInstalment
from app.models.users import User
from app.rules import proposals as rules
from app.rules.claims import ClaimFacts
from app.rules.proposals import ProposalRuleError, ProposalState, Side, Terms
from app.rules.schedules import (
    MAX_INSTALMENTS,
    MAX_YEARS_AHEAD,
    ZERO,
    Frequency,
    Schedule,
    instalment_plan,
    lump_sum,
    validate_schedule,
)

# The form input a rule's refusal code is about; codes not listed are about the schedule
# as a whole (shown above the form).
FIELD_OF = {
    "total_above_claim": "total",
    "total_above_waived_claim": "total",
    "money_precision": "total",
    "money_zero": "total",
    "terms_kind": "kind",
    "instalment_count": "count",
    "instalment_too_small": "count",
    "down_payment": "down_payment",
    "down_payment_date": "down_payment_due",
}


class ProposalInvalid(InvalidInput):
    """Terms, or a rejection's reason, that cannot be taken as typed; ``field`` names the
    input at fault (``None``: the schedule as a whole). Codes the form shares with every
    other form (``required``, ``choice``, ``money_format`` ...) take the common words."""

    messages = {
        "number_format": _l("Enter a whole number with digits only."),
        "instalment_count": _l("Choose between 1 and %(n)s instalments.", n=MAX_INSTALMENTS),
        "first_due_past": _l("The first payment cannot be due in the past."),
        "due_too_late": _l(
            "A payment cannot be due more than %(n)s years from today.", n=MAX_YEARS_AHEAD
        ),
        "total_above_claim": _l("The total cannot be more than the amount claimed."),
        "total_above_waived_claim": _l(
            "The total is more than the claim once the waived interest or penalty is taken off."
        ),
        "down_payment": _l("The down payment must be less than the total."),
        "down_payment_date": _l("The down payment cannot be due after the first instalment."),
        "instalment_too_small": _l("With this many instalments each would be less than ¥0.01."),
        "schedule_sum": _l("The instalments do not add up to the total."),
        "schedule_order": _l("The payment dates must not go backwards."),
        "terms_kind": _l("Choose a lump sum or instalments."),
        "reason_required": _l("Please give a reason."),
    }


# The words for the negotiation rules' refusal codes (the rules are plain Python).
ProposalRuleError.messages.update(
    {
        "not_open": _l("This proposal is no longer open: it was answered, withdrawn or closed."),
        "already_accepted": _l("You have already accepted this proposal."),
        "own_proposal": _l("You cannot accept or reject your own side's proposal."),
        "mediator_cannot_accept": _l("Only the parties can accept a proposal."),
        "mediator_cannot_reject": _l("Only the parties can reject a proposal."),
        "not_allowed": _l("You may not do this with this proposal."),
        "claim_incomplete": _l("The claim is incomplete, so no terms can be proposed yet."),
        "case_not_negotiating": _l("The case is not in negotiation: terms can no longer change."),
    }
)


@dataclass(frozen=True)
class Offer:
    """Terms as a proposer states them: a lump sum of ``total`` due on ``first_due``, or
    an optional down payment and ``count`` instalments every ``frequency`` from
    ``first_due``. The discount is whatever the total leaves of the claim."""

    kind: str  # TermsKind: "lump_sum" | "instalments"
    total: Decimal
    first_due: date
    waive_interest: bool = False
    waive_penalty: bool = False
    down_payment: Decimal = ZERO
    down_payment_due: date | None = None
    count: int | None = None
    frequency: Frequency | None = None
    note: str = ""


def schedule_for(offer: Offer) -> Schedule:
    """The offer's schedule, built by the domain (exact sums, month ends)."""
    if offer.kind == rules.TermsKind.LUMP_SUM:
        return lump_sum(offer.total, offer.first_due)
    return instalment_plan(
        offer.total,
        count=offer.count or 0,
        frequency=offer.frequency or Frequency.MONTHLY,
        first_due=offer.first_due,
        down_payment=offer.down_payment,
        down_payment_due=offer.down_payment_due,
    )


def settle_offer(
    facts: ClaimFacts, offer: Offer, today: date, schedule: Schedule | None = None
) -> tuple[Terms, Schedule]:
    """The offer's terms (the total split by ``settle_terms``) and its schedule (built
    from the offer unless given), checked to sum exactly to that total with nothing due
    before ``today`` (``validate_schedule``). Refusal: :class:`ProposalInvalid`."""
    try:
        terms = rules.settle_terms(
            rules.claim_amounts(facts),
            total=offer.total,
            waive_interest=offer.waive_interest,
            waive_penalty=offer.waive_penalty,
            kind=offer.kind,
        )
        schedule = schedule or schedule_for(offer)
        validate_schedule(schedule, expected_total=terms.total, today=today)
    except InvalidInput as err:
        raise ProposalInvalid(err.code, FIELD_OF.get(err.code)) from err
    return terms, schedule


def proposal_row(
    actor: User,
    case: Case,
    side: Side,
    offer: Offer,
    terms: Terms,
    schedule: Schedule,
    replies_to: Proposal | None,
) -> Proposal:
    """The new, open proposal row of ``offer`` as settled (``terms``, ``schedule``), with a
    row per payment; not yet added to the session."""
    return Proposal(
        case_id=case.id,
        side=side,
        proposer_id=actor.id,
        replies_to_id=replies_to.id if replies_to is not None else None,
        state=ProposalState.OPEN,
        kind=str(terms.kind),
        total=terms.total,
        principal=terms.principal,
        interest=terms.interest,
        fees=terms.fees,
        discount=terms.discount,
        waive_interest=terms.waive_interest,
        waive_penalty=terms.waive_penalty,
        frequency=offer.frequency.value if offer.frequency else None,
        instalment_count=offer.count,
        first_due=offer.first_due,
        down_payment=schedule.down_payment,
        note=offer.note or None,
        instalments=[
            ProposalInstalment(number=i.number, due=i.due, amount=i.amount, kind=i.kind)
            for i in schedule.instalments
        ],
    )
