"""The creditor's power of attorney at judicial confirmation (CPL Art. 62): the pre-checks
read what it says and refuse the release when its powers do not cover what the agreement
does; the package prints its summary."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from app.cases.evidence import add_evidence
from app.confirmation import release as confirmation
from app.confirmation import tasks as confirmation_tasks
from app.confirmation.release import ConfirmationError
from app.core import clock
from app.models.evidence import EvidenceCategory
from app.rules.powers_of_attorney import Power
from tests.confirmation_support import in_force_case, upload
from tests.papers_support import FULL_POWERS, ORDINARY_POWERS, record_poa

COURT = "北京市朝阳区人民法院"
WITHOUT_POA = (
    EvidenceCategory.CONTRACT,
    EvidenceCategory.DISBURSEMENT,
    EvidenceCategory.ID_FRONT,
    EvidenceCategory.ID_BACK,
    EvidenceCategory.AGENT_PROOF,
)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The packages whose build was queued (the build itself is tested in test_package)."""
    queued: list[int] = []
    monkeypatch.setattr(confirmation_tasks, "build_package", queued.append)
    return queued


def _poa_codes(case: Any) -> list[str]:
    return [f.code for f in confirmation.run_checks(case, COURT) if "poa" in f.code]


def test_full_powers_pass_and_the_package_is_released(app: Flask, builds: list[int]) -> None:
    who, case, _ = in_force_case()  # the default support records full powers
    assert _poa_codes(case) == []
    package = confirmation.release_package(who["mediator"], case, COURT)
    assert builds == [package.id]


def test_an_agreement_for_less_than_the_claim_needs_special_authorisation(
    app: Flask, builds: list[int]
) -> None:
    """The settled case agrees ¥24,000 on a claim of ¥31,800: part of it is waived."""
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    record_poa(who["creditor"], case, powers=ORDINARY_POWERS)
    assert _poa_codes(case) == ["confirm.poa_no_special_authority"]
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, COURT)
    [finding] = [f for f in refused.value.findings if "poa" in f.code]
    assert "特别授权" in finding.message_zh and "第六十二条" in finding.source
    assert builds == []


def test_a_newer_power_of_attorney_with_special_authorisation_lifts_the_block(
    app: Flask, builds: list[int]
) -> None:
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    record_poa(who["creditor"], case, powers=ORDINARY_POWERS)
    record_poa(who["creditor"], case, powers=FULL_POWERS, name="授权委托书（补正）.pdf")
    assert _poa_codes(case) == []
    confirmation.release_package(who["mediator"], case, COURT)
    assert len(builds) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"powers": FULL_POWERS - {Power.APPLY_CONFIRMATION}},
            ["confirm.poa_no_confirmation_power"],
        ),
        ({"powers": FULL_POWERS - {Power.SIGN_AGREEMENT}}, ["confirm.poa_cannot_sign"]),
        ({"agent_name": "另一位员工"}, ["confirm.poa_other_agent"]),
        # Begun after the creditor signed (two days ago, see confirmation_support).
        ({"valid_from": clock.today() - timedelta(days=1)}, ["confirm.poa_period"]),
    ],
    ids=["no_confirmation_power", "no_signing_power", "other_agent", "period_after_signing"],
)
def test_each_gap_in_the_power_of_attorney_blocks(
    app: Flask, content: dict[str, Any], expected: list[str]
) -> None:
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    record_poa(who["creditor"], case, **content)
    assert _poa_codes(case) == expected


def test_a_file_uploaded_without_its_content_cannot_be_checked(app: Flask) -> None:
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    add_evidence(
        who["creditor"],
        case,
        io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
        "poa.pdf",
        EvidenceCategory.ATTORNEY,
        "",
    )
    assert _poa_codes(case) == ["confirm.poa_content_missing"]


def test_the_power_of_attorney_replaced_by_a_correction_no_longer_counts(app: Flask) -> None:
    """A file corrected by another is out of the package: its recorded content too."""
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    evidence = record_poa(who["creditor"], case)
    add_evidence(
        who["creditor"],
        case,
        io.BytesIO(b"%PDF-1.4\n% fixed\n%%EOF\n"),
        "poa.pdf",
        EvidenceCategory.ATTORNEY,
        "",
        supersedes_id=evidence.id,
    )
    assert _poa_codes(case) == ["confirm.poa_content_missing"]


def test_no_power_of_attorney_at_all_is_the_old_block(app: Flask) -> None:
    _, case, _ = in_force_case(evidence=WITHOUT_POA)
    assert [f.code for f in confirmation.run_checks(case, COURT) if "agent" in f.code] == [
        "confirm.agent_without_authority"
    ]
    assert _poa_codes(case) == []


def test_upload_of_the_attorney_category_records_full_powers(app: Flask) -> None:
    """The support's ``upload`` gives the power of attorney through the real service."""
    who, case, _ = in_force_case(evidence=WITHOUT_POA)
    upload(who, case, EvidenceCategory.ATTORNEY)
    assert _poa_codes(case) == []
