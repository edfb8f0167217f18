"""Restructuring (民法典 Art. 543): the debtor's request refused where it cannot be made,
answered by the creditor (accept, decline, counter), the supplementary agreement drafted,
rendered, signed like the agreement and read back from the real PDF; once in force the
plan keeps every payment and follows the new schedule, to the fen."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app.agreements.common import AgreementRefused
from app.cases.lifecycle import today
from app.core import clock
from app.core.errors import InvalidInput
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import AuditEvent, OutboundMessage
from app.models.repayments import RepaymentBreach
from app.models.restructuring import RequestStatus, RestructuringRequest, SupplementaryStatus
from app.repayments.common import performance_of
from app.repayments.payments import record_payment
from app.repayments.watch import watch_repayments
from app.restructuring import drafting, requests, signing
from app.restructuring.common import RestructuringRefused
from app.rules.cases import CaseState
from app.rules.repayments import InstalmentState, RepaymentState
from app.signing.reauth import ReauthError
from tests import restructuring_support as support
from tests.agreement_support import people, settled_case, signature
from tests.repayment_support import entry

ARTIFACTS = Path(__file__).resolve().parents[3] / "build" / "restructuring"


@pytest.fixture
def world(app: Flask):
    return support.partly_paid_case()


def _actions(case) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )


def _code(call) -> str:
    with pytest.raises((RestructuringRefused, InvalidInput, AgreementRefused)) as caught:
        call()
    return caught.value.code


def test_the_debtor_asks_and_the_creditor_and_mediator_are_told(world) -> None:
    who, case, _ = world
    request = requests.file_request(who["debtor"], case, "失业", support.new_schedule())
    assert request.status == RequestStatus.OPEN and request.open_case_id == case.id
    assert request.offers[0]["remaining"] == "22500.00"
    assert "case:restructuring:request" in _actions(case)
    templates = set(
        db.session.scalars(
            select(OutboundMessage.template).where(OutboundMessage.case_id == case.id)
        )
    )
    assert "restructuring_requested" in templates


def test_requests_are_refused_where_they_cannot_be_made(app: Flask, world) -> None:
    who, case, _ = world
    schedule = support.new_schedule()
    assert _code(lambda: requests.file_request(who["creditor"], case, "x", schedule)) == (
        "not_the_debtor"
    )
    assert _code(lambda: requests.file_request(who["other_debtor"], case, "x", schedule)) == (
        "not_the_debtor"
    )
    assert _code(lambda: requests.file_request(who["mediator"], case, "x", schedule)) == (
        "not_the_debtor"
    )
    assert _code(lambda: requests.file_request(who["debtor"], case, "  ", schedule)) == (
        "reason_required"
    )
    short = support.new_schedule(total=Decimal("22499.99"))
    refusal = pytest.raises(InvalidInput, requests.file_request, who["debtor"], case, "x", short)
    with app.test_request_context():
        assert refusal.value.code == "schedule_sum" and "22,500.00" in refusal.value.message
    everything = support.new_schedule(total=Decimal("24000.00"))  # re-collects what was paid
    assert _code(lambda: requests.file_request(who["debtor"], case, "x", everything)) == (
        "schedule_sum"
    )
    requests.file_request(who["debtor"], case, "失业", schedule)
    assert _code(lambda: requests.file_request(who["debtor"], case, "x", schedule)) == (
        "already_open"
    )


def test_no_request_on_a_completed_or_not_live_case(app: Flask) -> None:
    who, case, _ = support.partly_paid_case()
    record_payment(who["creditor"], case, entry("22500.00", "TX-ALL"))
    assert case.state == CaseState.PERFORMED
    schedule = support.new_schedule()
    assert _code(lambda: requests.file_request(who["debtor"], case, "x", schedule)) == ("completed")
    negotiating = settled_case(people())
    debtor = db.session.get(type(who["debtor"]), negotiating.debtor_user_id)
    assert _code(lambda: requests.file_request(debtor, negotiating, "x", schedule)) == (
        "not_in_performance"
    )


def test_the_creditor_declines_with_a_reason_and_the_debtor_may_ask_again(world) -> None:
    who, case, _ = world
    requests.file_request(who["debtor"], case, "失业", support.new_schedule())
    assert _code(lambda: requests.decline_request(who["creditor"], case, "")) == "decline_reason"
    assert _code(lambda: requests.decline_request(who["debtor"], case, "no")) == "own_offer"
    assert _code(lambda: requests.accept_offer(who["mediator"], case)) == "not_a_party"
    declined = requests.decline_request(who["creditor"], case, "收入证明不足")
    assert declined.status == RequestStatus.DECLINED and declined.open_case_id is None
    assert _code(lambda: requests.accept_offer(who["creditor"], case)) == "no_open_request"
    again = requests.file_request(who["debtor"], case, "再次申请", support.new_schedule(count=12))
    assert again.status == RequestStatus.OPEN
    assert "case:restructuring:decline" in _actions(case)


def test_a_counter_offer_is_answered_by_the_other_side(world) -> None:
    who, case, _ = world
    requests.file_request(who["debtor"], case, "失业", support.new_schedule(count=30))
    request = requests.counter_offer(who["creditor"], case, support.new_schedule(count=18))
    assert [o["side"] for o in request.offers] == ["debtor", "creditor"]
    assert _code(lambda: requests.accept_offer(who["creditor"], case)) == "own_offer"
    accepted = requests.accept_offer(who["debtor"], case)
    assert accepted.status == RequestStatus.ACCEPTED
    assert accepted.basis["remaining"]["principal"] and len(accepted.offers[-1]["schedule"]) == 18
    assert [a for a in _actions(case) if a.startswith("case:restructuring")] == [
        "case:restructuring:request",
        "case:restructuring:counter",
        "case:restructuring:accept",
    ]


def test_a_payment_between_the_offer_and_the_answer_changes_the_balance(world) -> None:
    who, case, _ = world
    requests.file_request(who["debtor"], case, "失业", support.new_schedule())
    record_payment(who["creditor"], case, entry("100.00", "TX-2"))
    assert _code(lambda: requests.accept_offer(who["creditor"], case)) == "balance_changed"
    requests.counter_offer(
        who["creditor"], case, support.new_schedule(total=Decimal("22400.00"), count=20)
    )
    assert requests.accept_offer(who["debtor"], case).status == RequestStatus.ACCEPTED


def test_only_the_mediator_drafts_and_only_once_terms_are_agreed(world) -> None:
    who, case, _ = world
    requests.file_request(who["debtor"], case, "失业", support.new_schedule())
    assert _code(lambda: drafting.draft_supplementary(who["mediator"], case)) == "not_accepted"


def test_signed_by_all_the_supplement_takes_effect_and_the_plan_keeps_every_payment(
    world,
) -> None:
    who, case, agreement = world
    supplement = support.supplement_in_force(who, case, count=30)
    assert supplement.status == SupplementaryStatus.IN_FORCE and supplement.effective_at
    assert case.state == CaseState.IN_FORCE  # the case stays in performance
    perf = performance_of(case, today())
    assert perf is not None and perf.supplement is not None
    plan, status = perf.plan, perf.status
    assert plan.total == Decimal("24000.00")  # nothing re-collected, nothing lost
    assert sum((row.amount for row in plan.instalments), Decimal(0)) == Decimal("24000.00")
    kept = [p for p in status.positions if p.number <= 24]
    assert [(p.number, p.paid.total, p.state) for p in kept] == [
        (1, Decimal("1000.00"), InstalmentState.PAID),
        (2, Decimal("500.00"), InstalmentState.PAID),
    ]
    new = [p for p in status.positions if p.number > 24]
    assert len(new) == 30 and new[0].number == 25
    assert sum((p.instalment.amount for p in new), Decimal(0)) == support.REMAINING
    assert status.paid.total == support.PAID and status.balance.total == support.REMAINING
    assert status.state is RepaymentState.ON_TRACK
    superseded = supplement.terms["basis"]["superseded"]
    assert [row["number"] for row in superseded] == list(range(2, 25))
    assert superseded[0]["amount"] == "500.00"
    request = db.session.get(RestructuringRequest, supplement.request_id)
    assert request is not None and request.status == RequestStatus.COMPLETED
    assert request.open_case_id is None
    actions = _actions(case)
    for action in (
        "case:supplementary:draft",
        "case:supplementary:render",
        "case:supplementary:code",
        "case:supplementary:sign",
        "case:supplementary:in_force",
    ):
        assert action in actions
    # the next payment pays the new schedule
    record_payment(who["creditor"], case, entry(str(new[0].instalment.amount), "TX-3"))
    after = performance_of(case, today())
    assert (
        after is not None
        and after.status.balance.total == support.REMAINING - new[0].instalment.amount
    )


def test_the_new_schedule_is_breached_afresh_and_recorded_once(world) -> None:
    who, case, _ = world
    supplement = support.supplement_in_force(who, case, count=3)
    perf = performance_of(case, today())
    assert perf is not None
    first = next(p for p in perf.status.positions if p.number == 25)
    # two days after the first new instalment's grace period ends, unpaid
    moment = clock.now() + (first.instalment.grace_ends - today() + timedelta(days=2))
    assert watch_repayments(moment) == 1
    rows = db.session.scalars(select(RepaymentBreach).where(RepaymentBreach.case_id == case.id))
    assert [(r.plan_revision, r.instalment) for r in rows] == [(supplement.version, 25)]
    assert watch_repayments(moment) == 0  # recorded once


def test_the_supplementary_pdf_reads_back_with_every_amount_and_signature(world) -> None:
    who, case, agreement = world
    supplement = support.supplement_in_force(who, case, count=6)
    data = documents.read_pdf(supplement.current_sha256)
    report = verify_pdf(data, documents.trust_roots())
    assert report.accepted, report.problem
    assert len(report.signatures) == 4  # the organisation's certification and three signers
    assert report.signatures[0].is_certification
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    for phrase in (
        "补充协议",
        "第五百四十三条",
        case.reference,
        "第1版",
        "1,500.00",  # paid so far
        "22,500.00",  # the remaining balance
        "贰万贰仟伍佰元整",
        "原协议的其他条款继续有效",
        "第2期尚未支付的人民币500.00元及第3期至第24期各期",
        "第1期",
        "第6期",
        "3,750.00",
        "失业，收入减少一半",
        "本补充协议一式三份，债权人、债务人各执一份",  # 人民调解法 Art. 29 para. 3
    ):
        assert phrase in flat, phrase
    assert agreement.current_sha256 in flat
    issued = documents.lookup_issued(supplement.current_sha256)
    assert issued is not None and issued.in_force and issued.kind == "supplementary"
    assert [s["role"] for s in issued.signers] == ["debtor", "creditor", "mediator"]
    fonts = subprocess.run(
        ["pdffonts", "-"], input=data, capture_output=True, check=False
    ).stdout.decode()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "supplementary.pdf"
    pdf.write_bytes(data)
    assert "Noto" in (fonts or "") or b"Noto" in data
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install poppler-utils"
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "supplementary")], check=True
    )
    assert list(ARTIFACTS.glob("supplementary-*.png"))


def test_a_wrong_code_signs_nothing_and_parties_sign_before_the_mediator(world) -> None:
    who, case, _ = world
    support.accepted_request(who, case)
    supplement = drafting.draft_supplementary(who["mediator"], case)
    db.session.refresh(supplement)
    assert supplement.status == SupplementaryStatus.SIGNING
    assert (
        _code(lambda: support.sign_supplement(case, supplement, who["mediator"])) == "parties_first"
    )
    signing.send_signing_code(who["debtor"], case, supplement, None)
    with pytest.raises(ReauthError):
        signing.sign_supplementary(who["debtor"], case, supplement, signature(supplement, "000000"))
    assert supplement.signatures == []
    # a new version: the old one is superseded and cannot be signed
    newer = drafting.draft_supplementary(who["mediator"], case)
    db.session.refresh(supplement)
    assert supplement.status == SupplementaryStatus.SUPERSEDED and newer.version == 2
    assert _code(lambda: support.sign_supplement(case, supplement, who["debtor"])) == ("superseded")
