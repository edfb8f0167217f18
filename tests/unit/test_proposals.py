"""Offers and counter-offers (:mod:`app.rules.proposals`): who may accept, reject or
withdraw what and when, how an agreed total splits into principal / interest / fees, and
what the claim check says about a proposal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import product
from typing import Any

import pytest

from app.rules.claims import ClaimFacts, Finding, LenderKind, Severity, check_claim
from app.rules.errors import InvalidInput
from app.rules.proposals import (
    ClaimAmounts,
    ProposalRuleError,
    ProposalState,
    Side,
    Terms,
    accept,
    acceptance_complete,
    allowed_actions,
    claim_amounts,
    close,
    findings_for_terms,
    reject,
    settle_terms,
    split_fees,
    supersede,
    withdraw,
)
from app.rules.schedules import Frequency, Schedule, instalment_plan, lump_sum

D = Decimal
DEBTOR, CREDITOR, MEDIATOR = Side.DEBTOR, Side.CREDITOR, Side.MEDIATOR
S = ProposalState
OPEN = S.OPEN
NOT_OPEN = [s for s in ProposalState if s is not OPEN]
BLOCK, WARN, INFO = Severity.BLOCK, Severity.WARN, Severity.INFO
TODAY = date(2026, 3, 1)
NONE: frozenset[Side] = frozenset()


# --- Transitions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proposer", "actor", "accepted_by", "expected"),
    [
        (DEBTOR, CREDITOR, NONE, S.ACCEPTED),
        (CREDITOR, DEBTOR, NONE, S.ACCEPTED),
        (MEDIATOR, DEBTOR, NONE, OPEN),  # the creditor has yet to accept
        (MEDIATOR, CREDITOR, NONE, OPEN),
        (MEDIATOR, DEBTOR, frozenset({CREDITOR}), S.ACCEPTED),
        (MEDIATOR, CREDITOR, frozenset({DEBTOR}), S.ACCEPTED),
        (DEBTOR, DEBTOR, NONE, "own_proposal"),
        (CREDITOR, CREDITOR, NONE, "own_proposal"),
        (DEBTOR, MEDIATOR, NONE, "mediator_cannot_accept"),
        (CREDITOR, MEDIATOR, NONE, "mediator_cannot_accept"),
        (MEDIATOR, MEDIATOR, NONE, "mediator_cannot_accept"),
        (MEDIATOR, DEBTOR, frozenset({DEBTOR}), "already_accepted"),
    ],
)
def test_a_proposal_is_accepted_by_the_other_party_or_by_both_for_a_mediators(
    proposer: Side, actor: Side, accepted_by: frozenset[Side], expected: str
) -> None:
    assert_move(
        lambda: accept(OPEN, proposer=proposer, actor=actor, accepted_by=accepted_by), expected
    )


@pytest.mark.parametrize(
    ("proposer", "actor", "expected"),
    [
        (DEBTOR, CREDITOR, S.REJECTED),
        (CREDITOR, DEBTOR, S.REJECTED),
        (MEDIATOR, DEBTOR, S.REJECTED),  # one party's no ends a proposal needing both
        (MEDIATOR, CREDITOR, S.REJECTED),
        (DEBTOR, DEBTOR, "own_proposal"),
        (CREDITOR, CREDITOR, "own_proposal"),
        (DEBTOR, MEDIATOR, "mediator_cannot_reject"),
        (MEDIATOR, MEDIATOR, "mediator_cannot_reject"),
    ],
)
def test_a_proposal_is_rejected_only_by_a_party_who_did_not_make_it(
    proposer: Side, actor: Side, expected: str
) -> None:
    assert_move(lambda: reject(OPEN, proposer=proposer, actor=actor), expected)


@pytest.mark.parametrize(
    ("proposer", "actor", "breaks_rule", "expected"),
    [
        (DEBTOR, DEBTOR, False, S.WITHDRAWN),
        (CREDITOR, CREDITOR, False, S.WITHDRAWN),
        (MEDIATOR, MEDIATOR, False, S.WITHDRAWN),
        (DEBTOR, MEDIATOR, True, S.WITHDRAWN),  # the mediator removes an unlawful offer
        (CREDITOR, MEDIATOR, True, S.WITHDRAWN),
        (DEBTOR, MEDIATOR, False, "not_allowed"),
        (CREDITOR, MEDIATOR, False, "not_allowed"),
        (DEBTOR, CREDITOR, False, "not_allowed"),
        (DEBTOR, CREDITOR, True, "not_allowed"),  # only the mediator polices the rules
        (MEDIATOR, DEBTOR, True, "not_allowed"),
    ],
)
def test_a_proposal_is_withdrawn_by_its_proposer_or_by_the_mediator_when_it_breaks_a_rule(
    proposer: Side, actor: Side, breaks_rule: bool, expected: str
) -> None:
    move = lambda: withdraw(OPEN, proposer=proposer, actor=actor, breaks_rule=breaks_rule)  # noqa: E731
    assert_move(move, expected)


def test_an_open_proposal_is_superseded_by_a_newer_one_or_closed_when_another_is_accepted() -> None:
    assert supersede(OPEN) is S.SUPERSEDED
    assert close(OPEN) is S.CLOSED


@pytest.mark.parametrize(("state", "proposer", "actor"), product(NOT_OPEN, list(Side), list(Side)))
def test_a_proposal_that_is_no_longer_open_cannot_change(
    state: ProposalState, proposer: Side, actor: Side
) -> None:
    moves = [
        lambda: accept(state, proposer=proposer, actor=actor),
        lambda: reject(state, proposer=proposer, actor=actor),
        lambda: withdraw(state, proposer=proposer, actor=actor, breaks_rule=True),
        lambda: supersede(state),
        lambda: close(state),
    ]
    for move in moves:
        assert_move(move, "not_open")
    assert allowed_actions(state, proposer=proposer, actor=actor) == frozenset()


@pytest.mark.parametrize(
    ("proposer", "accepted_by", "complete"),
    [
        (DEBTOR, NONE, False),
        (DEBTOR, frozenset({CREDITOR}), True),
        (DEBTOR, frozenset({DEBTOR}), False),
        (CREDITOR, frozenset({DEBTOR}), True),
        (CREDITOR, frozenset({CREDITOR, MEDIATOR}), False),
        (MEDIATOR, frozenset({DEBTOR}), False),
        (MEDIATOR, frozenset({CREDITOR}), False),
        (MEDIATOR, frozenset({DEBTOR, CREDITOR}), True),
        (MEDIATOR, frozenset({MEDIATOR}), False),
    ],
)
def test_acceptance_is_complete_when_the_sides_it_needs_have_accepted(
    proposer: Side, accepted_by: frozenset[Side], complete: bool
) -> None:
    assert acceptance_complete(proposer, accepted_by) is complete


def test_sides_and_states_read_back_from_storage_as_plain_strings_work() -> None:
    assert accept("open", proposer="debtor", actor="creditor") is S.ACCEPTED  # type: ignore[arg-type]
    assert acceptance_complete("mediator", frozenset({"debtor", "creditor"}))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("proposer", "actor", "kwargs", "expected"),
    [
        (DEBTOR, CREDITOR, {}, {"accept", "reject"}),
        (DEBTOR, DEBTOR, {}, {"withdraw"}),
        (DEBTOR, MEDIATOR, {}, set()),
        (DEBTOR, MEDIATOR, {"breaks_rule": True}, {"withdraw"}),
        (MEDIATOR, DEBTOR, {}, {"accept", "reject"}),
        (MEDIATOR, DEBTOR, {"accepted_by": frozenset({DEBTOR})}, {"reject"}),
        (MEDIATOR, MEDIATOR, {}, {"withdraw"}),
    ],
)
def test_the_actions_offered_are_exactly_the_moves_allowed(
    proposer: Side, actor: Side, kwargs: dict[str, Any], expected: set[str]
) -> None:
    assert allowed_actions(OPEN, proposer=proposer, actor=actor, **kwargs) == expected


def assert_move(move: Any, expected: str) -> None:
    if expected in set(ProposalState):
        assert move() is ProposalState(expected)
        return
    with pytest.raises(ProposalRuleError) as refused:
        move()
    assert refused.value.code == expected


# --- Settlement terms ----------------------------------------------------------------

CLAIM = ClaimAmounts(D("10000.00"), D("1500.00"), D("500.00"), D("300.00"))  # total 12,300


@pytest.mark.parametrize(
    ("total", "waive", "principal", "interest", "fees", "penalty", "discount"),
    [
        ("12300", "", "10000", "1500", "300", "500", "0"),
        ("12000", "", "10000", "1500", "300", "200", "300"),  # the penalty gives way first
        ("11700", "", "10000", "1500", "200", "0", "600"),  # then fees
        ("11000", "", "10000", "1000", "0", "0", "1300"),  # then interest
        ("8000", "", "8000", "0", "0", "0", "4300"),  # and only then principal
        ("0.01", "", "0.01", "0", "0", "0", "12299.99"),
        ("10800", "interest", "10000", "0", "300", "500", "1500"),
        ("10500", "interest", "10000", "0", "300", "200", "1800"),
        ("11800", "penalty", "10000", "1500", "300", "0", "500"),
        ("10300", "both", "10000", "0", "300", "0", "2000"),
        ("9000", "both", "9000", "0", "0", "0", "3300"),
    ],
)
def test_the_agreed_total_pays_principal_then_interest_then_fees_then_the_penalty(
    total: str,
    waive: str,
    principal: str,
    interest: str,
    fees: str,
    penalty: str,
    discount: str,
) -> None:
    terms = settle(total, waive)
    assert (terms.total, terms.principal, terms.interest) == (D(total), D(principal), D(interest))
    assert terms.fees == D(fees) + D(penalty)  # the agreement's fees line includes the penalty
    assert split_fees(terms, CLAIM) == (D(fees), D(penalty))
    assert terms.discount == D(discount)
    assert {x.as_tuple().exponent for x in (terms.total, terms.principal, terms.fees)} == {-2}
    assert (terms.waive_interest, terms.waive_penalty) == (
        waive in ("interest", "both"),
        waive in ("penalty", "both"),
    )


def settle(total: str, waive: str = "", **kwargs: Any) -> Terms:
    return settle_terms(
        CLAIM,
        total=D(total),
        waive_interest=waive in ("interest", "both"),
        waive_penalty=waive in ("penalty", "both"),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("total", "waive", "kwargs", "code"),
    [
        ("12300.01", "", {}, "total_above_claim"),
        ("12300.01", "both", {}, "total_above_claim"),
        ("10800.01", "interest", {}, "total_above_waived_claim"),
        ("11800.01", "penalty", {}, "total_above_waived_claim"),
        ("10300.01", "both", {}, "total_above_waived_claim"),
        ("0", "", {}, "money_zero"),
        ("-5", "", {}, "money_zero"),
        ("100.001", "", {}, "money_precision"),
        ("1000", "", {"kind": "monthly"}, "terms_kind"),
    ],
)
def test_a_total_outside_the_claim_is_refused(
    total: str, waive: str, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        settle(total, waive, **kwargs)
    assert refused.value.code == code


@pytest.mark.parametrize("kind", ["lump_sum", "instalments"])
def test_terms_record_whether_they_are_paid_at_once_or_by_instalments(kind: str) -> None:
    assert settle("12300", kind=kind).kind == kind


def test_terms_whose_parts_do_not_add_up_cannot_exist() -> None:
    with pytest.raises(ValueError, match="add up"):
        Terms("lump_sum", D(100), D(90), D(5), D(4), False, False, D(0))
    with pytest.raises(ValueError, match="never exceeds"):
        Terms("lump_sum", D(100), D(100), D(0), D(0), False, False, D(-1))


# --- Findings on a proposal ----------------------------------------------------------

# A private loan at 18% (above the cap of 12%: 4 × LPR 3.00) with ¥6,000 interest claimed.
# At the cap that interest would be ¥4,000. Its all-in charges are within the cap.
LOAN = ClaimFacts(
    lender=LenderKind.PRIVATE_LENDER,
    contract_date=date(2025, 6, 1),
    principal_lent=D("100000.00"),
    annual_rate=D("18"),
    term_months=6,
    outstanding_principal=D("100000.00"),
    interest=D("6000.00"),
    penalty=D("0.00"),
    fees=D("0.00"),
    overdue_since=date(2026, 1, 1),
    is_assignee=False,
    assignment_date=None,
    debtor_notified=None,
    last_demand_date=None,
)
SHORT = instalment_plan(D("1000"), count=2, frequency=Frequency.MONTHLY, first_due=TODAY)


def loan(**changes: Any) -> ClaimFacts:
    money = {"annual_rate", "outstanding_principal", "interest", "penalty", "fees"}
    return replace(LOAN, **{k: D(v) if k in money else v for k, v in changes.items()})


def findings(facts: ClaimFacts, total: str, waive: str = "", schedule: Schedule = SHORT) -> list:
    terms = settle_terms(
        claim_amounts(facts),
        total=D(total),
        waive_interest=waive in ("interest", "both"),
        waive_penalty=waive in ("penalty", "both"),
    )
    return findings_for_terms(terms, schedule, facts, TODAY)


def codes(found: list[Finding], *, skip_info: bool = True) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in found if not (skip_info and f.severity is INFO)]


OVER_CAP = [("proposal_interest_over_cap", BLOCK)]


def test_the_claim_itself_is_flagged_for_its_contract_rate() -> None:
    assert [f.code for f in check_claim(LOAN, TODAY)] == ["private_rate_over_cap"]


@pytest.mark.parametrize(
    ("total", "waive", "expected"),
    [
        ("106000", "", OVER_CAP),  # all the interest at 18% kept
        ("104010", "", OVER_CAP),  # about 12.03%
        ("104000", "", []),  # ¥4,000: the interest at the cap
        ("102000", "", []),
        ("100000", "interest", []),  # waiving the interest clears it
        ("95000", "interest", []),
    ],
)
def test_a_private_loans_proposal_keeping_interest_above_the_cap_is_blocked(
    total: str, waive: str, expected: list[tuple[str, Severity]]
) -> None:
    assert codes(findings(LOAN, total, waive)) == expected


def test_the_interest_block_tells_how_far_to_reduce_the_interest() -> None:
    (block,) = [f for f in findings(LOAN, "106000") if f.severity is BLOCK]
    assert "¥4,000.00" in block.message_zh
    assert "reduce the interest to no more than ¥4,000.00, or waive it" in block.message_en
    assert "第二十五条" in block.source


@pytest.mark.parametrize(
    ("changes", "total", "waive", "expected"),
    [
        # 12% is lawful, but ¥20,000 of charges over 273 days is about 26.74% a year.
        (
            {"annual_rate": "12", "interest": "20000"},
            "120000",
            "",
            [("private_charges_over_cap", BLOCK)],
        ),
        ({"annual_rate": "12", "interest": "20000"}, "108000", "", []),
        ({"annual_rate": "12", "interest": "20000"}, "100000", "interest", []),
        # Fees count towards the cap too.
        (
            {"annual_rate": "12", "interest": "0", "fees": "20000"},
            "120000",
            "",
            [("private_charges_over_cap", BLOCK)],
        ),
        ({"annual_rate": "12", "interest": "0", "fees": "20000"}, "105000", "", []),
    ],
)
def test_a_private_loans_proposal_with_charges_above_the_cap_is_blocked(
    changes: dict[str, Any], total: str, waive: str, expected: list[tuple[str, Severity]]
) -> None:
    assert codes(findings(loan(**changes), total, waive)) == expected


BANK_36 = {"lender": LenderKind.BANK, "annual_rate": "36"}


@pytest.mark.parametrize(
    ("total", "waive", "expected"),
    [
        ("106000", "", [("institution_cost_over_line", WARN)]),  # 36%
        ("104000", "", [("institution_cost_over_4lpr", WARN)]),  # 24%: on the line
        ("102000", "", []),  # 12%
        ("100000", "interest", []),
    ],
)
def test_an_institutions_proposal_is_warned_on_the_interest_it_keeps(
    total: str, waive: str, expected: list[tuple[str, Severity]]
) -> None:
    assert codes(findings(loan(**BANK_36), total, waive)) == expected


@pytest.mark.parametrize(
    ("penalty", "expected"),
    [("2000", []), ("2521.66", [("penalty_excessive", WARN)])],
)
def test_a_kept_penalty_is_weighed_against_the_loss_at_the_contract_rate(
    penalty: str, expected: list[tuple[str, Severity]]
) -> None:
    # Loss over 59 days on ¥100,000 at 12%: ¥1,939.73; 130% is ¥2,521.65. Waiving the
    # interest does not make the loss smaller.
    facts = loan(annual_rate="12", interest="1000", penalty=penalty)
    total = str(D("100000") + D(penalty))
    assert codes(findings(facts, total, "interest")) == expected


def test_a_proposal_whose_principal_is_above_what_was_lent_is_blocked() -> None:
    facts = loan(annual_rate="12", interest="0", outstanding_principal="105000")
    assert codes(findings(facts, "105000")) == [("principal_exceeds_lent", BLOCK)]
    assert codes(findings(facts, "100000")) == []


@pytest.mark.parametrize(
    ("first_due", "expected"),
    [
        (date(2026, 4, 1), []),  # 60 months on: 2031-03-01, exactly five years
        (date(2026, 4, 2), [("long_schedule", WARN)]),
    ],
)
def test_a_plan_ending_more_than_five_years_away_is_warned(
    first_due: date, expected: list[tuple[str, Severity]]
) -> None:
    plan = instalment_plan(D("102000"), count=60, frequency=Frequency.MONTHLY, first_due=first_due)
    assert codes(findings(loan(annual_rate="12", interest="2000"), "102000", schedule=plan)) == (
        expected
    )


def test_a_lump_sum_far_in_the_future_is_warned_too() -> None:
    plan = lump_sum(D("100000"), date(2031, 3, 2))
    facts = loan(annual_rate="12", interest="0")
    assert codes(findings(facts, "100000", schedule=plan)) == [("long_schedule", WARN)]


def test_a_discount_is_reported_with_its_amount_and_share() -> None:
    found = findings(loan(annual_rate="12", interest="6000"), "95400")
    assert codes(found, skip_info=False) == [("discount", INFO), ("principal_reduced", INFO)]
    discount, principal = found
    assert discount.message_en == (
        "The proposal's total of ¥95,400.00 is ¥10,600.00 less than the ¥106,000.00 claimed: "
        "a discount of 10.0%."
    )
    assert discount.message_zh == "方案总额¥95,400.00，比主张的¥106,000.00少¥10,600.00，减免10.0%。"
    assert "¥95,400.00" in principal.message_en
    assert "民法典》第五百七十五条" in discount.source


def test_a_discount_within_the_charges_does_not_reduce_the_principal() -> None:
    found = findings(loan(annual_rate="12", interest="6000"), "103000")
    assert [f.code for f in found] == ["discount"]
    assert "2.8%" in found[0].message_en  # 3,000 of 106,000


def test_a_proposal_for_the_full_claim_has_no_discount() -> None:
    assert findings(loan(annual_rate="12", interest="6000"), "106000") == []


def test_blocks_come_before_warnings_and_information() -> None:
    plan = lump_sum(D("105000"), date(2032, 1, 1))
    found = findings(LOAN, "105000", schedule=plan)
    assert codes(found, skip_info=False) == [
        ("proposal_interest_over_cap", BLOCK),
        ("long_schedule", WARN),
        ("discount", INFO),
    ]
