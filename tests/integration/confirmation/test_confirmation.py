"""Judicial confirmation use cases: the 30-day clock, the competent courts, the facts the
pre-checks judge, acknowledgements and the release of the package, and its refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from stdnum.cn import ric

from app.cases.evidence import evidence_of
from app.confirmation import courts as confirmation_courts
from app.confirmation import release as confirmation
from app.confirmation import tasks as confirmation_tasks
from app.confirmation.release import ConfirmationError
from app.core import clock
from app.core.errors import Conflict
from app.extensions import db
from app.models.agreements import AgreementStatus
from app.models.audit import AuditEvent
from app.models.auth import UserSession
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.court_levels import CourtLevelThreshold
from app.models.evidence import EvidenceCategory
from app.models.negotiation import Objection
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.rules.cases import CaseState
from tests.agreement_support import people
from tests.confirmation_support import in_force_case, tamper, upload

BEIJING = ZoneInfo("Asia/Shanghai")
COURT = "北京市朝阳区人民法院"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the packages whose build job ran (after the release committed); the
    build itself is tested in ``test_package``."""
    queued: list[int] = []
    monkeypatch.setattr(confirmation_tasks, "build_package", queued.append)
    return queued


def _codes(err: ConfirmationError) -> list[str]:
    return [f.code for f in err.findings]


def _actions(case_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id)
        )
    )


def _beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


# --- the 30-day clock -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effective_at", "last_day"),
    [
        (_beijing(2026, 11, 10, 10, 0), date(2026, 12, 10)),  # an ordinary Thursday
        # 00:30 in Beijing is still the previous day in UTC: the legal clock decides.
        (_beijing(2026, 9, 3, 0, 30), date(2026, 10, 8)),  # day 30 in the National Day week
        (_beijing(2026, 1, 16, 15, 0), date(2026, 2, 24)),  # day 30 in Spring Festival
    ],
)
def test_the_deadline_is_set_when_the_agreement_takes_effect(
    app: Any, effective_at: datetime, last_day: date
) -> None:
    _, case, agreement = in_force_case(effective_at=effective_at)
    case.next_deadline = None

    deadline = confirmation.on_agreement_in_force(case, agreement)

    assert case.next_deadline == last_day == deadline.end
    assert confirmation.confirmation_deadline_for(case).end == last_day  # type: ignore[union-attr]


def test_no_deadline_before_the_agreement_is_in_force(app: Any) -> None:
    _, case, agreement = in_force_case()
    agreement.status = AgreementStatus.SIGNING
    db.session.commit()
    assert confirmation.confirmation_deadline_for(case) is None


def test_a_case_past_its_window_is_overdue_until_filed(app: Any) -> None:
    _, late, _ = in_force_case(effective_at=clock.now() - timedelta(days=45))
    _, on_time, _ = in_force_case(effective_at=clock.now() - timedelta(days=3))
    assert confirmation.is_overdue(late) and not confirmation.is_overdue(on_time)
    assert confirmation.overdue_cases() == [late]
    late.state = CaseState.FILED
    db.session.commit()
    assert confirmation.overdue_cases() == []


# --- competent courts -------------------------------------------------------------------


def _resident_id(division: str) -> str:
    body = f"{division}19800101123"
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(
    ("id_division", "debtor_address", "expected"),
    [
        (
            "110105",
            "北京市朝阳区某街 1 号",
            [
                ("北京市朝阳区人民法院", ("debtor_domicile",)),
                ("北京市海淀区人民法院", ("creditor_domicile",)),
                ("北京市东城区人民法院", ("organisation",)),
            ],
        ),
        (  # registered in 海淀 (the ID), lives in 丰台 (the address): both are listed
            "110108",
            "北京市丰台区某路 9 号",
            [
                ("北京市海淀区人民法院", ("debtor_domicile", "creditor_domicile")),
                ("北京市丰台区人民法院", ("debtor_domicile",)),
                ("北京市东城区人民法院", ("organisation",)),
            ],
        ),
    ],
)
def test_competent_courts_for_a_beijing_debtor_and_creditor(
    app: Any, id_division: str, debtor_address: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    who = people()
    who["creditor"].creditor_org.address = "北京市海淀区中关村大街 27 号"
    _, case, _ = in_force_case(
        who, debtor_id_number=_resident_id(id_division), debtor_address=debtor_address
    )
    found = confirmation.competent_courts_for(case)
    assert [(c.court.name, c.grounds) for c in found] == expected
    assert found.unresolved == ()


def test_the_admins_thresholds_send_the_case_to_the_intermediate_court(app: Any) -> None:
    """CPL Art. 205(2); 法发〔2021〕27号 items 1-2: the level follows the settled total and
    the administrator's table in the database (here lowered below the demo amount), and
    the pre-check then refuses the basic-level court (民诉法解释 Art. 355)."""
    who = people()
    who["creditor"].creditor_org.address = "北京市海淀区中关村大街 27 号"
    _, case, _ = in_force_case(who, debtor_id_number=_resident_id("110105"))
    assert all(c.court.level == "basic" for c in confirmation.competent_courts_for(case))
    assert confirmation_courts.dispute_amount(case) < Decimal("100000")
    row = db.session.scalar(
        select(CourtLevelThreshold).where(CourtLevelThreshold.province == "北京市")
    )
    assert row is not None
    row.same_province_min, row.cross_province_min = Decimal("1000"), Decimal("500")
    db.session.commit()
    found = confirmation.competent_courts_for(case)
    assert [c.court.name for c in found] == [
        "北京市第三中级人民法院",
        "北京市第一中级人民法院",
        "北京市第二中级人民法院",
    ]
    codes = [f.code for f in confirmation.run_checks(case, COURT)]
    assert "confirm.court_not_competent" in codes
    assert "confirm.court_not_competent" not in [
        f.code for f in confirmation.run_checks(case, "北京市第三中级人民法院")
    ]


# --- what the checks see ----------------------------------------------------------------


def test_a_clean_case_has_nothing_to_fix(app: Any) -> None:
    _, case, _ = in_force_case()
    assert confirmation.run_checks(case, COURT) == []
    facts = confirmation.facts_for(case, COURT)
    assert facts.signed_roles == {"debtor", "creditor", "mediator"}
    assert facts.agreed_principal <= facts.documented_outstanding_principal
    assert facts.parties[1].agent is not None and facts.parties[1].agent.has_power_of_attorney


def test_loopback_addresses_are_not_taken_for_a_shared_device_but_are_reported(
    app: Any,
) -> None:
    """Behind an untrusted proxy every signer shows as 127.0.0.1: not one device on both
    sides (no block), but never dropped silently either: an information finding tells the
    mediator the addresses cannot be compared (电子签名法 Art. 13; CPL Art. 115)."""
    _, case, _ = in_force_case(ips=dict.fromkeys(("debtor", "creditor", "mediator"), "127.0.0.1"))
    facts = confirmation.facts_for(case, COURT)
    assert [p.devices for p in facts.parties] == [frozenset(), frozenset()]
    assert facts.collusion.unverifiable == {"127.0.0.1"}
    findings = confirmation.run_checks(case, COURT)
    assert [(f.code, f.severity.value) for f in findings] == [
        ("confirm.address_unverifiable", "info")
    ]
    assert "127.0.0.1" in findings[0].message_en and "TRUSTED_PROXIES" in findings[0].message_en


def test_the_debtor_signing_in_from_the_creditors_address_is_a_shared_device(app: Any) -> None:
    who, case, _ = in_force_case()
    db.session.add(
        UserSession(
            token_hash="f" * 64,
            user_id=who["debtor"].id,
            expires_at=clock.now() + timedelta(hours=1),
            ip="203.0.113.20",  # the creditor's signing address
            user_agent="pytest",
        )
    )
    db.session.commit()
    assert "confirm.same_device" in [f.code for f in confirmation.run_checks(case, COURT)]


def _sent(case_id: int, at: datetime, template: str = "proposal_new") -> OutboundMessage:
    return OutboundMessage(
        case_id=case_id,
        recipient_key=f"debtor:{case_id}",
        is_debtor=True,
        channel=Channel.SMS,
        address="13800138001",
        template=template,
        subject="s",
        body="b",
        created_at=at,
        due_at=at,
        sent_at=at,
        status=OutboxStatus.SENT,
    )


def test_contact_violations_count_quiet_hours_and_a_fourth_message_a_day(app: Any) -> None:
    _, case, _ = in_force_case()
    rows = [
        _sent(case.id, _beijing(2026, 11, 1, 22, 30)),  # quiet hours
        _sent(case.id, _beijing(2026, 11, 1, 23, 0), "signing_code"),  # asked for: allowed
        *(_sent(case.id, _beijing(2026, 11, 2, hour, 0)) for hour in (9, 10, 11, 12)),
    ]
    db.session.add_all(rows)
    db.session.commit()
    assert confirmation.facts_for(case, COURT).contact_violations == 2
    assert [f.code for f in confirmation.run_checks(case, COURT)] == ["confirm.contact_violations"]


def test_an_assignee_needs_the_chain_and_the_notice_on_file(app: Any) -> None:
    who, case, _ = in_force_case(
        is_assignee=True,
        original_lender="某某小额贷款有限公司",
        assignment_date=date(2025, 1, 10),
        debtor_notified=True,
    )
    codes = [f.code for f in confirmation.run_checks(case, COURT)]
    assert {"confirm.assignment_chain_missing", "confirm.assignment_not_notified"} <= set(codes)
    upload(who, case, EvidenceCategory.ASSIGNMENT)
    upload(who, case, EvidenceCategory.NOTICE)
    codes = [f.code for f in confirmation.run_checks(case, COURT)]
    assert not {"confirm.assignment_chain_missing", "confirm.assignment_not_notified"} & set(codes)


# --- releasing the package: refusals ---------------------------------------------------


def _not_in_force(who: dict[str, Any], case: Any, agreement: Any) -> None:
    agreement.status = AgreementStatus.SIGNING
    agreement.effective_at = None
    case.state = CaseState.SIGNING


def _open_objection(who: dict[str, Any], case: Any, agreement: Any) -> None:
    db.session.add(
        Objection(
            case_id=case.id, item="interest", reason="利息算错了", raised_by_id=who["debtor"].id
        )
    )


def _no_disbursement_proof(who: dict[str, Any], case: Any, agreement: Any) -> None:
    for evidence in evidence_of(case):
        if evidence.category == EvidenceCategory.DISBURSEMENT:
            evidence.category = EvidenceCategory.STATEMENT


def _same_ip(who: dict[str, Any], case: Any, agreement: Any) -> None:
    for signature in agreement.signatures:
        signature.ip = "198.51.100.7"


def _principal_above(who: dict[str, Any], case: Any, agreement: Any) -> None:
    case.outstanding_principal = Decimal("20000.00")


def _tampered(who: dict[str, Any], case: Any, agreement: Any) -> None:
    tamper(next(e for e in evidence_of(case) if e.category == EvidenceCategory.CONTRACT))


def _no_power_of_attorney(who: dict[str, Any], case: Any, agreement: Any) -> None:
    for evidence in evidence_of(case):
        if evidence.category == EvidenceCategory.ATTORNEY:
            evidence.category = EvidenceCategory.OTHER


@pytest.mark.parametrize(
    ("spoil", "court", "code", "finding", "detail"),
    [
        (_not_in_force, COURT, "not_in_force", None, None),
        (None, "北京市丰台区人民法院", "court_not_competent", "confirm.court_not_competent", None),
        (None, "北京市朝阳区人民法院（东坝法庭）", "court_not_competent", None, None),
        (_open_objection, COURT, "blocked", "confirm.open_objection", None),
        (_no_disbursement_proof, COURT, "blocked", "confirm.document_missing", None),
        (_same_ip, COURT, "blocked", "confirm.same_device", None),
        (_principal_above, COURT, "blocked", "confirm.principal_above_outstanding", None),
        (_no_power_of_attorney, COURT, "blocked", "confirm.agent_without_authority", None),
        (_tampered, COURT, "evidence_changed", None, "contract.pdf"),
    ],
)
def test_release_is_refused(
    app: Any,
    builds: list[int],
    spoil: Callable[..., None] | None,
    court: str,
    code: str,
    finding: str | None,
    detail: str | None,
) -> None:
    who, case, agreement = in_force_case()
    if spoil is not None:
        spoil(who, case, agreement)
        db.session.commit()
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, court)
    assert refused.value.code == code
    if finding is not None:
        assert finding in _codes(refused.value)
    if detail is not None:
        assert refused.value.detail == detail
    assert db.session.scalar(select(ConfirmationPackage)) is None
    assert builds == []


def test_a_release_on_a_case_changed_meanwhile_is_a_conflict_and_saves_nothing(
    app: Any, builds: list[int]
) -> None:
    who, case, _ = in_force_case()
    moved = update(Case).where(Case.id == case.id).values(version=Case.version + 1)
    # Another request moved the case after this one had read it.
    db.session.execute(moved.execution_options(synchronize_session=False))
    with pytest.raises(Conflict):
        confirmation.release_package(who["mediator"], case, COURT)
    assert db.session.scalar(select(ConfirmationPackage)) is None
    assert "case:confirmation:release" not in _actions(case.id)
    assert builds == []


def test_only_the_cases_mediator_releases(app: Any, builds: list[int]) -> None:
    who, case, _ = in_force_case()
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["colleague_mediator"], case, COURT)
    assert refused.value.code == "not_the_mediator"


# --- warnings and their acknowledgement --------------------------------------------------


def test_a_warning_must_be_acknowledged_then_the_package_is_released(
    app: Any, builds: list[int]
) -> None:
    who, case, _ = in_force_case(effective_at=clock.now() - timedelta(days=25))
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, COURT)
    assert refused.value.code == "unacknowledged"
    warned = _codes(refused.value)
    assert "confirm.window_closing" in warned

    assert confirmation.acknowledge(who["mediator"], case, warned) == sorted(warned)
    package = confirmation.release_package(who["mediator"], case, COURT)

    assert package.status == PackageStatus.RENDERING
    assert (package.number, package.court_name, package.court_division) == (1, COURT, "110105")
    assert sorted(a["code"] for a in package.acknowledged) == sorted(warned)
    assert all(a["by"] == who["mediator"].id for a in package.acknowledged)
    assert [f["code"] for f in package.findings] == warned
    assert builds == [package.id]
    actions = _actions(case.id)
    assert actions[-2:] == ["case:confirmation:acknowledge", "case:confirmation:release"]


def test_acknowledging_a_block_or_an_unknown_code_is_refused(app: Any) -> None:
    who, case, _ = in_force_case()
    _open_objection(who, case, None)
    db.session.commit()
    for code in ("confirm.open_objection", "confirm.no_such_thing"):
        with pytest.raises(ConfirmationError) as refused:
            confirmation.acknowledge(who["mediator"], case, [code])
        assert (refused.value.code, refused.value.detail) == ("not_a_warning", code)
    assert "case:confirmation:acknowledge" not in _actions(case.id)


def test_acknowledgements_do_not_outlive_a_release(app: Any, builds: list[int]) -> None:
    who, case, _ = in_force_case(effective_at=clock.now() - timedelta(days=25))
    codes = [f.code for f in confirmation.run_checks(case, COURT)]
    confirmation.acknowledge(who["mediator"], case, codes)
    first = confirmation.release_package(who["mediator"], case, COURT)

    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, "北京市东城区人民法院")
    assert refused.value.code == "unacknowledged"

    confirmation.acknowledge(who["mediator"], case, codes)
    second = confirmation.release_package(who["mediator"], case, "北京市东城区人民法院")
    db.session.refresh(first)
    assert (first.status, second.status) == (PackageStatus.SUPERSEDED, PackageStatus.RENDERING)
    assert (second.number, second.court_division) == (2, "110101")
    assert builds == [first.id, second.id]
