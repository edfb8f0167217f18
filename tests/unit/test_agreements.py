"""The mediation agreement: frozen terms, checks before rendering, the version and signing
rules, and the template context (人民调解法 Art. 29; 在线调解规则 Art. 19)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.rules.agreement_context import CONFIRMATION_TEXT, EFFECT_TEXT
from app.rules.agreements import (
    AgreementDraft,
    AgreementNotRenderable,
    AgreementRuleError,
    AgreementTerms,
    DefaultRule,
    DisputedItem,
    OrganisationDetails,
    ReceivingAccount,
    WaivedItem,
    agreement_context,
    is_in_force,
    natural_person,
    next_version,
    organisation_party,
    require_current_version,
    require_may_sign,
    signature_counts,
    terms_from_json,
    terms_from_proposal,
    terms_to_json,
    validate_for_rendering,
    who_may_sign_next,
)
from app.rules.claims import Severity
from app.rules.errors import InvalidInput
from app.rules.proposals import ClaimAmounts, Side, TermsKind, settle_terms
from app.rules.schedules import Frequency, Instalment, Schedule, instalment_plan, lump_sum

D = Decimal
DRAFTED = date(2026, 11, 28)
SHA_A = "a" * 64
SHA_B = "b" * 64
CLAIM = ClaimAmounts(D("10000.00"), D("1500.00"), D("800.00"), D("500.00"))


def make_terms(count: int = 24, agreed: str = "12000.00", **overrides: Any) -> AgreementTerms:
    """Terms settled from CLAIM for ``agreed`` in ``count`` monthly instalments; overrides
    replace fields of the frozen terms afterwards."""
    terms = settle_terms(CLAIM, total=D(agreed), waive_interest=False, waive_penalty=True)
    plan = instalment_plan(
        D(agreed), count=count, frequency=Frequency.MONTHLY, first_due=date(2026, 12, 15)
    )
    return replace(terms_from_proposal(terms, plan, CLAIM), **overrides)


def make_draft(**overrides: Any) -> AgreementDraft:
    values: dict[str, Any] = {
        "reference": "HZ-2026-000042",
        "version": 1,
        "drafted_on": DRAFTED,
        "organisation": OrganisationDetails(
            "和衷金融纠纷人民调解委员会",
            "51110000MJ00000019",
            "北京市东城区示例路1号",
            "010-12345678",
        ),
        "mediator_name": "李调解",
        "creditor": organisation_party(
            Side.CREDITOR,
            name="示例消费金融有限公司",
            credit_code="91110000100000000R",
            address="北京市朝阳区示例大街2号",
            representative="王法人",
            agent_name="赵代理",
        ),
        "debtor": natural_person(
            Side.DEBTOR,
            name="张三",
            id_type="resident_id",
            id_number="11010519491231002X",
            address="北京市西城区示例胡同3号",
            phone="13800000000",
        ),
        "facts": "2024年3月1日，债务人向债权人借款人民币10,000.00元，期限12个月。\n"
        "债务人自2025年3月1日起未再还款。",
        "disputed_items": (DisputedItem("penalty", "违约金过高。", "债权人同意放弃违约金。"),),
        "terms": make_terms(),
        "account": ReceivingAccount(
            "示例消费金融有限公司", "示例银行北京分行", "6222021234567890123"
        ),
    }
    return AgreementDraft(**(values | overrides))


def codes(draft: AgreementDraft, severity: Severity = Severity.BLOCK) -> set[str]:
    return {f.code for f in validate_for_rendering(draft) if f.severity == severity}


# --- frozen terms -------------------------------------------------------------------


def test_terms_from_a_proposal_state_penalty_and_fees_apart_and_what_was_waived() -> None:
    terms = make_terms()
    assert (terms.principal, terms.interest) == (D("10000.00"), D("1500.00"))
    assert (terms.fees, terms.penalty, terms.total) == (D("500.00"), D("0.00"), D("12000.00"))
    assert terms.waived == (WaivedItem("penalty", D("800.00")),)
    assert terms.perform_by == date(2028, 11, 15)
    assert len(terms.schedule) == 24
    assert terms.default_rule == DefaultRule(15, "")


def test_terms_survive_a_json_round_trip_exactly() -> None:
    terms = make_terms(
        principal=D("10000.10"), total=D("12000.10"), default_rule=DefaultRule(20, "说明 <b>")
    )
    stored = json.loads(json.dumps(terms_to_json(terms)))
    back = terms_from_json(stored)
    assert back == terms
    assert [str(r.amount) for r in back.schedule] == [str(r.amount) for r in terms.schedule]
    assert str(back.principal) == "10000.10"
    assert stored["schedule"][0] == {
        "number": 1,
        "due": "2026-12-15",
        "amount": "500.00",
        "kind": "instalment",
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("total", 12000.0),
        ("total", "1E+4"),
        ("total", "NaN"),
        ("total", "-5.00"),
        ("format", 2),
        ("kind", "barter"),
        ("schedule", [{"number": 1, "due": "2026-13-01", "amount": "1.00", "kind": "x"}]),
    ],
)
def test_a_malformed_snapshot_is_refused(key: str, value: object) -> None:
    data = terms_to_json(make_terms()) | {key: value}
    with pytest.raises(ValueError):
        terms_from_json(data)


def test_a_snapshot_missing_a_key_is_refused() -> None:
    data = terms_to_json(make_terms())
    del data["waived"]
    with pytest.raises(ValueError):
        terms_from_json(data)


def test_a_natural_persons_id_is_masked_and_an_organisations_code_is_not() -> None:
    draft = make_draft()
    assert draft.debtor.id_display == "110105********002X"
    assert draft.creditor.credit_code == "91110000100000000R"


@pytest.mark.parametrize(
    ("name", "bank", "number", "code"),
    [
        ("", "示例银行", "62220212345678", "account_name"),
        ("户名", " ", "62220212345678", "account_bank"),
        ("户名", "示例银行", "1234567", "account_number"),
        ("户名", "示例银行", "1" * 33, "account_number"),
        ("户名", "示例银行", "6222-0212-3456", "account_number"),
        ("户名", "示例银行", "６２２２０２１２３４５６", "account_number"),
    ],
)
def test_a_receiving_account_is_refused_when_incomplete(
    name: str, bank: str, number: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        ReceivingAccount(name, bank, number)
    assert refused.value.code == code


def test_an_account_number_is_printed_in_groups_of_four() -> None:
    assert ReceivingAccount("户名", "银行", "6222 0212 3456 7890 123").grouped == (
        "6222 0212 3456 7890 123"
    )


# --- checks before rendering --------------------------------------------------------


def _regular(count: int, total: str) -> tuple[Instalment, ...]:
    plan = instalment_plan(D(total), count=60, frequency=Frequency.WEEKLY, first_due=DRAFTED)
    rows = list(plan.instalments)
    extra = Instalment(61, date(2028, 1, 20), D("0.01"), "instalment")
    return tuple(rows[:count] if count <= 60 else [*rows, extra])


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"terms": make_terms(schedule=_regular(61, "600.00"), total=D("600.01"))}, None),
        ({"terms": make_terms(schedule=())}, "schedule_empty"),
        ({"terms": make_terms(total=D("12000.01"), fees=D("500.01"))}, "schedule_sum"),
        ({"terms": make_terms(interest=D("1500.01"))}, "parts_sum"),
        ({"terms": make_terms(fees=D("500.001"), total=D("12000.001"))}, "money_precision"),
        ({"account": None}, "account_missing"),
        ({"debtor": replace(make_draft().debtor, name=" ")}, "debtor_details"),
        ({"creditor": replace(make_draft().creditor, address="")}, "creditor_details"),
        (
            {"debtor": replace(make_draft().debtor, id_display="11010519491231002X")},
            "id_not_masked",
        ),
        ({"drafted_on": date(2028, 11, 16)}, "last_due_past"),
        ({"facts": "利息按合同约定计算。"}, "open_wording"),
        ({"facts": "Interest per  Contract."}, "open_wording"),
        ({"disputed_items": (DisputedItem("", "费用", "另行 协商"),)}, "open_wording"),
        ({"terms": make_terms(default_rule=DefaultRule(15, "余款TBD"))}, "open_wording"),
        ({"terms": make_terms(default_rule=DefaultRule(0, ""))}, "grace_days"),
        ({"debtor": replace(make_draft().debtor, name="张三\u202e00021")}, "text_unprintable"),
        ({"facts": "事" * 3001}, "text_too_long"),
        ({"mediator_name": ""}, "mediator_name"),
        ({"creditor": make_draft().debtor}, "party_role"),
        ({"creditor": replace(make_draft().creditor, credit_code="")}, "creditor_credit_code"),
        (
            {"creditor": replace(make_draft().creditor, credit_code="91110000100000000A")},
            "creditor_credit_code",
        ),
    ],
)
def test_a_draft_that_a_court_could_not_confirm_is_blocked(
    overrides: dict[str, Any], code: str | None
) -> None:
    blocked = codes(make_draft(**overrides))
    assert (code or "instalment_count") in blocked


def test_sixty_instalments_and_a_down_payment_are_within_the_limit() -> None:
    plan = instalment_plan(
        D("6000.00"),
        count=60,
        frequency=Frequency.MONTHLY,
        first_due=date(2027, 1, 5),
        down_payment=D("600.00"),
        down_payment_due=DRAFTED,
    )
    terms = make_terms(schedule=plan.instalments, total=D("6000.00"), interest=D("0.00"))
    terms = replace(terms, fees=D("0.00"), principal=D("6000.00"))
    assert codes(make_draft(terms=terms)) == set()


def test_a_sound_draft_has_no_blocks_and_no_disputes_is_fine() -> None:
    assert codes(make_draft()) == set()
    assert codes(make_draft(disputed_items=())) == set()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"account": ReceivingAccount("第三方", "示例银行", "62220212345678")},
            "account_holder_differs",
        ),
        ({"drafted_on": date(2026, 12, 16)}, "first_due_past"),
    ],
)
def test_doubtful_drafts_are_flagged_but_not_blocked(overrides: dict[str, Any], code: str) -> None:
    draft = make_draft(**overrides)
    assert code in codes(draft, Severity.WARN)
    assert codes(draft) == set()


def test_characters_the_font_lacks_are_flagged_when_a_font_check_is_given() -> None:
    draft = make_draft(debtor=replace(make_draft().debtor, name="张𠮷"))
    lacking = {"𠮷"}
    found = validate_for_rendering(draft, missing_glyphs=lambda text: lacking & set(text))
    assert [f.code for f in found] == ["glyph_missing"]
    assert "𠮷" in found[0].message_zh
    assert validate_for_rendering(draft) == []


def test_facts_describing_the_contract_without_open_terms_pass() -> None:
    assert codes(make_draft(facts="借款合同约定月利率1%，按月还款。")) == set()


# --- version and signing rules ------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "sha", "current", "shas", "counts"),
    [
        (2, SHA_A, 2, {SHA_A}, True),
        (2, SHA_A.upper(), 2, {SHA_A, SHA_B}, True),
        (1, SHA_A, 2, {SHA_A}, False),  # superseded version
        (2, SHA_B, 2, {SHA_A}, False),  # a document never served for this version
        (2, "", 2, {""}, False),
        (2, "abc", 2, {"abc"}, False),  # not a SHA-256
        (3, SHA_A, 2, {SHA_A}, False),  # a version that does not exist yet
    ],
)
def test_a_signature_counts_only_on_the_current_version_and_its_documents(
    version: int, sha: str, current: int, shas: set[str], counts: bool
) -> None:
    assert signature_counts(version, sha, current, shas) is counts


@pytest.mark.parametrize(
    ("signed", "may_sign"),
    [
        (set(), {"debtor", "creditor"}),
        ({"debtor"}, {"creditor"}),
        ({"creditor"}, {"debtor"}),
        ({"debtor", "creditor"}, {"mediator"}),
        ({"debtor", "creditor", "mediator"}, set()),
    ],
)
def test_parties_sign_in_any_order_and_the_mediator_last(
    signed: set[str], may_sign: set[str]
) -> None:
    assert who_may_sign_next(signed) == may_sign


@pytest.mark.parametrize(
    ("role", "signed", "code"),
    [
        ("mediator", set(), "parties_first"),
        ("mediator", {"debtor"}, "parties_first"),
        ("debtor", {"debtor"}, "already_signed"),
        ("mediator", {"debtor", "creditor", "mediator"}, "already_signed"),
        ("guarantor", set(), "not_a_signer"),
    ],
)
def test_signing_out_of_order_or_twice_is_refused(role: str, signed: set[str], code: str) -> None:
    with pytest.raises(AgreementRuleError) as refused:
        require_may_sign(role, signed)
    assert refused.value.code == code


def test_a_party_may_sign_in_turn() -> None:
    require_may_sign("creditor", {"debtor"})
    require_may_sign("mediator", {"debtor", "creditor"})


@pytest.mark.parametrize(
    ("signed", "in_force"),
    [
        (set(), False),
        ({"debtor"}, False),
        ({"debtor", "creditor"}, False),
        ({"debtor", "mediator"}, False),
        ({"debtor", "creditor", "mediator"}, True),
    ],
)
def test_in_force_only_when_both_parties_and_the_mediator_signed(
    signed: set[str], in_force: bool
) -> None:
    assert is_in_force(signed) is in_force


def test_an_unknown_role_in_the_signed_set_is_an_error() -> None:
    with pytest.raises(ValueError):
        is_in_force({"debtor", "creditor", "mediator", "court"})


def test_signing_a_superseded_version_is_refused() -> None:
    require_current_version(3, 3)
    with pytest.raises(AgreementRuleError) as refused:
        require_current_version(2, 3)
    assert refused.value.code == "superseded_version"


@pytest.mark.parametrize(("current", "after"), [(1, 2), (7, 8)])
def test_a_change_makes_the_next_version(current: int, after: int) -> None:
    assert next_version(current) == after


@pytest.mark.parametrize("current", [0, -1, True])
def test_there_is_no_version_before_the_first(current: int) -> None:
    with pytest.raises(ValueError):
        next_version(current)


# --- the template context -----------------------------------------------------------


def test_the_context_states_the_amounts_the_schedule_and_the_fixed_legal_text() -> None:
    context = agreement_context(make_draft())
    assert context["document_title"] == "调解协议书"
    assert context["total_capital"] == "人民币壹万贰仟元整"
    assert [r["label"] for r in context["amount_rows"]] == ["本金", "利息", "违约金", "费用"]
    assert [r["amount"] for r in context["amount_rows"]] == [
        D("10000.00"),
        D("1500.00"),
        D("0.00"),
        D("500.00"),
    ]
    assert len(context["schedule"]) == 24
    assert context["schedule"][0] == {
        "number": 1,
        "label": "第1期",
        "due": date(2026, 12, 15),
        "amount": D("500.00"),
    }
    assert "分二十四期" in context["schedule_text"]
    assert "2028年11月15日" in context["schedule_text"]
    assert "逾期超过十五日" in context["default_rule_text"]
    assert context["effect_text"] == EFFECT_TEXT
    assert context["confirmation_text"] == CONFIRMATION_TEXT
    assert "三十日内共同向有管辖权的人民法院申请司法确认" in CONFIRMATION_TEXT
    assert [s["anchor"] for s in context["signatures"]] == [
        "sig-debtor",
        "sig-creditor",
        "sig-mediator",
    ]
    assert context["account"]["account_number"] == "6222 0212 3456 7890 123"


def test_the_context_prints_the_masked_id_and_never_the_full_one() -> None:
    context = agreement_context(make_draft())
    assert "11010519491231002X" not in json.dumps(context, default=str, ensure_ascii=False)
    debtor_rows = {r["label"]: r["value"] for r in context["parties"][1]["rows"]}
    assert debtor_rows["证件类型及号码"] == "居民身份证 110105********002X"


@pytest.mark.parametrize(
    ("id_type", "item", "printed_type", "printed_item"),
    [
        ("resident_id", "penalty", "居民身份证", "违约金"),
        ("护照", "罚息/违约金", "护照", "罚息/违约金"),  # labels given instead of codes
        ("other", "", "身份证件", ""),
    ],
)
def test_id_types_and_disputed_items_print_as_labels(
    id_type: str, item: str, printed_type: str, printed_item: str
) -> None:
    draft = make_draft(
        debtor=replace(make_draft().debtor, id_type=id_type),
        disputed_items=(DisputedItem(item, "异议", "处理结果"),),
    )
    context = agreement_context(draft)
    rows = {r["label"]: r["value"] for r in context["parties"][1]["rows"]}
    assert rows["证件类型及号码"].split(" ")[0] == printed_type
    assert context["disputed_items"][0]["item_label"] == printed_item


def test_a_lump_sum_is_one_payment_by_one_date() -> None:
    terms = settle_terms(CLAIM, total=D("11000.00"), waive_interest=False, waive_penalty=True)
    frozen = terms_from_proposal(terms, lump_sum(D("11000.00"), date(2026, 12, 31)), CLAIM)
    context = agreement_context(make_draft(terms=replace(frozen, kind=TermsKind.LUMP_SUM)))
    assert context["schedule_text"] == "债务人应于2026年12月31日当日或之前一次性支付上述全部款项。"
    assert context["schedule"][0]["label"] == "一次性付款"
    assert "逾期超过" not in context["default_rule_text"]


def test_a_later_version_says_earlier_signatures_no_longer_count() -> None:
    assert (
        "此前各版本及其上的签名均不再有效"
        in agreement_context(make_draft(version=2))["version_text"]
    )
    assert "此前" not in agreement_context(make_draft())["version_text"]


def test_nothing_is_rendered_from_a_blocked_draft() -> None:
    with pytest.raises(AgreementNotRenderable) as refused:
        agreement_context(make_draft(account=None))
    assert [f.code for f in refused.value.findings] == ["account_missing"]


def test_a_schedule_is_a_frozen_copy() -> None:
    plan = Schedule((Instalment(1, date(2027, 1, 1), D("1.00"), "lump_sum"),))
    terms = make_terms(schedule=plan.instalments)
    assert isinstance(terms.schedule, tuple)
