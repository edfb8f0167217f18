"""The confirmability pre-checks (:mod:`app.rules.confirmability`): one row per check
proving it fires, a clean application with no finding, the window and age boundaries, and
release only when nothing blocks and every warning is acknowledged."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.rules.claims import ClaimFacts, Finding, LenderKind, Severity, check_claim
from app.rules.confirmability import (
    REQUIRED_DOCUMENTS,
    AgentFacts,
    ClaimFlags,
    ConfirmabilityFacts,
    PartyFacts,
    SubjectMatter,
    check_confirmability,
    flags_from_claim_findings,
    is_releasable,
    unacknowledged_warnings,
)
from app.rules.powers_of_attorney import Power, PowerOfAttorney
from app.rules.proposals import Side

BLOCK, WARN = Severity.BLOCK, Severity.WARN
TODAY = date(2026, 3, 10)
EFFECTIVE = date(2026, 3, 2)
WINDOW_END = date(2026, 4, 1)
ADULT_ID = "110101198505121232"  # born 1985-05-12
OWN_INCOME = ("confirm.party_minor_own_income", Severity.WARN)
TEEN_ID = "110101200803034567"  # born 2008-03-03: 17 on EFFECTIVE, 18 the next day
COURT = "北京市东城区人民法院"
OTHER_COURT = "上海市浦东新区人民法院"

DEBTOR = PartyFacts(
    side=Side.DEBTOR,
    name="张三",
    is_natural_person=True,
    id_number=ADULT_ID,
    birth_date=None,
    phone="13800138000",
    devices=frozenset({"fp-debtor-1", "203.0.113.5"}),
    agent=None,
)
CREDITOR = PartyFacts(
    side=Side.CREDITOR,
    name="某银行股份有限公司",
    is_natural_person=False,
    id_number="91110000100000000X",
    birth_date=None,
    phone="010-6512-3456",
    devices=frozenset({"fp-bank-1", "198.51.100.7"}),
    agent=AgentFacts(
        name="李四",
        has_power_of_attorney=True,
        is_platform_staff=False,
        # What the power of attorney says (CPL Art. 62): every power, before the signing.
        power_of_attorney=PowerOfAttorney(
            principal="某银行股份有限公司",
            agent_name="李四",
            agent_id_number=None,
            agent_position="法务专员",
            powers=frozenset(Power),
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
            signed_on=date(2026, 1, 1),
        ),
        signed_on=EFFECTIVE,
        settles_for_less=True,
    ),
)
CLEAN = ConfirmabilityFacts(
    agreement_in_force=True,
    signed_roles=frozenset({"debtor", "creditor", "mediator"}),
    effective_on=EFFECTIVE,
    window_end=WINDOW_END,
    window_certain=True,
    today=TODAY,
    chosen_court=COURT,
    competent_courts=(COURT, "北京市朝阳区人民法院"),
    documents_present=frozenset(REQUIRED_DOCUMENTS),
    parties=(DEBTOR, CREDITOR),
    agreed_principal=Decimal("100000.00"),
    documented_outstanding_principal=Decimal("100000.00"),
    is_assignee=False,
    has_assignment_chain=False,
    debtor_notified_of_assignment=False,
    interest_over_private_cap=False,
    institution_cost_over_line=False,
    penalty_over_30pct=False,
    subject_matter=SubjectMatter.DEBT,
    open_objections=0,
    contact_violations=0,
    agreement_concluded_in=timedelta(days=9),
)


def facts(**changes: Any) -> ConfirmabilityFacts:
    return replace(CLEAN, **changes)


def debtor(**changes: Any) -> ConfirmabilityFacts:
    return facts(parties=(replace(DEBTOR, **changes), CREDITOR))


def creditor(**changes: Any) -> ConfirmabilityFacts:
    return facts(parties=(DEBTOR, replace(CREDITOR, **changes)))


def agent(**changes: Any) -> ConfirmabilityFacts:
    assert CREDITOR.agent is not None
    return creditor(agent=replace(CREDITOR.agent, **changes))


def codes(findings: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in findings]


def without(*docs: str) -> frozenset[str]:
    return frozenset(REQUIRED_DOCUMENTS) - set(docs)


ASSIGNED = {"is_assignee": True, "has_assignment_chain": True}
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda: CLEAN, [], id="clean"),
        pytest.param(
            lambda: facts(agreement_in_force=False),
            [("confirm.not_in_force", BLOCK)],
            id="in_force",
        ),
        *[
            pytest.param(
                lambda r=role: facts(
                    signed_roles=frozenset({"debtor", "creditor", "mediator"} - {r})
                ),
                [("confirm.signature_missing", BLOCK)],
                id=f"unsigned_{role}",
            )
            for role in ("debtor", "creditor", "mediator")
        ],
        pytest.param(
            lambda: facts(today=WINDOW_END + DAY), [("confirm.window_passed", BLOCK)], id="late"
        ),
        pytest.param(
            lambda: facts(chosen_court=None), [("confirm.court_missing", BLOCK)], id="no_court"
        ),
        pytest.param(
            lambda: facts(chosen_court="  "), [("confirm.court_missing", BLOCK)], id="blank"
        ),
        pytest.param(
            lambda: facts(chosen_court=OTHER_COURT),
            [("confirm.court_not_competent", BLOCK)],
            id="court_not_competent",
        ),
        pytest.param(
            lambda: facts(competent_courts=()),
            [("confirm.court_not_competent", BLOCK)],
            id="no_competent_court",
        ),
        *[
            pytest.param(
                lambda d=doc: facts(documents_present=without(d)),
                [("confirm.document_missing", BLOCK)],
                id=f"missing_{doc}",
            )
            for doc in REQUIRED_DOCUMENTS
        ],
        pytest.param(
            lambda: facts(documents_present=without("evidence", "application")),
            [("confirm.document_missing", BLOCK)] * 2,
            id="two_missing",
        ),
        # 民法典 Art. 18 para. 2: 16 or 17 may live on their own income: warn, ask.
        pytest.param(lambda: debtor(id_number=TEEN_ID), [OWN_INCOME], id="minor_17"),
        pytest.param(lambda: debtor(birth_date=date(2010, 1, 1)), [OWN_INCOME], id="minor_16"),
        # 民法典 Arts. 19, 145: under 16 never has full capacity.
        pytest.param(
            lambda: debtor(birth_date=date(2010, 3, 3)),
            [("confirm.party_minor", BLOCK)],
            id="minor_dob",
        ),
        pytest.param(
            lambda: creditor(is_natural_person=True, id_number=ADULT_ID),
            [("confirm.same_person", BLOCK)],
            id="same_person",
        ),
        pytest.param(
            lambda: creditor(phone="+86 138 0013 8000"), [("confirm.same_phone", BLOCK)], id="phone"
        ),
        pytest.param(
            lambda: creditor(devices=frozenset({" FP-Debtor-1 "})),
            [("confirm.same_device", BLOCK)],
            id="same_device",
        ),
        pytest.param(
            lambda: creditor(devices=frozenset({"203.0.113.5"})),
            [("confirm.same_device", BLOCK)],
            id="same_ip",
        ),
        pytest.param(
            lambda: facts(agreed_principal=Decimal("100000.01")),
            [("confirm.principal_above_outstanding", BLOCK)],
            id="principal",
        ),
        pytest.param(lambda: facts(agreed_principal=Decimal("90000")), [], id="principal_lower"),
        pytest.param(
            lambda: facts(is_assignee=True, debtor_notified_of_assignment=True),
            [("confirm.assignment_chain_missing", BLOCK)],
            id="assignment_chain",
        ),
        pytest.param(
            lambda: facts(**ASSIGNED),
            [("confirm.assignment_not_notified", BLOCK)],
            id="assignment_notice",
        ),
        pytest.param(
            lambda: facts(**ASSIGNED, debtor_notified_of_assignment=True), [], id="assignment_ok"
        ),
        pytest.param(
            lambda: facts(interest_over_private_cap=True),
            [("confirm.interest_over_cap", BLOCK)],
            id="interest_cap",
        ),
        *[
            pytest.param(
                lambda k=kind: facts(subject_matter=k),
                [("confirm.excluded_subject_matter", BLOCK)],
                id=f"excluded_{kind}",
            )
            for kind in SubjectMatter
            if kind is not SubjectMatter.DEBT
        ],
        pytest.param(
            lambda: facts(open_objections=1), [("confirm.open_objection", BLOCK)], id="obj"
        ),
        pytest.param(
            lambda: agent(has_power_of_attorney=False),
            [("confirm.agent_without_authority", BLOCK)],
            id="agent_no_poa",
        ),
        pytest.param(
            lambda: agent(is_platform_staff=True),
            [("confirm.agent_is_platform_staff", BLOCK)],
            id="agent_staff",
        ),
        # Warnings
        pytest.param(
            lambda: facts(today=WINDOW_END - 5 * DAY),
            [("confirm.window_closing", WARN)],
            id="closing",
        ),
        pytest.param(
            lambda: facts(window_certain=False),
            [("confirm.window_uncertain", WARN)],
            id="uncertain",
        ),
        pytest.param(
            lambda: debtor(id_number="E12345678"),
            [("confirm.party_age_unknown", WARN)],
            id="age_unknown",
        ),
        pytest.param(
            lambda: debtor(id_number="E12345678", birth_date=date(1980, 1, 1)),
            [],
            id="passport_dob",
        ),
        pytest.param(
            lambda: facts(institution_cost_over_line=True),
            [("confirm.institution_cost_high", WARN)],
            id="institution_cost",
        ),
        pytest.param(
            lambda: facts(penalty_over_30pct=True),
            [("confirm.penalty_excessive", WARN)],
            id="penalty",
        ),
        pytest.param(
            lambda: facts(contact_violations=2),
            [("confirm.contact_violations", WARN)],
            id="contact",
        ),
        pytest.param(
            lambda: facts(agreement_concluded_in=timedelta(hours=23, minutes=59)),
            [("confirm.fast_agreement", WARN)],
            id="fast",
        ),
        pytest.param(lambda: facts(agreement_concluded_in=timedelta(hours=24)), [], id="24h"),
        pytest.param(lambda: facts(agreement_concluded_in=None), [], id="duration_unknown"),
    ],
)
def test_each_check_fires_on_its_own_defect(
    make: Callable[[], ConfirmabilityFacts], expected: list[tuple[str, Severity]]
) -> None:
    assert codes(check_confirmability(make())) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (WINDOW_END - 11 * DAY, []),
        (WINDOW_END - 10 * DAY, [("confirm.window_closing", WARN)]),
        (WINDOW_END - DAY, [("confirm.window_closing", WARN)]),
        (WINDOW_END, [("confirm.window_closing", WARN)]),  # the last day is still on time
        (WINDOW_END + DAY, [("confirm.window_passed", BLOCK)]),
    ],
)
def test_the_window_warns_ten_days_ahead_and_blocks_only_after_its_last_day(
    today: date, expected: list[tuple[str, Severity]]
) -> None:
    assert codes(check_confirmability(facts(today=today))) == expected


def test_the_warning_lead_time_and_the_fast_agreement_threshold_are_configurable() -> None:
    late = facts(today=WINDOW_END - 6 * DAY, agreement_concluded_in=timedelta(hours=2))
    assert codes(check_confirmability(late, warn_days_before_end=5)) == [
        ("confirm.fast_agreement", WARN)
    ]
    assert codes(check_confirmability(late, fast_agreement_threshold=timedelta(hours=1))) == [
        ("confirm.window_closing", WARN)
    ]


@pytest.mark.parametrize(
    ("effective_on", "expected"),
    [
        (date(2026, 3, 2), [OWN_INCOME]),  # the day before the 18th birthday
        (date(2026, 3, 3), []),  # the 18th birthday
    ],
)
def test_age_is_taken_on_the_day_the_agreement_took_effect(
    effective_on: date, expected: list[tuple[str, Severity]]
) -> None:
    teen = replace(DEBTOR, id_number=TEEN_ID)
    checked = facts(parties=(teen, CREDITOR), effective_on=effective_on)
    assert codes(check_confirmability(checked)) == expected


def test_a_minor_finding_names_the_party_their_age_and_birth_date() -> None:
    [finding] = check_confirmability(debtor(id_number=TEEN_ID))
    assert "张三" in finding.message_zh and "17岁" in finding.message_zh
    assert "aged 17" in finding.message_en and "2008-03-03" in finding.message_en


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        (date(2010, 3, 2), [OWN_INCOME]),  # 16th birthday on EFFECTIVE
        (date(2010, 3, 3), [("confirm.party_minor", Severity.BLOCK)]),  # 16 the next day
        (date(2008, 3, 2), []),  # 18th birthday on EFFECTIVE: an adult (Art. 17)
    ],
)
def test_civil_code_art_18_para_2_sixteen_and_seventeen_warn_and_ask_for_evidence(
    birth: date, expected: list[tuple[str, Severity]]
) -> None:
    """民法典 Art. 18 para. 2: 十六周岁以上的未成年人，以自己的劳动收入为主要生活来源的，
    视为完全民事行为能力人. Under 16 is blocked (Arts. 19, 145)."""
    assert codes(check_confirmability(debtor(birth_date=birth))) == expected


def test_civil_code_art_18_the_warning_asks_for_evidence_of_own_income() -> None:
    [finding] = check_confirmability(debtor(id_number=TEEN_ID))
    assert "以自己的劳动收入为主要生活来源" in finding.message_zh
    assert "劳动合同" in finding.message_zh and "evidence" in finding.message_en
    assert "第十八条第二款" in finding.source


def test_two_teenagers_share_one_warning_because_a_warning_code_occurs_once() -> None:
    teen = replace(DEBTOR, id_number=TEEN_ID)
    other = replace(CREDITOR, name="李四", is_natural_person=True, birth_date=date(2009, 5, 1))
    other = replace(other, id_number=None, phone="13900000000", devices=frozenset())
    found = check_confirmability(facts(parties=(teen, other)))
    # (李四 is not the principal of the power of attorney on record: that warns apart.)
    [finding] = [f for f in found if f.code == "confirm.party_minor_own_income"]
    assert "张三" in finding.message_zh and "李四" in finding.message_zh


def test_an_entity_has_no_age() -> None:
    assert check_confirmability(creditor(id_number=None, birth_date=None)) == []


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "+86 138 0013 8000", "+8613800138000", "0086-138-0013-8000", " 138 0013 8000 "],
)
def test_the_same_phone_written_differently_is_the_same_phone(phone: str) -> None:
    [finding] = check_confirmability(creditor(phone=phone))
    assert finding.code == "confirm.same_phone"
    assert "13800138000" in finding.message_zh and "13800138000" in finding.message_en
    assert "张三" in finding.message_en and "某银行股份有限公司" in finding.message_en


@pytest.mark.parametrize("phone", ["13800138001", "+86 138 0013 8001", None, ""])
def test_a_different_or_missing_phone_is_not_shared(phone: str | None) -> None:
    assert check_confirmability(creditor(phone=phone)) == []


def test_a_shared_identity_number_is_masked_in_the_message() -> None:
    [finding] = check_confirmability(creditor(id_number=" " + ADULT_ID.lower() + " "))
    assert finding.code == "confirm.same_person"
    for message in (finding.message_zh, finding.message_en):
        assert "110101********1232" in message and ADULT_ID not in message


def test_parties_on_the_same_side_may_share_contacts() -> None:
    guarantor = replace(DEBTOR, name="张三之妻", id_number="310115199001017896")
    assert check_confirmability(facts(parties=(DEBTOR, guarantor, CREDITOR))) == []
    shared_with_guarantor = replace(CREDITOR, phone=guarantor.phone)
    [finding] = check_confirmability(facts(parties=(DEBTOR, guarantor, shared_with_guarantor)))
    assert finding.code == "confirm.same_phone" and "张三、张三之妻" in finding.message_zh


@pytest.mark.parametrize(
    ("make", "zh", "en"),
    [
        (
            lambda: facts(documents_present=without("commitment_debtor")),
            "债务人承诺书",
            "debtor's commitment",
        ),
        (lambda: facts(chosen_court=OTHER_COURT), OTHER_COURT, "北京市朝阳区人民法院"),
        (lambda: facts(today=WINDOW_END - 10 * DAY), "还剩10天", "10 days left"),
        (lambda: facts(today=WINDOW_END), "今天是最后一天", "today is the last day"),
        (lambda: facts(today=WINDOW_END + 3 * DAY), "已超过3天", "3 days ago"),
        (
            lambda: facts(signed_roles=frozenset({"debtor"})),
            "债权人、调解员",
            "the creditor, the mediator",
        ),
        (lambda: facts(agreed_principal=Decimal("120000")), "¥120,000.00", "¥100,000.00"),
        (lambda: facts(subject_matter=SubjectMatter.ADOPTION), "收养关系", "adoption"),
        (lambda: facts(open_objections=3), "3项异议", "3 open objections"),
        (lambda: facts(contact_violations=1), "1次", "1 contact that"),
        (lambda: facts(agreement_concluded_in=timedelta(minutes=95)), "1小时35分钟", "1 h 35 min"),
        (lambda: agent(has_power_of_attorney=False), "李四", "某银行股份有限公司"),
        (lambda: facts(window_certain=False), "2026年", "2026-04-01"),
    ],
)
def test_messages_carry_the_specifics(
    make: Callable[[], ConfirmabilityFacts], zh: str, en: str
) -> None:
    [finding] = check_confirmability(make())
    assert zh in finding.message_zh
    assert en in finding.message_en


def everything_wrong() -> ConfirmabilityFacts:
    """One application with every defect at once."""
    bad_agent = AgentFacts(name="王五", has_power_of_attorney=False, is_platform_staff=True)
    teen = replace(DEBTOR, id_number=TEEN_ID)
    stranger = replace(DEBTOR, name="赵六", id_number="E12345678", phone="13900139000")
    child = replace(DEBTOR, name="钱七", id_number=None, birth_date=date(2012, 1, 1))
    child = replace(child, phone="13700137000", devices=frozenset())
    twin = replace(
        CREDITOR,
        id_number=TEEN_ID,
        phone="+86 138 0013 8000",
        devices=DEBTOR.devices,
        agent=bad_agent,
    )
    return facts(
        agreement_in_force=False,
        signed_roles=frozenset({"debtor"}),
        window_end=WINDOW_END,
        today=WINDOW_END - 2 * DAY,
        window_certain=False,
        chosen_court=OTHER_COURT,
        documents_present=frozenset(),
        parties=(teen, stranger, child, twin),
        agreed_principal=Decimal("200000"),
        is_assignee=True,
        interest_over_private_cap=True,
        institution_cost_over_line=True,
        penalty_over_30pct=True,
        subject_matter=SubjectMatter.MARRIAGE,
        open_objections=2,
        contact_violations=4,
        agreement_concluded_in=timedelta(hours=1),
        mediator_appointed=False,
    )


ALL_CODES = {
    "confirm.mediator_appointment_missing",
    "confirm.not_in_force",
    "confirm.signature_missing",
    "confirm.court_not_competent",
    "confirm.document_missing",
    "confirm.party_minor",
    "confirm.party_minor_own_income",
    "confirm.party_age_unknown",
    "confirm.same_person",
    "confirm.same_phone",
    "confirm.same_device",
    "confirm.principal_above_outstanding",
    "confirm.assignment_chain_missing",
    "confirm.assignment_not_notified",
    "confirm.interest_over_cap",
    "confirm.excluded_subject_matter",
    "confirm.open_objection",
    "confirm.agent_without_authority",
    "confirm.agent_is_platform_staff",
    "confirm.window_closing",
    "confirm.window_uncertain",
    "confirm.institution_cost_high",
    "confirm.penalty_excessive",
    "confirm.contact_violations",
    "confirm.fast_agreement",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_everything_wrong_at_once_fires_every_check_blocks_first() -> None:
    findings = check_confirmability(everything_wrong())
    assert {f.code for f in findings} == ALL_CODES
    ranks = [{BLOCK: 0, WARN: 1, Severity.INFO: 2}[f.severity] for f in findings]
    assert ranks == sorted(ranks) and ranks[0] == 0 and ranks[-1] == 1
    warnings = [f.code for f in findings if f.severity is WARN]
    assert len(warnings) == len(set(warnings))  # one acknowledgement per warning code


def test_every_message_is_plain_chinese_and_english_with_a_chinese_source() -> None:
    findings = check_confirmability(everything_wrong())
    messages = [(f.message_zh, f.message_en) for f in findings]
    assert len(set(messages)) == len(messages)  # each finding says something of its own
    for f in findings:
        assert f.code.startswith("confirm.")
        assert f.message_zh.strip() and f.message_en.strip() and f.message_zh != f.message_en
        assert _CJK.search(f.message_zh) and re.search(r"[A-Za-z]{4}", f.message_en)
        assert f.source.startswith("《") and "第" in f.source and "条" in f.source


def test_an_agreement_in_force_needs_its_window() -> None:
    with pytest.raises(ValueError, match="window_end"):
        check_confirmability(facts(window_end=None))
    # Before it is in force there is no window yet; not_in_force already blocks.
    early = facts(agreement_in_force=False, window_end=None, effective_on=None)
    assert codes(check_confirmability(early)) == [("confirm.not_in_force", BLOCK)]


def test_a_party_sits_on_the_debtor_or_the_creditor_side() -> None:
    with pytest.raises(ValueError, match="side"):
        replace(DEBTOR, side=Side.MEDIATOR)


WARNINGS = facts(window_certain=False, contact_violations=1)
WARN_CODES = {"confirm.window_uncertain", "confirm.contact_violations"}
BLOCKED = facts(open_objections=1, contact_violations=1)


@pytest.mark.parametrize(
    ("checked", "acknowledged", "releasable", "unacknowledged"),
    [
        (CLEAN, set(), True, set()),
        (WARNINGS, set(), False, WARN_CODES),
        (WARNINGS, {"confirm.window_uncertain"}, False, {"confirm.contact_violations"}),
        (WARNINGS, WARN_CODES, True, set()),
        (WARNINGS, WARN_CODES | {"confirm.fast_agreement"}, True, set()),
        (BLOCKED, {"confirm.contact_violations"}, False, set()),
        (BLOCKED, {"confirm.contact_violations", "confirm.open_objection"}, False, set()),
    ],
)
def test_release_needs_no_block_and_every_warning_acknowledged(
    checked: ConfirmabilityFacts, acknowledged: set[str], releasable: bool, unacknowledged: set[str]
) -> None:
    findings = check_confirmability(checked)
    assert is_releasable(findings, acknowledged) is releasable
    assert {f.code for f in unacknowledged_warnings(findings, acknowledged)} == unacknowledged


NO_FLAGS = ClaimFlags(False, False, False)


def _finding(code: str) -> Finding:
    return Finding(code, WARN, "zh", "en", "source")


@pytest.mark.parametrize(
    ("claim_codes", "expected"),
    [
        ([], NO_FLAGS),
        (["private_rate_over_cap"], ClaimFlags(True, False, False)),
        (["private_charges_over_cap"], ClaimFlags(True, False, False)),
        # 民间借贷规定 (2020) Art. 31: charges above the two parts of a pre-2020 loan.
        (["transitional_charges_over_cap"], ClaimFlags(True, False, False)),
        (["transitional_interest", "transitional_rate_cut"], NO_FLAGS),
        (["institution_cost_over_line"], ClaimFlags(False, True, False)),
        (["penalty_excessive"], ClaimFlags(False, False, True)),
        (["institution_cost_over_4lpr", "lpr_unknown", "principal_exceeds_lent"], NO_FLAGS),
        (["limitation_expired", "assignment_not_notified"], NO_FLAGS),
    ],
)
def test_claim_findings_map_to_flags(claim_codes: list[str], expected: ClaimFlags) -> None:
    assert flags_from_claim_findings([_finding(c) for c in claim_codes]) == expected


def test_flags_read_the_real_claim_check() -> None:
    """Guards the mapping against a renamed code in app.rules.claims."""
    claim = ClaimFacts(
        lender=LenderKind.PRIVATE_LENDER,
        contract_date=date(2025, 6, 1),
        principal_lent=Decimal("100000"),
        annual_rate=Decimal("18"),
        term_months=6,
        outstanding_principal=Decimal("100000"),
        interest=Decimal("1000"),
        penalty=Decimal("20000"),
        fees=Decimal("0"),
        overdue_since=date(2026, 1, 1),
        is_assignee=False,
        assignment_date=None,
        debtor_notified=None,
        last_demand_date=None,
    )
    assert flags_from_claim_findings(check_claim(claim, TODAY)) == ClaimFlags(True, False, True)
    bank = replace(claim, lender=LenderKind.BANK, annual_rate=Decimal("30"), penalty=Decimal("0"))
    assert flags_from_claim_findings(check_claim(bank, TODAY)) == ClaimFlags(False, True, False)
