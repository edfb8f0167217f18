"""The transitional interest rule (民间借贷规定, 2020 amendment, Art. 31): a private loan
formed before 2020-08-20 has its interest split at that day; the part before follows the
2015 lines (24% protected, above 36% void, Art. 26), the part from it 4 × the one-year
LPR at the time of the application."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.rules.claims import (
    ClaimFacts,
    LenderKind,
    Severity,
    check_claim,
    transitional_split,
)
from app.rules.interest_transition import is_transitional, split_interest

TODAY = date(2026, 3, 1)  # LPR 3% since 2025-05-20: the new line is 12%
FORMED = date(2019, 1, 1)  # 597 days to 2020-08-19, then 2,019 days to TODAY

LOAN = ClaimFacts(
    lender=LenderKind.PRIVATE_LENDER,
    contract_date=FORMED,
    principal_lent=Decimal("100000.00"),
    annual_rate=Decimal("18"),
    term_months=12,
    outstanding_principal=Decimal("100000.00"),
    interest=Decimal("90000.00"),
    penalty=Decimal("0.00"),
    fees=Decimal("0.00"),
    overdue_since=date(2025, 12, 1),
    is_assignee=False,
    assignment_date=None,
    debtor_notified=None,
    last_demand_date=None,
)


def _split(base: str, rate: str):
    return split_interest(
        FORMED, TODAY, Decimal(base), Decimal(rate), date(2025, 5, 20), Decimal("3.00")
    )


OLD_1000 = {"contract_date": date(2018, 1, 1), "annual_rate": Decimal("36")}


@pytest.mark.parametrize(
    ("formed", "expected"),
    [
        (date(2020, 8, 19), True),  # Art. 31: formed before 2020-08-20
        (date(2020, 8, 20), False),  # the amended rules apply in full
        (date(2018, 3, 1), True),
    ],
)
def test_art_31_applies_to_loans_formed_before_20_august_2020(formed: date, expected: bool) -> None:
    assert is_transitional(formed) is expected


def test_art_31_splits_the_period_at_20_august_2020_and_computes_both_parts() -> None:
    """民间借贷规定 (2020) Art. 31; 2015 Art. 26: 597 days at 18% (under the 24% line),
    then 2,019 days cut to 4 × 3% = 12%."""
    split = _split("100000", "18")
    old, new = split.periods
    assert (old.start, old.end, old.days, old.cap, old.rate) == (
        FORMED,
        date(2020, 8, 19),
        597,
        Decimal("24"),
        Decimal("18"),
    )
    assert (old.amount, old.cap_amount) == (Decimal("29441.10"), Decimal("39254.79"))
    assert (new.start, new.end, new.days, new.cap, new.rate) == (
        date(2020, 8, 20),
        date(2026, 2, 28),
        2019,
        Decimal("12.00"),
        Decimal("12.00"),
    )
    assert (new.amount, new.cap_amount) == (Decimal("66378.08"), Decimal("66378.08"))
    assert split.amount == Decimal("95819.18")
    assert split.cap_amount == Decimal("105632.87")


@pytest.mark.parametrize(
    ("rate", "old_rate", "new_rate"),
    [
        ("10", "10", "10"),  # under both lines: the contract rate throughout
        ("18", "18", "12.00"),  # only the new part is cut
        ("30", "24", "12.00"),  # 2015 Art. 26: above 24% is not recoverable when unpaid
        ("40", "24", "12.00"),  # above 36% void: still 24% at most
    ],
)
def test_art_31_each_part_uses_the_contract_rate_cut_to_its_own_line(
    rate: str, old_rate: str, new_rate: str
) -> None:
    split = _split("1000", rate)
    assert [p.rate for p in split.periods] == [Decimal(old_rate), Decimal(new_rate)]
    assert split.above_old_void_line is (Decimal(rate) > 36)


def test_art_31_the_new_line_uses_the_lpr_at_the_application_not_at_formation() -> None:
    """起诉时: the LPR in force on the check day (3.45% on 2023-09-01), not 2019's 4.25%."""
    facts = replace(LOAN, contract_date=date(2019, 8, 20))
    split = transitional_split(facts, date(2023, 9, 1))
    assert split is not None
    assert (split.lpr_date, split.lpr) == (date(2023, 8, 21), Decimal("3.45"))
    assert split.periods[-1].cap == Decimal("13.80")


def test_a_loan_made_after_the_change_or_by_an_institution_is_not_split() -> None:
    assert transitional_split(replace(LOAN, contract_date=date(2020, 8, 20)), TODAY) is None
    assert transitional_split(replace(LOAN, lender=LenderKind.BANK), TODAY) is None


def _codes(facts: ClaimFacts) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in check_claim(facts, TODAY)]


PARTS = ("transitional_interest", Severity.INFO)
CUT = ("transitional_rate_cut", Severity.WARN)
OVER = ("transitional_charges_over_cap", Severity.BLOCK)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"annual_rate": Decimal("10")}, [PARTS]),
        ({}, [CUT, PARTS]),  # 18% > the new 12% line: cut, but the claim fits
        ({"interest": Decimal("105632.87")}, [CUT, PARTS]),  # exactly the two lines
        ({"interest": Decimal("105632.88")}, [OVER, CUT, PARTS]),
        ({"interest": Decimal("100000"), "fees": Decimal("6000")}, [OVER, CUT, PARTS]),
        # Formed after the first LPR fixing but before 2020-08-20: no longer blocked by
        # 4 × the LPR at formation (4.25% × 4 = 17%), split instead.
        ({"contract_date": date(2019, 8, 20), "interest": Decimal("1000")}, [CUT, PARTS]),
        # Before the first LPR fixing: no longer a manual review, computed.
        ({**OLD_1000, "interest": Decimal("1000")}, [CUT, PARTS]),
    ],
)
def test_art_31_claim_check_blocks_only_charges_above_both_parts(
    changes: dict, expected: list[tuple[str, Severity]]
) -> None:
    assert _codes(replace(LOAN, **changes)) == expected


def test_art_31_the_finding_shows_both_parts_in_both_languages() -> None:
    (parts,) = [f for f in check_claim(LOAN, TODAY) if f.code == "transitional_interest"]
    zh = parts.message_zh
    assert "2019年1月1日至2020年8月19日共597天，上限24%，按年利率18%计¥29,441.10" in zh
    assert "2020年8月20日至2026年2月28日共2019天，上限12%，按年利率12%计¥66,378.08" in zh
    assert "两段合计¥95,819.18" in parts.message_zh
    assert "2019-01-01 to 2020-08-19, 597 days" in parts.message_en
    assert "第三十一条" in parts.source


def test_art_31_a_rate_above_36_percent_is_called_void_for_the_old_part() -> None:
    """2015 民间借贷规定 Art. 26 para. 2."""
    facts = replace(LOAN, annual_rate=Decimal("40"), interest=Decimal("1"))
    (cut,) = [f for f in check_claim(facts, TODAY) if f.code == "transitional_rate_cut"]
    assert "超过年利率36%的部分无效" in cut.message_zh
    assert "void" in cut.message_en
