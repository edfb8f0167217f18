"""The power of attorney (授权委托书, CPL Art. 62; 民诉法解释 Art. 89): what an agent's
acts need, checked against what the document gives, and reading its form. Each row of the
tables names the defect it proves."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.rules.claims import Severity
from app.rules.confirmability import check_confirmability
from app.rules.errors import InvalidInput
from app.rules.powers_of_attorney import (
    AgentActs,
    Power,
    PowerOfAttorney,
    check_power_of_attorney,
    powers_needed,
    read_power_of_attorney,
    summary_zh,
)
from tests.unit.test_confirmability import CLEAN, CREDITOR

BLOCK, WARN = Severity.BLOCK, Severity.WARN
TODAY = date(2026, 3, 10)
SIGNED = date(2026, 3, 2)
ALL = frozenset(Power)
POA = PowerOfAttorney(
    principal="某银行股份有限公司北京分行",
    agent_name="李四",
    agent_id_number="110101198505121232",
    agent_position="法务专员",
    powers=ALL,
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    signed_on=date(2026, 1, 1),
)
ACTS = AgentActs(
    agent_name="李四",
    principal="某银行股份有限公司北京分行",
    signed_on=SIGNED,
    settles_for_less=True,
    applying_on=TODAY,
)


def codes(poa: PowerOfAttorney | None, acts: AgentActs = ACTS) -> list[tuple[str, Severity]]:
    return [(f.code, f.severity) for f in check_power_of_attorney(poa, acts)]


CHECKS = [
    pytest.param(POA, ACTS, [], id="every_power_in_period"),
    pytest.param(
        replace(POA, powers=ALL - {Power.SPECIAL}),
        ACTS,
        [("confirm.poa_no_special_authority", BLOCK)],
        id="waives_part_of_the_claim_without_special_authorisation_CPL62",
    ),
    pytest.param(
        replace(POA, powers=ALL - {Power.SPECIAL}),
        replace(ACTS, settles_for_less=False),
        [],
        id="the_whole_claim_needs_no_special_authorisation",
    ),
    pytest.param(
        replace(POA, powers=ALL - {Power.APPLY_CONFIRMATION}),
        ACTS,
        [("confirm.poa_no_confirmation_power", BLOCK)],
        id="no_power_to_apply_for_judicial_confirmation_CPL205",
    ),
    pytest.param(
        replace(POA, powers=ALL - {Power.SIGN_AGREEMENT}),
        ACTS,
        [("confirm.poa_cannot_sign", BLOCK)],
        id="no_power_to_sign_the_agreement",
    ),
    pytest.param(
        replace(POA, powers=frozenset({Power.MEDIATE})),
        ACTS,
        [
            ("confirm.poa_cannot_sign", BLOCK),
            ("confirm.poa_no_special_authority", BLOCK),
            ("confirm.poa_no_confirmation_power", BLOCK),
        ],
        id="mediate_only_covers_nothing_the_package_needs",
    ),
    pytest.param(
        replace(POA, valid_from=date(2026, 3, 3), signed_on=date(2026, 3, 3)),
        ACTS,
        [("confirm.poa_period", BLOCK)],
        id="signed_the_agreement_before_the_period_began_CC173",
    ),
    pytest.param(
        replace(POA, signed_on=date(2026, 3, 5)),
        ACTS,
        [("confirm.poa_period", BLOCK)],
        id="power_of_attorney_signed_after_the_agreement",
    ),
    pytest.param(
        replace(POA, valid_until=date(2026, 3, 1)),
        ACTS,
        [("confirm.poa_period", BLOCK), ("confirm.poa_expired", BLOCK)],
        id="ended_before_the_signing",
    ),
    pytest.param(
        replace(POA, valid_until=date(2026, 3, 5)),
        ACTS,
        [("confirm.poa_expired", BLOCK)],
        id="covers_the_signing_but_ended_before_the_application",
    ),
    pytest.param(
        replace(POA, valid_until=SIGNED),
        replace(ACTS, applying_on=SIGNED),
        [],
        id="last_day_of_the_period_counts",
    ),
    pytest.param(replace(POA, valid_until=None), ACTS, [], id="until_the_matter_ends_has_no_end"),
    pytest.param(
        POA,
        replace(ACTS, signed_on=None),
        [],
        id="not_signed_yet_only_the_powers_are_judged",
    ),
    pytest.param(
        replace(POA, agent_name="王五"),
        ACTS,
        [("confirm.poa_other_agent", BLOCK)],
        id="names_another_agent",
    ),
    pytest.param(
        replace(POA, principal="某银行股份有限公司"),
        ACTS,
        [("confirm.poa_other_principal", WARN)],
        id="another_principal_is_a_warning",
    ),
    pytest.param(None, ACTS, [("confirm.poa_content_missing", BLOCK)], id="content_not_recorded"),
]


@pytest.mark.parametrize(("poa", "acts", "expected"), CHECKS)
def test_the_power_of_attorney_covers_what_the_agent_does(poa, acts, expected) -> None:
    """CPL Art. 62; 民诉法解释 Art. 89: settling for less needs special authorisation."""
    assert codes(poa, acts) == expected


def test_every_finding_cites_article_62_and_names_the_people() -> None:
    bare = replace(POA, powers=frozenset({Power.MEDIATE}), agent_name="王五")
    findings = check_power_of_attorney(bare, ACTS)
    assert findings and all("第六十二条" in f.source for f in findings)
    people = ("李四", "王五", "某银行股份有限公司北京分行")
    assert all(any(p in f.message_zh and p in f.message_en for p in people) for f in findings)
    special = next(f for f in findings if f.code == "confirm.poa_no_special_authority")
    assert "特别授权" in special.message_zh and "special authorisation" in special.message_en


def test_the_period_finding_gives_the_dates() -> None:
    [finding] = check_power_of_attorney(replace(POA, signed_on=date(2026, 3, 5)), ACTS)
    assert "2026年3月2日" in finding.message_zh and "2026年3月5日" in finding.message_zh
    assert "2026-03-02" in finding.message_en


@pytest.mark.parametrize(
    ("settles_for_less", "needed"),
    [
        (True, (Power.SIGN_AGREEMENT, Power.SPECIAL, Power.APPLY_CONFIRMATION)),
        (False, (Power.SIGN_AGREEMENT, Power.APPLY_CONFIRMATION)),
    ],
)
def test_powers_needed(settles_for_less: bool, needed: tuple[Power, ...]) -> None:
    assert powers_needed(replace(ACTS, settles_for_less=settles_for_less)) == needed


def test_the_pre_checks_judge_the_creditors_power_of_attorney() -> None:
    """Through check_confirmability: the clean application passes; take special
    authorisation away and the release is blocked with the finding."""
    assert check_confirmability(CLEAN) == []
    agent = CREDITOR.agent
    assert agent is not None and agent.power_of_attorney is not None
    weaker = replace(
        agent,
        power_of_attorney=replace(agent.power_of_attorney, powers=ALL - {Power.SPECIAL}),
    )
    facts = replace(CLEAN, parties=(CLEAN.parties[0], replace(CREDITOR, agent=weaker)))
    assert [f.code for f in check_confirmability(facts)] == ["confirm.poa_no_special_authority"]
    no_content = replace(agent, power_of_attorney=None)
    facts = replace(CLEAN, parties=(CLEAN.parties[0], replace(CREDITOR, agent=no_content)))
    assert [f.code for f in check_confirmability(facts)] == ["confirm.poa_content_missing"]


def test_the_summary_prints_every_part() -> None:
    rows = dict(summary_zh(POA))
    assert rows["委托人"] == "某银行股份有限公司北京分行" and rows["受托人"] == "李四"
    assert rows["受托人身份"] == "110101********1232，法务专员"
    assert "代为申请司法确认" in rows["授权事项"] and rows["特别授权"] == "有"
    assert rows["授权期限"] == "2026年1月1日至2026年12月31日"
    assert rows["签署日期"] == "2026年1月1日"
    assert dict(summary_zh(replace(POA, valid_until=None)))["授权期限"].endswith("办结之日")


# --- reading the form ------------------------------------------------------------------

FORM = {
    "principal": " 某银行股份有限公司北京分行 ",
    "agent_name": "李四",
    "agent_id_number": "110101198505121232",
    "agent_position": "",
    "powers": ["mediate", "sign_agreement", "special", "apply_confirmation"],
    "valid_from": "2026-01-01",
    "valid_until": "",
    "signed_on": "2026-01-01",
}


def test_a_complete_form_reads_as_a_power_of_attorney() -> None:
    parsed = read_power_of_attorney(FORM, TODAY)
    assert parsed.errors == {}
    poa = parsed.power_of_attorney
    assert poa is not None and poa.principal == "某银行股份有限公司北京分行"
    assert poa.powers == {Power.MEDIATE, Power.SIGN_AGREEMENT, Power.SPECIAL} | {
        Power.APPLY_CONFIRMATION
    }
    assert poa.valid_until is None and poa.agent_position is None


FORM_ERRORS = [
    ({"principal": ""}, "principal", "required"),
    ({"agent_name": "  "}, "agent_name", "required"),
    ({"agent_name": "李" * 101}, "agent_name", "too_long"),
    ({"agent_id_number": ""}, "agent_id_number", "poa_agent_identity"),
    ({"agent_id_number": "110101198505121233"}, "agent_id_number", "id_checksum"),
    ({"powers": []}, "powers", "poa_no_power"),
    ({"powers": ["mediate", "everything"]}, "powers", "choice"),
    ({"valid_from": ""}, "valid_from", "required"),
    ({"valid_from": "2026/01/01"}, "valid_from", "date_format"),
    ({"valid_until": "2025-12-31"}, "valid_until", "poa_period_order"),
    ({"signed_on": "2026-03-11"}, "signed_on", "date_future"),
    ({"signed_on": ""}, "signed_on", "required"),
]


@pytest.mark.parametrize(("change", "field", "code"), FORM_ERRORS)
def test_each_fault_of_the_form_is_named(change: dict, field: str, code: str) -> None:
    parsed = read_power_of_attorney(FORM | change, TODAY)
    assert parsed.power_of_attorney is None
    error = parsed.errors[field]
    assert isinstance(error, InvalidInput) and error.code == code and error.field == field


def test_a_position_alone_identifies_the_agent() -> None:
    parsed = read_power_of_attorney(FORM | {"agent_id_number": "", "agent_position": "经理"}, TODAY)
    assert parsed.errors == {} and parsed.power_of_attorney is not None
    assert parsed.power_of_attorney.agent_identity == "经理"


def test_a_single_ticked_power_may_come_as_a_string() -> None:
    parsed = read_power_of_attorney(FORM | {"powers": "settle"}, TODAY)
    assert parsed.power_of_attorney is not None
    assert parsed.power_of_attorney.powers == {Power.SETTLE}
