"""The demo shows the whole life of an agreement on whatever day it is seeded: one
instalment late within its grace period, a court-confirmed agreement in breach with its
enforcement application, an agreement performed with its settlement certificate, each
PDF certified by the organisation and accepted by /verify."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask, current_app
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from app import audit
from app.calendar.overrides import legal_calendar
from app.core import clock
from app.demo.performance import (
    FIRST_DUE_AFTER,
    PERFORMANCE_CASES,
    RULED_AFTER,
    Story,
    opening_day,
)
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.enforcement.common import applications_of, confirming_ruling
from app.extensions import db
from app.models import Case, IssuedDocument
from app.models.agreements import DocumentKind
from app.models.repayments import (
    PaymentSource,
    PaymentStatus,
    ReminderKind,
    RepaymentBreach,
    RepaymentPayment,
    RepaymentReminder,
)
from app.repayments.common import agreement_in_force, payments_of, performance_of
from app.rules.cases import CaseState
from app.rules.repayments import RepaymentState
from tests.certificate_support import pdf_text

SPECS = {spec.story: spec for spec in PERFORMANCE_CASES}


def _case(story: Story) -> Case:
    email = SPECS[story].stage.case.email
    return db.session.scalars(select(Case).where(Case.debtor_email == email)).one()


def _seeded_on(case: Case, story: Story) -> date:
    """The day seeding ran: the case opened ``days_ago`` days before it."""
    return clock.day_of(case.created_at) + timedelta(days=SPECS[story].days_ago)


def _certified_once_and_genuine(pdf: bytes) -> None:
    """pyHanko reads one signature, the organisation's certification (DocMDP), and our
    verification accepts the file as issued by this platform."""
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert [s.field_name for s in signatures] == ["organisation"]
    assert signatures[0].docmdp_level is not None  # a certification signature
    report = verify_pdf(pdf, documents.trust_roots())
    assert report.accepted, report.problem
    assert documents.lookup_issued(documents.sha256_of(pdf)) is not None


def test_the_late_case_has_its_first_instalment_unpaid_within_grace(
    app: Flask, seeded: None
) -> None:
    case = _case(Story.LATE)
    # The day seeding ran: the reminder after the miss is sent on it (the opening day may
    # have moved back to keep the first instalment off a rest day).
    missed = select(RepaymentReminder.sent_at).where(
        RepaymentReminder.case_id == case.id, RepaymentReminder.kind == ReminderKind.MISSED
    )
    day = clock.day_of(db.session.scalars(missed).one())
    agreement = agreement_in_force(case)
    assert case.state == CaseState.IN_FORCE and agreement is not None
    assert clock.day_of(agreement.effective_at) == opening_day(SPECS[Story.LATE], day)
    perf = performance_of(case, day)
    assert perf is not None and perf.status.state is RepaymentState.LATE
    first = perf.plan.instalments[0]
    assert first.due < day <= first.grace_ends
    assert payments_of(case) == [] and perf.status.breach is None
    reminders = select(RepaymentReminder.kind).where(RepaymentReminder.case_id == case.id)
    kinds = set(db.session.scalars(reminders))
    assert kinds == {ReminderKind.BEFORE, ReminderKind.DUE, ReminderKind.MISSED}


def test_the_breach_case_was_confirmed_and_has_a_genuine_enforcement_application(
    app: Flask, seeded: None
) -> None:
    case = _case(Story.BREACH)
    day = _seeded_on(case, Story.BREACH)
    assert case.state == CaseState.CONFIRMED
    ruling = confirming_ruling(case)
    assert ruling is not None and ruling.court_name == "上海市徐汇区人民法院"
    opened = day - timedelta(days=130)
    assert ruling.ruling_on == opened + timedelta(days=RULED_AFTER) < day
    assert ruling.filed_on is not None and ruling.filed_on < ruling.ruling_on

    perf = performance_of(case, day)
    assert perf is not None and perf.status.state is RepaymentState.IN_BREACH
    breach = perf.status.breach
    assert breach is not None and breach.instalment == 2 and breach.on < day
    recorded = db.session.scalars(select(RepaymentBreach).where(RepaymentBreach.case_id == case.id))
    (row,) = recorded
    assert row.breach_on == breach.on and clock.day_of(row.recorded_at) == breach.on
    paid = [(p.paid_on, p.amount, p.status) for p in payments_of(case)]
    first, second = perf.plan.instalments[:2]
    assert paid == [
        (first.due, first.amount, PaymentStatus.RECORDED),
        (second.due, perf.status.paid.total - first.amount, PaymentStatus.RECORDED),
    ]

    (doc,) = applications_of(case)
    pdf = documents.read_pdf(doc.sha256)
    _certified_once_and_genuine(pdf)
    text = pdf_text(pdf)
    assert "强制执行申请书" in text and case.debtor_name in text
    assert f"{ruling.court_case_number}民事裁定书" in text
    assert f"尚欠¥{perf.status.balance.total:,.2f}" in text
    assert "人民币¥" not in text  # one currency mark: the figure, then the capital numerals


def test_the_performed_case_closed_with_a_genuine_settlement_certificate(
    app: Flask, seeded: None
) -> None:
    case = _case(Story.PERFORMED)
    day = _seeded_on(case, Story.PERFORMED)
    assert case.state == CaseState.PERFORMED
    rows = payments_of(case)
    assert [(r.source, r.status) for r in rows] == [
        (PaymentSource.CREDITOR, PaymentStatus.RECORDED),
        (PaymentSource.DEBTOR, PaymentStatus.CONFIRMED),
        (PaymentSource.CREDITOR, PaymentStatus.RECORDED),
    ]
    assert rows[1].proof_sha256  # the debtor's transfer receipt
    assert all(r.paid_on < day for r in rows)
    (doc,) = db.session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.case_id == case.id,
            IssuedDocument.kind == DocumentKind.SETTLEMENT_CERTIFICATE,
        )
    )
    pdf = documents.read_pdf(doc.sha256)
    _certified_once_and_genuine(pdf)
    text = pdf_text(pdf)
    assert "结清证明" in text and case.debtor_name in text
    assert "¥9,300.00（人民币玖仟叁佰元整）" in text
    assert f"{rows[-1].paid_on.year}年{rows[-1].paid_on.month}月{rows[-1].paid_on.day}日" in text


def test_the_declined_case_certificate_is_parsed_back_by_pyhanko(app: Flask, seeded: None) -> None:
    case = db.session.scalars(select(Case).where(Case.debtor_name == "孙伟")).one()
    (doc,) = db.session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.case_id == case.id,
            IssuedDocument.kind == DocumentKind.FAILURE_CERTIFICATE,
        )
    )
    _certified_once_and_genuine(documents.read_pdf(doc.sha256))


def test_the_late_case_falls_due_on_a_working_day_before_today_every_day_of_the_year(
    app: Flask,
) -> None:
    """Whatever the day, the late case's first instalment falls due on a working day
    (not moved past today by a holiday) and today is within its grace period."""
    calendar = legal_calendar()
    spec = SPECS[Story.LATE]
    for offset in range(366):
        today = date(2026, 1, 1) + timedelta(days=offset)
        due = opening_day(spec, today) + timedelta(days=FIRST_DUE_AFTER)
        assert calendar.is_working_day(due), today
        assert 5 <= (today - due).days < 15, today  # late, and well within 15 days' grace


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 2, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),  # Spring Festival
        datetime(2026, 10, 6, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai")),  # T-5: National Day
    ],
    ids=["spring-festival-2027", "national-day-2026"],
)
def test_the_states_hold_on_another_day(app: Flask, frozen_clock: object, moment: datetime) -> None:
    """Seeded on another day (the 2027 Spring Festival, a year the holiday package does not
    know; a day five days after National Day, when an instalment due then would move past
    today), the demo shows the same states, and a second run changes nothing."""
    frozen_clock.move_to(moment)  # type: ignore[attr-defined]
    runner = current_app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    day = clock.today()
    states = {story: performance_of(_case(story), day) for story in (Story.LATE, Story.BREACH)}
    assert states[Story.LATE] is not None
    assert states[Story.LATE].status.state is RepaymentState.LATE
    assert states[Story.BREACH] is not None
    assert states[Story.BREACH].status.state is RepaymentState.IN_BREACH
    assert len(applications_of(_case(Story.BREACH))) == 1
    assert _case(Story.PERFORMED).state == CaseState.PERFORMED
    counted = (RepaymentPayment, RepaymentBreach, RepaymentReminder, IssuedDocument)
    before = [db.session.scalar(select(func.count()).select_from(m)) for m in counted]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output, second.output
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in counted] == before
    assert audit.verify_chain().intact
