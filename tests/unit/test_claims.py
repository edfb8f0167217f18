"""The claim check (:mod:`app.rules.claims`): private lenders are capped at 4 × LPR
(民间借贷规定 Arts. 25–31), institutions are warned, excessive penalties, limitation and
assignment are flagged, blocks come first."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.rules.claims import (
    DEFAULT_LPR_HISTORY,
    ClaimFacts,
    ClaimPolicy,
    Finding,
    LenderKind,
    LprFixing,
    Severity,
    check_claim,
    lpr_on,
)

TODAY = date(2026, 3, 1)
BLOCK, WARN, INFO = Severity.BLOCK, Severity.WARN, Severity.INFO

# A clean private loan: 12% (exactly 4 × LPR 3.00), small unpaid interest, recently overdue.
CLEAN = ClaimFacts(
    lender=LenderKind.PRIVATE_LENDER,
    contract_date=date(2025, 6, 1),
    principal_lent=Decimal("100000.00"),
    annual_rate=Decimal("12"),
    term_months=6,
    outstanding_principal=Decimal("100000.00"),
    interest=Decimal("1000.00"),
    penalty=Decimal("0.00"),
    fees=Decimal("0.00"),
    overdue_since=date(2026, 1, 1),
    is_assignee=False,
    assignment_date=None,
    debtor_notified=None,
    last_demand_date=None,
)


def claim(**changes: Any) -> ClaimFacts:
    money = {"principal_lent", "annual_rate", "outstanding_principal", "interest", "penalty"}
    money |= {"fees"}
    return replace(CLEAN, **{k: Decimal(v) if k in money else v for k, v in changes.items()})


def codes(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in findings]


BANK = LenderKind.BANK
RATE_CAP = [("private_rate_over_cap", BLOCK)]
CHARGES_CAP = [("private_charges_over_cap", BLOCK)]
OVER_LINE = [("institution_cost_over_line", WARN)]
OVER_4LPR = [("institution_cost_over_4lpr", WARN)]
CONSUMER, LICENSED = LenderKind.CONSUMER_FINANCE, LenderKind.OTHER_LICENSED
AMC = LenderKind.ASSET_MANAGER
PRE_LPR = date(2019, 1, 1)
TRANSITION = ("transitional_interest", INFO)
SIGNED, NINE_DAYS = date(2026, 2, 20), date(2026, 2, 28)  # signed nine days before TODAY


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        # Private lenders: 4 × the LPR in force when the contract was formed.
        ({"annual_rate": "18"}, RATE_CAP),
        ({"annual_rate": "12.00"}, []),
        ({"annual_rate": "12.004"}, []),  # compared as shown: 12%
        ({"annual_rate": "12.01"}, RATE_CAP),
        ({"contract_date": date(2021, 1, 1), "annual_rate": "15.40"}, []),  # LPR 3.85
        ({"contract_date": date(2021, 1, 1), "annual_rate": "15.41"}, RATE_CAP),
        ({"contract_date": date(2022, 1, 20), "annual_rate": "14.80"}, []),  # LPR 3.70
        ({"contract_date": date(2022, 1, 20), "annual_rate": "14.81"}, RATE_CAP),
        # All-in charges over 273 days on ¥100,000: ¥8,000 is 10.7%, ¥20,000 is 26.74%.
        ({"interest": "8000"}, []),
        ({"interest": "20000"}, CHARGES_CAP),
        ({"interest": "3000", "fees": "9000"}, CHARGES_CAP),
        # Nine days after signing, charges are still spread over at least a month.
        ({"contract_date": SIGNED, "overdue_since": NINE_DAYS}, []),
        ({"contract_date": SIGNED, "overdue_since": NINE_DAYS, "interest": "1001"}, CHARGES_CAP),
        # Charges are measured on the principal still outstanding ...
        ({"outstanding_principal": "50000", "interest": "8000"}, CHARGES_CAP),
        # ... and, once it is fully repaid, on the principal lent.
        ({"outstanding_principal": "0", "interest": "8000"}, []),
        ({"outstanding_principal": "0", "interest": "20000"}, CHARGES_CAP),
        # Formed before 2020-08-20: split at that day (Art. 31, test_interest_transition).
        ({"contract_date": date(2019, 8, 19), "annual_rate": "10"}, [TRANSITION]),
        # Principal can never exceed what was lent, whoever the lender is.
        ({"outstanding_principal": "100000.01"}, [("principal_exceeds_lent", BLOCK)]),
        ({"lender": BANK, "outstanding_principal": "120000"}, [("principal_exceeds_lent", BLOCK)]),
    ],
)
def test_private_lending_is_capped_at_four_times_the_lpr(
    changes: dict[str, Any], expected: list[tuple[str, Severity]]
) -> None:
    assert codes(check_claim(claim(**changes), TODAY)) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lender": BANK}, []),
        ({"lender": BANK, "annual_rate": "18"}, OVER_4LPR),
        ({"lender": BANK, "annual_rate": "24"}, OVER_4LPR),
        ({"lender": BANK, "annual_rate": "24.01"}, OVER_LINE),
        ({"lender": BANK, "annual_rate": "10", "interest": "14000"}, OVER_4LPR),
        ({"lender": BANK, "annual_rate": "10", "interest": "20000"}, OVER_LINE),
        ({"lender": CONSUMER, "annual_rate": "30"}, OVER_LINE),
        ({"lender": LICENSED, "annual_rate": "30"}, OVER_LINE),
        ({"lender": AMC, "annual_rate": "30"}, OVER_LINE),
        ({"lender": AMC, "annual_rate": "13"}, OVER_4LPR),
        # No LPR before 2019-08-20: only the line is checked for institutions.
        ({"lender": BANK, "contract_date": PRE_LPR, "annual_rate": "18"}, []),
        ({"lender": BANK, "contract_date": PRE_LPR, "annual_rate": "25"}, OVER_LINE),
    ],
)
def test_institutions_are_warned_never_blocked(
    changes: dict[str, Any], expected: list[tuple[str, Severity]]
) -> None:
    assert codes(check_claim(claim(**changes), TODAY)) == expected


def test_the_cost_line_for_institutions_is_configurable() -> None:
    facts = claim(lender=BANK, annual_rate="20")
    policy = ClaimPolicy(institution_cost_line=Decimal("18"))
    assert codes(check_claim(facts, TODAY, policy=policy)) == [("institution_cost_over_line", WARN)]


# Loss over the 59 days since 2026-01-01 on ¥100,000 at 12%: ¥1,939.73; 130% is ¥2,521.65.
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"penalty": "2521.65"}, []),
        ({"penalty": "2521.66"}, [("penalty_excessive", WARN)]),
        ({"lender": BANK, "penalty": "2521.66"}, [("penalty_excessive", WARN)]),
        # An interest-free loan: the loss is the LPR on the overdue date (3%): ¥484.93.
        ({"annual_rate": "0", "penalty": "630.41"}, []),
        ({"annual_rate": "0", "penalty": "630.42"}, [("penalty_excessive", WARN)]),
        # A penalty before a single day overdue is more than any loss.
        ({"overdue_since": TODAY, "penalty": "1"}, [("penalty_excessive", WARN)]),
    ],
)
def test_a_penalty_more_than_thirty_percent_above_the_loss_is_excessive(
    changes: dict[str, Any], expected: list[tuple[str, Severity]]
) -> None:
    assert codes(check_claim(claim(**changes), TODAY)) == expected


@pytest.mark.parametrize(
    ("overdue_since", "last_demand", "today", "expected"),
    [
        (date(2023, 3, 2), None, TODAY, [("limitation_soon", INFO)]),  # last day 2026-03-02
        (date(2023, 3, 1), None, TODAY, [("limitation_soon", INFO)]),  # today is the last day
        (date(2023, 2, 28), None, TODAY, [("limitation_expired", WARN)]),
        (date(2023, 5, 30), None, TODAY, [("limitation_soon", INFO)]),  # 90 days left
        (date(2023, 5, 31), None, TODAY, []),  # 91 days left
        (date(2022, 1, 1), date(2025, 1, 1), TODAY, []),  # a demand restarted it
        (date(2022, 1, 1), date(2023, 2, 28), TODAY, [("limitation_expired", WARN)]),
        (date(2023, 6, 1), date(2022, 1, 1), TODAY, []),  # a demand before default changes nothing
        (date(2024, 2, 29), None, date(2027, 2, 28), [("limitation_soon", INFO)]),
        (date(2024, 2, 29), None, date(2027, 3, 1), [("limitation_expired", WARN)]),
    ],
)
def test_limitation_runs_three_years_from_default_or_the_last_demand(
    overdue_since: date,
    last_demand: date | None,
    today: date,
    expected: list[tuple[str, Severity]],
) -> None:
    facts = claim(
        contract_date=date(2021, 1, 1),  # LPR 3.85: 12% is within the cap
        interest="0",
        overdue_since=overdue_since,
        last_demand_date=last_demand,
    )
    assert codes(check_claim(facts, today)) == expected


@pytest.mark.parametrize(
    ("notified", "assigned_on", "expected"),
    [
        (True, date(2025, 12, 1), []),
        (None, date(2025, 12, 1), [("assignment_not_notified", WARN)]),
        (False, date(2025, 12, 1), [("assignment_not_notified", WARN)]),
        (True, None, [("assignment_date_missing", WARN)]),
        (None, None, [("assignment_not_notified", WARN), ("assignment_date_missing", WARN)]),
    ],
)
def test_an_assignee_must_have_notified_the_debtor_and_dated_the_assignment(
    notified: bool | None, assigned_on: date | None, expected: list[tuple[str, Severity]]
) -> None:
    facts = claim(is_assignee=True, debtor_notified=notified, assignment_date=assigned_on)
    assert codes(check_claim(facts, TODAY)) == expected


def test_assignment_fields_are_ignored_for_the_original_lender() -> None:
    facts = claim(is_assignee=False, debtor_notified=False, assignment_date=None)
    assert check_claim(facts, TODAY) == []


INSTALMENTS = {"contract_date": date(2022, 1, 1), "interest": "0"}


@pytest.mark.parametrize(
    ("term", "overdue_since", "today", "expected"),
    [
        # 12 instalments, the first missed on 2022-03-01, the last due on 2023-01-01:
        # the period runs from the last due date to 2026-01-01, not from 2022-03-01.
        (12, date(2022, 3, 1), date(2025, 6, 1), []),
        (12, date(2022, 3, 1), date(2025, 10, 3), [("limitation_soon", INFO)]),  # 90 days
        (12, date(2022, 3, 1), date(2026, 1, 1), [("limitation_soon", INFO)]),  # last day
        (12, date(2022, 3, 1), date(2026, 1, 2), [("limitation_expired", WARN)]),
        # 48 instalments: the last is due 2026-01-01, the debt is far from time-barred
        # even though the first was missed more than three years ago.
        (48, date(2022, 3, 1), date(2026, 3, 1), []),
        # A lump sum due at the end of the term, overdue the day after: from that day.
        (12, date(2023, 1, 2), date(2026, 1, 2), [("limitation_soon", INFO)]),
        (12, date(2023, 1, 2), date(2026, 1, 3), [("limitation_expired", WARN)]),
    ],
)
def test_civil_code_art_189_instalment_limitation_runs_from_the_last_instalment(
    term: int, overdue_since: date, today: date, expected: list[tuple[str, Severity]]
) -> None:
    """民法典 Art. 189: 当事人约定同一债务分期履行的，诉讼时效期间自最后一期履行期限
    届满之日起计算."""
    facts = claim(**INSTALMENTS, term_months=term, overdue_since=overdue_since)
    assert codes(check_claim(facts, today)) == expected


def test_civil_code_art_189_the_limitation_message_names_the_last_due_date() -> None:
    facts = claim(**INSTALMENTS, term_months=12, overdue_since=date(2022, 3, 1))
    (finding,) = check_claim(facts, date(2026, 1, 2))
    assert "自2023年1月1日起3年" in finding.message_zh
    assert "第一百八十九条" in finding.source


def test_findings_come_blocks_first_then_warnings_then_information() -> None:
    facts = claim(
        contract_date=date(2023, 1, 1),  # LPR 3.65: cap 14.6%
        term_months=2,  # the last instalment fell due on 2023-03-01
        annual_rate="18",
        interest="0",
        overdue_since=date(2023, 3, 2),  # limitation ends tomorrow
        is_assignee=True,
        assignment_date=date(2024, 1, 1),
        debtor_notified=False,
    )
    assert codes(check_claim(facts, TODAY)) == [
        ("private_rate_over_cap", BLOCK),
        ("assignment_not_notified", WARN),
        ("limitation_soon", INFO),
    ]


@pytest.mark.parametrize(
    ("changes", "figures"),
    [
        ({"annual_rate": "18"}, ["18%", "12%", "3%"]),
        ({"contract_date": date(2021, 1, 1), "annual_rate": "18"}, ["18%", "15.4%", "3.85%"]),
        ({"interest": "20000"}, ["¥20,000.00", "¥100,000.00", "26.74%", "12%"]),
        ({"penalty": "3000"}, ["¥3,000.00", "¥1,939.73", "¥2,521.65", "130%", "59"]),
        ({"outstanding_principal": "120000"}, ["¥120,000.00", "¥100,000.00"]),
        ({"lender": BANK, "annual_rate": "30"}, ["30%", "24%"]),
        ({"lender": BANK, "annual_rate": "18"}, ["18%", "12%", "3%"]),
    ],
)
def test_messages_state_the_figures_in_both_languages(
    changes: dict[str, Any], figures: list[str]
) -> None:
    (finding,) = check_claim(claim(**changes), TODAY)
    for figure in figures:
        assert figure in finding.message_zh
        assert figure in finding.message_en


@pytest.mark.parametrize(
    "facts",
    [
        claim(annual_rate="18", interest="20000", penalty="9000", outstanding_principal="200000"),
        claim(contract_date=date(2019, 1, 1), overdue_since=date(2020, 1, 1)),
        claim(lender=BANK, annual_rate="30", is_assignee=True),
        claim(lender=BANK, annual_rate="18", overdue_since=date(2023, 3, 1)),
    ],
)
def test_every_finding_has_a_legal_source_and_both_messages(facts: ClaimFacts) -> None:
    findings = check_claim(facts, TODAY)
    assert findings
    for finding in findings:
        assert finding.source.startswith("《")
        assert finding.message_zh and finding.message_en


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 8, 19), None),  # the day before the first fixing
        (date(2019, 8, 20), "4.25"),  # the fixing day itself
        (date(2019, 9, 19), "4.25"),
        (date(2019, 9, 20), "4.20"),
        (date(2020, 5, 1), "3.85"),
        (date(2025, 5, 19), "3.10"),
        (date(2025, 5, 20), "3.00"),
        (date(2026, 12, 31), "3.00"),
    ],
)
def test_the_lpr_in_force_is_the_latest_fixing_on_or_before_the_day(
    day: date, expected: str | None
) -> None:
    fixing = lpr_on(day, DEFAULT_LPR_HISTORY)
    assert (fixing.rate if fixing else None) == (Decimal(expected) if expected else None)


def test_lpr_history_may_be_given_in_any_order_or_empty() -> None:
    history = tuple(reversed(DEFAULT_LPR_HISTORY))
    assert lpr_on(date(2022, 9, 1), history) == LprFixing(date(2022, 8, 22), Decimal("3.65"))
    assert lpr_on(date(2022, 9, 1), ()) is None


def test_an_admin_supplied_lpr_history_replaces_the_default() -> None:
    history = (LprFixing(date(2025, 1, 1), Decimal("5.00")),)
    assert check_claim(claim(annual_rate="18"), TODAY, history=history) == []


def test_the_enumerations_use_the_stored_strings() -> None:
    assert [k.value for k in LenderKind] == [
        "bank",
        "consumer_finance",
        "other_licensed",
        "private_lender",
        "asset_manager",
    ]
    assert [s.value for s in Severity] == ["block", "warn", "info"]
    assert (DEFAULT_LPR_HISTORY[0].effective, DEFAULT_LPR_HISTORY[-1].rate) == (
        date(2019, 8, 20),
        Decimal("3.00"),
    )
    assert len(DEFAULT_LPR_HISTORY) == 13
