"""The identity and qualification papers as files (法释〔2011〕5号 Art. 3: the application
attaches 身份证明、资格证明; 民诉法解释 Art. 354: the court asks for what is missing):
:mod:`app.rules.identity_papers`. Sentence-named table tests."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.claims import Severity
from app.rules.identity_papers import (
    SOURCE_AGENT_PROOF,
    SOURCE_IDENTITY_PAPERS,
    Paper,
    PapersOnFile,
    PartyPapers,
    check_identity_papers,
    required_papers,
)

TODAY = date(2026, 12, 1)
INSTITUTION = frozenset(
    {
        Paper.DEBTOR_ID_FRONT,
        Paper.DEBTOR_ID_BACK,
        Paper.BUSINESS_LICENCE,
        Paper.FINANCIAL_LICENCE,
        Paper.AGENT_PROOF,
    }
)
PERSON = frozenset(
    {Paper.DEBTOR_ID_FRONT, Paper.DEBTOR_ID_BACK, Paper.LENDER_ID_FRONT, Paper.LENDER_ID_BACK}
)


def _institution(present: frozenset[Paper], **kw) -> PapersOnFile:
    return PapersOnFile(present=present, lender_is_natural_person=False, agent_acts=True, **kw)


def test_an_institution_with_every_paper_on_file_passes_fa_shi_2011_5_art_3() -> None:
    assert check_identity_papers(_institution(INSTITUTION), TODAY) == []


@pytest.mark.parametrize("missing", sorted(INSTITUTION))
def test_each_missing_paper_of_an_institution_blocks_citing_fa_shi_2011_5_art_3(
    missing: Paper,
) -> None:
    findings = check_identity_papers(_institution(INSTITUTION - {missing}), TODAY)
    assert [f.code for f in findings] == [f"confirm.paper_missing.{missing.value}"]
    assert findings[0].severity is Severity.BLOCK
    assert "法释〔2011〕5号）第三条" in findings[0].source
    assert "第三百五十四条" in findings[0].source
    expected = SOURCE_AGENT_PROOF if missing is Paper.AGENT_PROOF else SOURCE_IDENTITY_PAPERS
    assert findings[0].source == expected


def test_the_agents_proof_also_cites_cpl_art_61() -> None:
    assert "《中华人民共和国民事诉讼法》第六十一条" in SOURCE_AGENT_PROOF


def test_a_natural_person_lender_gives_an_id_copy_not_licences_and_no_agent_proof() -> None:
    assert required_papers(True, False) == (
        Paper.DEBTOR_ID_FRONT,
        Paper.DEBTOR_ID_BACK,
        Paper.LENDER_ID_FRONT,
        Paper.LENDER_ID_BACK,
    )
    papers = PapersOnFile(present=PERSON, lender_is_natural_person=True, agent_acts=False)
    assert check_identity_papers(papers, TODAY) == []
    without_back = PapersOnFile(
        present=PERSON - {Paper.LENDER_ID_BACK}, lender_is_natural_person=True, agent_acts=False
    )
    assert [f.code for f in check_identity_papers(without_back, TODAY)] == [
        "confirm.paper_missing.lender_id_back"
    ]


def test_an_id_number_on_record_is_not_a_paper_nothing_on_file_blocks_every_one() -> None:
    codes = [f.code for f in check_identity_papers(_institution(frozenset()), TODAY)]
    assert codes == [
        "confirm.paper_missing.debtor_id_front",
        "confirm.paper_missing.debtor_id_back",
        "confirm.paper_missing.business_licence",
        "confirm.paper_missing.financial_licence",
        "confirm.paper_missing.agent_proof",
    ]


@pytest.mark.parametrize(
    ("expires_on", "blocked"),
    [(date(2026, 11, 30), True), (date(2026, 12, 1), False), (None, False)],
)
def test_a_licence_that_expired_before_today_blocks_one_valid_today_does_not(
    expires_on: date | None, blocked: bool
) -> None:
    expiry = ((Paper.FINANCIAL_LICENCE, expires_on),) if expires_on else ()
    findings = check_identity_papers(_institution(INSTITUTION, expiry=expiry), TODAY)
    assert [f.code for f in findings] == (
        ["confirm.paper_expired.financial_licence"] if blocked else []
    )
    if blocked:
        assert "2026年11月30日" in findings[0].message_zh
        assert "expired on 2026-11-30" in findings[0].message_en


@pytest.mark.parametrize(
    ("sides", "missing"),
    [
        (frozenset({"front", "back"}), []),
        (frozenset({"front"}), ["confirm.paper_missing.party_id_back"]),
        (
            frozenset(),
            ["confirm.paper_missing.party_id_front", "confirm.paper_missing.party_id_back"],
        ),
    ],
)
def test_each_guarantor_gives_their_own_id_copy_both_sides_named_in_the_finding(
    sides: frozenset[str], missing: list[str]
) -> None:
    """A guarantor or co-borrower signs the agreement and the application as a party: the
    court checks their identity as it does the debtor's (法释〔2011〕5号 Art. 3)."""
    given = PartyPapers(who_zh="保证人赵保证", who_en="guarantor 赵保证", sides=sides)
    other = PartyPapers("共同借款人钱共", "co-borrower 钱共", frozenset({"front", "back"}))
    findings = check_identity_papers(_institution(INSTITUTION, parties=(given, other)), TODAY)
    assert [f.code for f in findings] == missing
    for finding in findings:
        assert finding.severity is Severity.BLOCK and finding.source == SOURCE_IDENTITY_PAPERS
        assert "保证人赵保证的身份证复印件" in finding.message_zh
        assert "guarantor 赵保证" in finding.message_en and "钱共" not in finding.message_zh
