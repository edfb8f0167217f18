"""Sham-mediation signals across the organisation, read from the database
(:mod:`app.confirmation.collusion`; CPL Art. 115; 民诉法解释 Art. 358), and the
mediator's written justification that lifts a strong one (:mod:`app.confirmation.lifts`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.confirmation import release as confirmation
from app.confirmation import tasks as confirmation_tasks
from app.confirmation.release import ConfirmationError
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.audit import AuditEvent
from app.models.auth import UserSession
from app.models.invitations import Invitation
from app.models.users import Role
from app.rules.claims import Severity
from app.rules.collusion import finding_key, is_liftable
from tests.agreement_support import people
from tests.confirmation_support import in_force_case
from tests.factories import make_case, make_user

COURT = "北京市朝阳区人民法院"
JUSTIFICATION = "两名债务人是夫妻，共用家庭电话；已电话核实双方身份及借款事实。"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(confirmation_tasks, "build_package", queued.append)
    return queued


def _codes(case: Any) -> dict[str, Severity]:
    return {f.code: f.severity for f in confirmation.run_checks(case, COURT)}


def _other_case(who: dict[str, Any], case: Any, **kw: Any) -> Any:
    values = {
        "creditor": who["creditor"],
        "mediator": who["mediator"],
        "debtor_name": "李四",
        "debtor_id_masked": "110101********1234",
        "debtor_phone": "13900000000",
        "debtor_email": "li@example.com",
        "debtor_address": "上海市浦东新区另一路 9 号",
        **kw,
    }
    return make_case(**values)


def _session(user_id: int, ip: str, agent: str = "pytest") -> None:
    db.session.add(
        UserSession(
            token_hash=f"{user_id:032d}{ip.replace('.', ''):0>32}"[:64],
            user_id=user_id,
            expires_at=clock.now() + timedelta(hours=1),
            ip=ip,
            user_agent=agent,
        )
    )
    db.session.commit()


def test_a_different_debtor_with_the_same_phone_blocks_cpl_art_115(app: Any) -> None:
    who, case, _ = in_force_case()
    _other_case(who, case, debtor_phone=case.debtor_phone)
    assert _codes(case).get("confirm.debtors_share_phone") is Severity.BLOCK
    [finding] = [
        f for f in confirmation.run_checks(case, COURT) if f.code == "confirm.debtors_share_phone"
    ]
    assert "李*" in finding.message_zh and case.debtor_phone not in finding.message_zh


def test_the_same_debtor_in_another_case_or_another_organisation_is_no_signal(app: Any) -> None:
    who, case, _ = in_force_case()
    # The same person (same name and masked ID) in another case of the organisation.
    _other_case(
        who,
        case,
        debtor_name=case.debtor_name,
        debtor_id_masked=case.debtor_id_masked,
        debtor_phone=case.debtor_phone,
    )
    # A different person with the same phone in another organisation.
    _other_case(who, case, mediator=who["foreign_mediator"], debtor_phone=case.debtor_phone)
    assert not [c for c in _codes(case) if c.startswith("confirm.debtors_share_")]


def test_several_debtors_at_one_postal_address_block_one_is_a_warning(app: Any) -> None:
    who, case, _ = in_force_case()
    # "北京市朝阳区某街 1 号" typed without the spaces: the same address.
    _other_case(who, case, debtor_address="北京市朝阳区某街1号")
    assert _codes(case).get("confirm.debtors_share_address") is Severity.WARN
    _other_case(who, case, debtor_name="王五", debtor_address=case.debtor_address)
    assert _codes(case).get("confirm.debtors_share_address") is Severity.BLOCK


def test_a_debtor_signing_in_from_another_debtors_device_blocks(app: Any) -> None:
    who, case, _ = in_force_case()
    other = make_user(Role.DEBTOR, name="李四")
    _other_case(who, case, debtor_user_id=other.id)
    _session(other.id, "198.51.100.7", "pytest")  # the debtor's signing address and browser
    codes = _codes(case)
    assert codes.get("confirm.debtors_share_device") is Severity.BLOCK
    assert codes.get("confirm.debtors_share_network") is Severity.WARN


def test_a_debtor_sharing_a_phone_or_address_with_the_creditors_staff_blocks(app: Any) -> None:
    who, case, _ = in_force_case()
    make_user(
        Role.CREDITOR,
        creditor_org_id=who["creditor"].creditor_org_id,
        name="钱经理",
        phone=case.debtor_phone,
    )
    _session(who["creditor_colleague"].id, "198.51.100.7", "Firefox")
    codes = _codes(case)
    assert codes.get("confirm.staff_share_phone") is Severity.BLOCK
    assert codes.get("confirm.staff_share_network") is Severity.BLOCK
    assert "confirm.staff_share_device" not in codes  # another browser


def test_one_debtor_settling_three_cases_within_the_hour_blocks(app: Any) -> None:
    who = people()
    cases = [in_force_case(who)[1] for _ in range(3)]
    signed = {}
    for case in cases:
        signature = next(s for s in case_agreement_signatures(case) if s.role == "debtor")
        signed[case.id] = signature.signed_at
        db.session.add(
            Invitation(
                case_id=case.id,
                token_hash=f"{case.id:064d}",
                created_at=signature.signed_at - timedelta(minutes=20),
                expires_at=signature.signed_at + timedelta(days=7),
            )
        )
    db.session.commit()
    assert _codes(cases[0]).get("confirm.serial_instant_settlement") is Severity.BLOCK


def case_agreement_signatures(case: Any) -> list[Any]:
    return list(
        db.session.scalars(
            select(AgreementSignature)
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id == case.id)
        )
    )


def test_a_strong_signal_blocks_until_lifted_with_a_written_justification(
    app: Any, builds: list[int]
) -> None:
    """The lift is recorded in the audit log and kept with the package, which prints it."""
    who, case, _ = in_force_case()
    _other_case(who, case, debtor_phone=case.debtor_phone)
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, COURT)
    assert refused.value.code == "blocked"
    [finding] = [f for f in refused.value.findings if f.code == "confirm.debtors_share_phone"]
    key = finding_key(finding)

    with pytest.raises(ConfirmationError) as short:
        confirmation.lift_signals(who["mediator"], case, [key], "夫妻")
    assert short.value.code == "justification_required"
    with pytest.raises(ConfirmationError) as other:
        confirmation.lift_signals(who["colleague_mediator"], case, [key], JUSTIFICATION)
    assert other.value.code == "not_the_mediator"
    with pytest.raises(ConfirmationError) as hard:
        confirmation.lift_signals(who["mediator"], case, ["confirm.same_person:0"], JUSTIFICATION)
    assert hard.value.code == "not_liftable"

    assert confirmation.lift_signals(who["mediator"], case, [key], JUSTIFICATION) == [key]
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.action == "case:confirmation:lift"
        )
    ).one()
    assert event.data["justification"] == JUSTIFICATION
    assert event.data["codes"] == ["confirm.debtors_share_phone"]

    package = confirmation.release_package(who["mediator"], case, COURT)
    [lift] = [a for a in package.acknowledged if a.get("key") == key]
    assert lift["justification"] == JUSTIFICATION
    assert "confirm.debtors_share_phone" in [f["code"] for f in package.findings]
    # The lift lapses with the release: a new signal needs a new justification.
    assert confirmation.pending_lifts(case) == []


def test_a_lift_does_not_cover_a_signal_whose_evidence_changed(app: Any, builds: list[int]) -> None:
    who, case, _ = in_force_case()
    _other_case(who, case, debtor_phone=case.debtor_phone)
    [finding] = [
        f for f in confirmation.run_checks(case, COURT) if f.code == "confirm.debtors_share_phone"
    ]
    confirmation.lift_signals(who["mediator"], case, [finding_key(finding)], JUSTIFICATION)
    _other_case(who, case, debtor_name="王五", debtor_phone=case.debtor_phone)
    with pytest.raises(ConfirmationError) as refused:
        confirmation.release_package(who["mediator"], case, COURT)
    assert "confirm.debtors_share_phone" in [f.code for f in refused.value.findings]


def test_both_sides_signing_from_one_address_is_a_liftable_block(app: Any) -> None:
    """The agreement signed by debtor and creditor from one network address (behind the
    trusted proxy, their real address): one device for both sides (CPL Art. 115), which
    the mediator may lift in writing when both signed in the mediation room."""
    same = "198.51.100.50"
    _, case, _ = in_force_case(ips={"debtor": same, "creditor": same, "mediator": "192.0.2.30"})
    [finding] = [f for f in confirmation.run_checks(case, COURT) if f.code == "confirm.same_device"]
    assert finding.severity is Severity.BLOCK and same in finding.message_en
    assert is_liftable(finding)


def _statements_of(work: Any) -> int:
    from sqlalchemy import event

    count = 0

    def counted(*_args: Any) -> None:
        nonlocal count
        count += 1

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_the_signals_cost_the_same_few_queries_however_many_cases_share(app: Any) -> None:
    """Indexed look-ups driven by this debtor's values (migration 0021), never a loop over
    the organisation's cases: 1 or 12 other debtors sharing cost the same statements."""
    from app.confirmation.collusion import collusion_facts_for

    who, case, _ = in_force_case()
    _other_case(who, case, debtor_phone=case.debtor_phone)
    db.session.expire_all()
    one = _statements_of(lambda: collusion_facts_for(db.session.get(type(case), case.id)))
    for n in range(11):
        _other_case(who, case, debtor_name=f"债务人{n}", debtor_phone=case.debtor_phone)
    db.session.expire_all()
    found = []
    many = _statements_of(
        lambda: found.append(collusion_facts_for(db.session.get(type(case), case.id)))
    )
    assert many == one <= 20
    [phone] = [s for s in found[0].shared if s.trait.value == "phone"]
    assert len(phone.debtors) == 12
