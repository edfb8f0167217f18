"""Sham-mediation signals across an organisation (CPL Art. 115; 民诉法解释 Art. 358):
table tests of :mod:`app.rules.collusion`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules.claims import Finding, Severity
from app.rules.collusion import (
    CollusionFacts,
    OtherDebtor,
    Settlement,
    Shared,
    StaffMember,
    Trait,
    check_signals,
    finding_key,
    is_liftable,
    mask_name,
    mask_network_address,
    strength,
)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
A, B, C = (OtherDebtor(f"HZ-2026-{n}", name) for n, name in ((2, "李四"), (3, "王五"), (4, "赵六")))


@pytest.mark.parametrize(
    ("trait", "others", "staff", "expected"),
    [
        (Trait.PHONE, 1, False, Severity.BLOCK),
        (Trait.EMAIL, 1, False, Severity.BLOCK),
        (Trait.DEVICE, 1, False, Severity.BLOCK),
        (Trait.ADDRESS, 1, False, Severity.WARN),  # relatives share a home
        (Trait.ADDRESS, 2, False, Severity.BLOCK),
        (Trait.NETWORK, 1, False, Severity.WARN),  # carriers put customers behind one address
        (Trait.NETWORK, 2, False, Severity.WARN),
        (Trait.NETWORK, 3, False, Severity.BLOCK),
        (Trait.NETWORK, 1, True, Severity.BLOCK),  # the creditor's own staff
        (Trait.PHONE, 0, False, None),
    ],
)
def test_strength_of_a_shared_trait_cpl_art_115(
    trait: Trait, others: int, staff: bool, expected: Severity | None
) -> None:
    assert strength(trait, others, staff=staff) is expected


def test_different_debtors_sharing_a_phone_block_with_the_cases_named_cpl_art_115() -> None:
    facts = CollusionFacts(shared=(Shared(Trait.PHONE, "13800001234", debtors=(A, B)),))
    [finding] = check_signals(facts)
    assert (finding.code, finding.severity) == ("confirm.debtors_share_phone", Severity.BLOCK)
    assert "138****1234" in finding.message_zh and "13800001234" not in finding.message_zh
    assert "HZ-2026-2" in finding.message_en and "李*" in finding.message_en
    assert "李四" not in finding.message_en  # other debtors' names are masked
    assert "第一百一十五条" in finding.source and "第三百五十八条" in finding.source


def test_one_code_per_trait_takes_the_strongest_value_minsu_interp_art_358() -> None:
    facts = CollusionFacts(
        shared=(
            Shared(Trait.ADDRESS, "北京市朝阳区幸福路1号", debtors=(A,)),
            Shared(Trait.ADDRESS, "北京市海淀区中关村2号", debtors=(B, C)),
        )
    )
    [finding] = check_signals(facts)
    assert (finding.code, finding.severity) == ("confirm.debtors_share_address", Severity.BLOCK)
    assert "北京市朝阳区****" in finding.message_zh and "幸福路" not in finding.message_zh


def test_a_debtor_sharing_the_sign_in_address_with_the_creditors_staff_blocks() -> None:
    facts = CollusionFacts(
        shared=(Shared(Trait.NETWORK, "203.0.113.7", staff=(StaffMember("钱经理"),)),)
    )
    [finding] = check_signals(facts)
    assert (finding.code, finding.severity) == ("confirm.staff_share_network", Severity.BLOCK)
    assert "203.0.113.*" in finding.message_en and "钱**" in finding.message_en


def test_a_device_is_shown_by_its_network_and_browser() -> None:
    facts = CollusionFacts(
        shared=(Shared(Trait.DEVICE, "198.51.100.4 | Mozilla/5.0 (iPhone)", debtors=(A,)),)
    )
    [finding] = check_signals(facts)
    assert finding.code == "confirm.debtors_share_device"
    assert "198.51.100.*（Mozilla/5.0 (iPhone)）" in finding.message_zh


def _settled(ref: str, after: timedelta | None) -> Settlement:
    return Settlement(ref, T0, None if after is None else T0 + after)


@pytest.mark.parametrize(
    ("delays", "expected"),
    [
        ([timedelta(minutes=5)], None),  # one quick case: the case's own fast-agreement warning
        ([timedelta(minutes=5), timedelta(minutes=50)], Severity.WARN),
        ([timedelta(minutes=5), timedelta(minutes=50), timedelta(hours=1)], Severity.BLOCK),
        ([timedelta(minutes=5), timedelta(hours=3), timedelta(days=2)], None),
        ([timedelta(minutes=5), None, None], None),  # not signed yet
    ],
)
def test_serial_instant_settlements_by_one_debtor_cpl_art_115(
    delays: list[timedelta | None], expected: Severity | None
) -> None:
    facts = CollusionFacts(
        settlements=tuple(_settled(f"HZ-2026-{i}", d) for i, d in enumerate(delays, 1))
    )
    found = [f for f in check_signals(facts) if f.code == "confirm.serial_instant_settlement"]
    assert [f.severity for f in found] == ([] if expected is None else [expected])


def test_an_address_naming_the_platforms_host_is_reported_not_compared() -> None:
    [finding] = check_signals(CollusionFacts(unverifiable=frozenset({"127.0.0.1"})))
    assert (finding.code, finding.severity) == ("confirm.address_unverifiable", Severity.INFO)
    assert "TRUSTED_PROXIES" in finding.message_zh


def test_nothing_shared_is_no_signal() -> None:
    assert check_signals(CollusionFacts()) == []


@pytest.mark.parametrize(
    ("code", "severity", "liftable"),
    [
        ("confirm.debtors_share_phone", Severity.BLOCK, True),
        ("confirm.staff_share_email", Severity.BLOCK, True),
        ("confirm.serial_instant_settlement", Severity.BLOCK, True),
        ("confirm.same_device", Severity.BLOCK, True),  # both signed in the mediation room
        ("confirm.same_person", Severity.BLOCK, False),
        ("confirm.same_phone", Severity.BLOCK, False),
        ("confirm.debtors_share_network", Severity.WARN, False),  # a warning is acknowledged
        ("confirm.party_minor", Severity.BLOCK, False),
    ],
)
def test_which_blocks_a_written_justification_may_lift(
    code: str, severity: Severity, liftable: bool
) -> None:
    assert is_liftable(Finding(code, severity, "甲", "a", "src")) is liftable


def test_a_lift_covers_the_evidence_it_was_written_for() -> None:
    one = Finding("confirm.debtors_share_phone", Severity.BLOCK, "甲", "case HZ-2026-2", "s")
    more = Finding("confirm.debtors_share_phone", Severity.BLOCK, "甲", "cases HZ-2026-2, 3", "s")
    assert finding_key(one).startswith("confirm.debtors_share_phone:")
    assert finding_key(one) == finding_key(one) != finding_key(more)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("203.0.113.7", "203.0.113.*"), ("2001:db8:1:2::5", "2001:db8:1:*")],
)
def test_network_addresses_are_masked_to_the_network(value: str, shown: str) -> None:
    assert mask_network_address(value) == shown


def test_names_are_masked_to_the_surname() -> None:
    assert [mask_name(n) for n in ("李四", "欧阳娜娜", "")] == ["李*", "欧***", "*"]
