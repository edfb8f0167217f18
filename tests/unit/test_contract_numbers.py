"""The case's contract number against the evidence's (民诉法解释 Arts. 355, 358): a
different number stated in the evidence is a warning, an unknown one is nothing."""

from __future__ import annotations

import pytest

from app.rules.claims import Severity
from app.rules.contract_numbers import check_contract_number, contract_numbers_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合同编号：HT-2024-001", {"HT-2024-001"}),
        ("借款合同编号: ht-2024-001 借款人：张三", {"HT-2024-001"}),
        ("合同号 ＨＴ－２０２４－００２", {"HT-2024-002"}),  # full-width, NFKC
        ("Contract No. LN/2023/77", {"LN/2023/77"}),
        ("借款合同（原件扫描）", set()),
    ],
)
def test_the_numbers_stated_after_a_label_are_found(text: str, expected: set[str]) -> None:
    assert contract_numbers_in(text) == expected


CONTRACT = ("借款合同.pdf", frozenset({"HT-2024-001"}))
OTHER = ("借款合同2.pdf", frozenset({"HT-2024-009"}))
SCAN = ("扫描件.png", frozenset())


@pytest.mark.parametrize(
    ("case_number", "evidence", "expected"),
    [
        ("HT-2024-001", [CONTRACT], []),
        ("ht-2024-001 ", [CONTRACT], []),  # compared normalised
        ("HT-2024-001", [SCAN], []),  # not known: nothing to compare
        (None, [OTHER], []),
        ("", [OTHER], []),
        ("HT-2024-001", [OTHER], ["confirm.contract_number_mismatch"]),
        ("HT-2024-001", [CONTRACT, OTHER], ["confirm.contract_number_mismatch"]),
        ("HT-2024-001", [("合并.pdf", frozenset({"HT-2024-001", "X-1"}))], []),
    ],
)
def test_cpl_interpretation_arts_355_358_a_different_contract_number_warns(
    case_number: str | None, evidence: list, expected: list[str]
) -> None:
    findings = check_contract_number(case_number, evidence)
    assert [f.code for f in findings] == expected
    assert all(f.severity is Severity.WARN for f in findings)


def test_the_warning_names_the_file_and_both_numbers() -> None:
    [finding] = check_contract_number("HT-2024-001", [CONTRACT, OTHER, SCAN])
    assert (
        "HT-2024-001" in finding.message_zh
        and "借款合同2.pdf记载为HT-2024-009" in finding.message_zh
    )
    assert "借款合同.pdf" not in finding.message_zh.replace("借款合同2.pdf", "")
    assert "HT-2024-009" in finding.message_en
    assert "第三百五十六条" in finding.source  # the court asks the parties (民诉法解释 Art. 356)
