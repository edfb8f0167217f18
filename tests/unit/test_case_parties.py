"""Guarantors and co-borrowers in the rules (app.rules.case_parties): what is accepted,
the clause each role prints (民法典 Arts. 686–688, 518), the signing order with them
(人民调解法 Art. 29), and the confirmability pre-checks applied to them (民诉法解释 Art.
358; CPL Art. 115; 民法典 Arts. 17–19)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.rules.agreement_signing import (
    AgreementRuleError,
    is_in_force,
    require_may_sign,
    who_may_sign_next,
)
from app.rules.case_parties import (
    CheckedParty,
    GuaranteeKind,
    PartyInput,
    PartyRole,
    check_party,
    consent_clause,
    is_party_role,
    liability_clause,
    role_label,
)
from app.rules.claims import Severity
from app.rules.confirmability import PartyFacts, check_confirmability
from app.rules.errors import InvalidInput
from app.rules.proposals import Side
from tests.unit.test_confirmability import CLEAN, CREDITOR, DEBTOR

TODAY = date(2026, 12, 1)
GUARANTOR_ID = "110101198001011232"
G = "party-7"

VALID = PartyInput(
    role="guarantor",
    guarantee_kind="joint",
    name="赵保证",
    id_type="resident_id",
    id_number=GUARANTOR_ID,
    phone="139 0013 9002",
    email="",
    address="北京市海淀区某路 8 号",
)


def test_a_valid_guarantor_is_accepted_with_the_phone_normalised() -> None:
    checked = check_party(VALID, TODAY)
    assert checked == CheckedParty(
        PartyRole.GUARANTOR,
        GuaranteeKind.JOINT,
        "赵保证",
        "resident_id",
        GUARANTOR_ID,
        "13900139002",
        "",
        "北京市海淀区某路 8 号",
    )


def test_a_co_borrower_has_no_form_of_guarantee() -> None:
    checked = check_party(replace(VALID, role="co_borrower", guarantee_kind="joint"), TODAY)
    assert checked.role is PartyRole.CO_BORROWER and checked.guarantee_kind is None


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"role": "witness"}, "party_role"),
        ({"guarantee_kind": ""}, "guarantee_kind"),  # 民法典 Art. 686: the form is chosen
        ({"name": "  "}, "party_name"),
        ({"id_type": "driving_licence"}, "party_id_type"),
        ({"id_number": "110101198001011233"}, "id_checksum"),
        ({"id_type": "passport", "id_number": "E12"}, "party_id_number"),
        ({"phone": "", "email": ""}, "party_contact"),
        ({"phone": "010-12345678"}, "party_phone"),
        ({"phone": "", "email": "not-an-address"}, "party_email"),
        ({"address": ""}, "party_address"),
    ],
)
def test_what_cannot_be_printed_or_reached_is_refused(change: dict, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        check_party(replace(VALID, **change), TODAY)
    assert err.value.code == code


def test_the_role_label_names_the_form_of_guarantee() -> None:
    assert role_label("guarantor", "joint") == "保证人（连带责任保证）"
    assert role_label("guarantor", "general") == "保证人（一般保证）"
    assert role_label("co_borrower", None) == "共同借款人"


def test_civil_code_art_688_a_joint_guarantor_answers_as_soon_as_the_debt_is_unpaid() -> None:
    clause = liability_clause("guarantor", "joint", "赵保证", "刘强")
    assert clause.startswith("保证人赵保证对债务人刘强在本协议项下应支付的全部款项承担连带保证责任")
    assert "也可以请求保证人" in clause


def test_civil_code_art_687_a_general_guarantor_may_first_refuse_until_enforcement_fails() -> None:
    clause = liability_clause("guarantor", "general", "赵保证", "刘强")
    assert "承担一般保证责任" in clause and "强制执行仍不能履行债务前" in clause
    assert "连带" not in clause


def test_civil_code_art_686_without_a_choice_the_guarantee_is_general() -> None:
    assert "一般保证责任" in liability_clause("guarantor", None, "赵保证", "刘强")


def test_civil_code_art_518_a_co_borrower_owes_the_whole_debt_jointly() -> None:
    clause = liability_clause("co_borrower", None, "孙共借", "刘强")
    assert "共同借款人孙共借与债务人刘强" in clause and "连带清偿责任" in clause


def test_civil_code_art_695_a_guarantor_consents_in_writing_to_a_changed_schedule() -> None:
    joint = consent_clause("guarantor", "joint", "赵保证", "刘强")
    assert joint.startswith("保证人赵保证已知悉本补充协议的全部内容，书面同意")
    assert "（连带责任保证）对债务人刘强" in joint and "第六百九十五条" in joint
    # Without a recorded choice the guarantee is general (Art. 686 para. 2), as agreed.
    assert "（一般保证）" in consent_clause("guarantor", None, "赵保证", "刘强")


def test_a_co_borrower_consents_to_owe_the_changed_debt_jointly() -> None:
    clause = consent_clause("co_borrower", None, "孙共借", "刘强")
    assert "共同借款人孙共借同意本补充协议" in clause and "继续与债务人刘强" in clause
    assert "连带清偿责任" in clause and "第五百一十八条" in clause and "保证" not in clause


def test_party_roles_are_recognised_by_their_prefix_and_number() -> None:
    assert is_party_role("party-12") and not is_party_role("party-") and not is_party_role("debtor")


# --- signing order (人民调解法 Art. 29; 在线调解规则 Art. 19) ------------------------------


def test_the_guarantor_is_one_more_party_to_sign_before_the_mediator() -> None:
    extras = {G}
    assert who_may_sign_next(set(), extras) == {"debtor", "creditor", G}
    assert who_may_sign_next({"debtor", "creditor"}, extras) == {G}
    assert who_may_sign_next({"debtor", "creditor", G}, extras) == {"mediator"}
    with pytest.raises(AgreementRuleError) as err:
        require_may_sign("mediator", {"debtor", "creditor"}, extras)
    assert err.value.code == "parties_first"
    require_may_sign(G, {"debtor"}, extras)  # any order among the parties


def test_the_agreement_is_in_force_only_when_every_party_signed() -> None:
    extras = {G, "party-8"}
    assert not is_in_force({"debtor", "creditor", "mediator"}, extras)
    assert not is_in_force({"debtor", "creditor", G, "mediator"}, extras)
    assert is_in_force({"debtor", "creditor", G, "party-8", "mediator"}, extras)
    assert is_in_force({"debtor", "creditor", "mediator"})  # no extra party: as before


def test_a_party_role_of_another_case_is_no_signer_here() -> None:
    with pytest.raises(AgreementRuleError) as err:
        require_may_sign("party-99", set(), {G})
    assert err.value.code == "not_a_signer"
    with pytest.raises(ValueError):
        is_in_force({"party-99"}, {G})


# --- pre-checks: the guarantor is a party on the debtor's side ---------------------------

GUARANTOR = PartyFacts(
    side=Side.DEBTOR,
    name="赵保证",
    is_natural_person=True,
    id_number=GUARANTOR_ID,
    birth_date=None,
    phone="13900139002",
    devices=frozenset({"198.18.0.9"}),
    agent=None,
)
WITH_GUARANTOR = replace(
    CLEAN,
    parties=(DEBTOR, CREDITOR, GUARANTOR),
    signed_roles=frozenset({"debtor", "creditor", "mediator", G}),
    extra_signers=((G, "保证人赵保证"),),
)


def _codes(f) -> list[tuple[str, Severity]]:
    return [(x.code, x.severity) for x in check_confirmability(f)]


def test_a_clean_case_with_a_signed_guarantor_has_no_findings() -> None:
    assert _codes(WITH_GUARANTOR) == []


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        pytest.param(
            {"signed_roles": frozenset({"debtor", "creditor", "mediator"})},
            ("confirm.signature_missing", Severity.BLOCK),
            id="人民调解法 Art. 29: the guarantor has not signed",
        ),
        pytest.param(
            {"parties": (DEBTOR, CREDITOR, replace(GUARANTOR, id_number="110101201501011233"))},
            ("confirm.party_minor", Severity.BLOCK),
            id="民法典 Arts. 17, 19: a guarantor under 16",
        ),
        pytest.param(
            {"parties": (DEBTOR, CREDITOR, replace(GUARANTOR, id_number="110101200901011238"))},
            ("confirm.party_minor_own_income", Severity.WARN),
            id="民法典 Art. 18: a 17-year-old guarantor",
        ),
        pytest.param(
            {"parties": (DEBTOR, CREDITOR, replace(GUARANTOR, phone=CREDITOR.phone))},
            ("confirm.same_phone", Severity.BLOCK),
            id="CPL Art. 115: the guarantor shares the creditor's phone",
        ),
        pytest.param(
            {"parties": (DEBTOR, CREDITOR, replace(GUARANTOR, devices=CREDITOR.devices))},
            ("confirm.same_device", Severity.BLOCK),
            id="CPL Art. 115: the guarantor signed from the creditor's device",
        ),
        pytest.param(
            {
                "parties": (
                    DEBTOR,
                    CREDITOR,
                    replace(GUARANTOR, id_number=None, name="无证件"),
                )
            },
            ("confirm.party_age_unknown", Severity.WARN),
            id="民诉法解释 Art. 354: no identity number to read the age from",
        ),
    ],
)
def test_the_pre_checks_apply_to_the_guarantor(changed: dict, expected) -> None:
    found = _codes(replace(WITH_GUARANTOR, **changed))
    assert expected in found


def test_the_missing_signature_names_the_guarantor() -> None:
    f = replace(WITH_GUARANTOR, signed_roles=frozenset({"debtor", "creditor", "mediator"}))
    finding = next(x for x in check_confirmability(f) if x.code == "confirm.signature_missing")
    assert "保证人赵保证" in finding.message_zh


def test_a_guarantor_may_share_the_debtors_address_and_phone() -> None:
    """Guarantors are often family: contacts shared on the same side are no signal."""
    same = replace(GUARANTOR, phone=DEBTOR.phone, devices=DEBTOR.devices)
    assert _codes(replace(WITH_GUARANTOR, parties=(DEBTOR, CREDITOR, same))) == []
