"""The pre-checks compare the case's contract number with the number the contract in the
evidence states (民诉法解释 Arts. 355, 358): from the PDF's text layer or the file's
description; a scan that states none is not compared."""

from __future__ import annotations

import io
from typing import Any

from app.cases.evidence import add_evidence
from app.confirmation import release as confirmation
from app.models.evidence import EvidenceCategory
from tests.confirmation_support import in_force_case
from tests.package_support import minimal_pdf, png

COURT = "北京市朝阳区人民法院"
MISMATCH = "confirm.contract_number_mismatch"


def _add(who: dict, case: Any, data: bytes, name: str, note: str = "") -> None:
    add_evidence(who["creditor"], case, io.BytesIO(data), name, EvidenceCategory.CONTRACT, note)


def _codes(case: Any) -> list[str]:
    return [f.code for f in confirmation.run_checks(case, COURT)]


def test_a_contract_pdf_stating_another_number_warns(app: Any) -> None:
    who, case, _ = in_force_case(contract_number="HT-2024-001")
    _add(who, case, minimal_pdf(text="Contract No. HT-2099-777"), "contract-2.pdf")
    [finding] = [f for f in confirmation.run_checks(case, COURT) if f.code == MISMATCH]
    assert "HT-2024-001" in finding.message_zh and "HT-2099-777" in finding.message_zh
    assert "contract-2.pdf" in finding.message_zh


def test_the_same_number_in_the_pdf_or_the_description_is_fine(app: Any) -> None:
    who, case, _ = in_force_case(contract_number="HT-2024-001")
    _add(who, case, minimal_pdf(text="Contract No. HT-2024-001"), "contract-2.pdf")
    _add(who, case, png(), "scan.png", "合同编号：ht-2024-001")
    assert MISMATCH not in _codes(case)


def test_a_description_stating_another_number_warns_and_a_bare_scan_does_not(app: Any) -> None:
    who, case, _ = in_force_case(contract_number="HT-2024-001")
    _add(who, case, png(), "scan.png")
    assert MISMATCH not in _codes(case)
    _add(who, case, png(seed=2), "scan-2.png", "合同编号：HT-2024-002")
    assert MISMATCH in _codes(case)
