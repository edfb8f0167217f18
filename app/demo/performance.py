"""Demo cases whose agreement has been performed for months (journey 7), so the whole
life of an agreement can be seen: one instalment late but within its grace period, one in
breach with the enforcement application issued on the court's confirming ruling (CPL
Arts. 235, 250), and one performed in full with its settlement certificate (民法典 Art.
557(1)).

Their states follow from dates (a breach is the day after an unpaid instalment's grace
period), and the demo's "today" is the real one: each case's past is replayed through the
real use cases with the clock set back (:func:`app.core.clock.replaying`): the case opened
and the agreement signed ``days_ago`` days before today, the court's steps, each payment
on the day it was due, the worker's watch on the day of a reminder or of the breach. Only
what happens today (the reminder after the miss, the enforcement application) runs on the
real clock. Each step looks at what exists first (the case's state, a payment's
reference, the package, the breach, the application), so a second run changes nothing and
an interrupted one resumes on the same timeline (counted from the day the case opened).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from app.calendar.overrides import legal_calendar
from app.core import clock
from app.demo.cases import DemoCase, start_case
from app.demo.confirmation import ConfirmationCase, Target, confirm_case
from app.demo.evidence import evidence_pdf, upload_evidence
from app.demo.papers import upload_identity_papers
from app.demo.stages import SIGN_ORDER, StageCase, advance, case_of, demo_user, inline_queue
from app.enforcement.application import generate_application
from app.enforcement.common import applications_of
from app.extensions import db
from app.models.cases import Case
from app.models.organisations import MediationOrganisation
from app.models.repayments import PaymentChannel, PaymentStatus, RepaymentBreach
from app.models.users import User
from app.repayments.common import Performance, by_reference, payments_of, performance_of
from app.repayments.decisions import confirm_payment
from app.repayments.payments import PaymentEntry, Proof, record_payment, report_payment
from app.repayments.watch import REMIND_DAYS_BEFORE, watch_case
from app.rules.cases import PERFORMANCE_STATES, CaseState
from app.rules.repayments import RepaymentState

CREDITOR = "bank@demo.concord"
WORKING_HOUR = time(10, 0)  # replayed steps happen in office hours, outside quiet hours


class Story(StrEnum):
    LATE = "late"  # the first instalment is five days late: within the grace period
    BREACH = "breach"  # instalment 2 unpaid past its grace period, enforcement applied for
    PERFORMED = "performed"  # every instalment paid on its day: closed with a certificate


@dataclass(frozen=True)
class PerformanceCase:
    story: Story
    stage: StageCase  # the first instalment falls due 30 days after the agreement
    days_ago: int  # the case opened and its agreement took effect this many days ago
    confirmation: ConfirmationCase | None = None  # the court's steps (BREACH)


def _stage(case: DemoCase, total: str, instalments: int) -> StageCase:
    return StageCase(case, CREDITOR, Decimal(total), instalments, SIGN_ORDER)


_BREACH_STAGE = _stage(
    DemoCase(
        CaseState.NEGOTIATING,
        "罗敏",
        "310104198505172829",
        "13800138012",
        "debtor10@demo.concord",
        "60000",
        "42000",
        "2520",
        "600",
        contract_number="HT-2024-0611",
        address="上海市徐汇区漕溪北路 88 号 3 幢 701 室",
    ),
    "43200.00",
    12,
)

PERFORMANCE_CASES = (
    PerformanceCase(
        Story.LATE,
        _stage(
            DemoCase(
                CaseState.NEGOTIATING,
                "高峰",
                "110101198803084513",
                "13800138011",
                "debtor9@demo.concord",
                "45000",
                "28000",
                "1680",
                "350",
                contract_number="HT-2024-0728",
                address="北京市东城区东直门南大街 5 号 4 单元 602 室",
            ),
            "28800.00",
            12,
        ),
        days_ago=35,  # the first instalment fell due five days ago
    ),
    PerformanceCase(
        Story.BREACH,
        _BREACH_STAGE,
        days_ago=130,
        confirmation=ConfirmationCase(
            _BREACH_STAGE, Target.CONFIRMED, "上海市徐汇区人民法院", "沪0104民特563号"
        ),
    ),
    PerformanceCase(
        Story.PERFORMED,
        _stage(
            DemoCase(
                CaseState.NEGOTIATING,
                "宋佳",
                "440106199309260641",
                "13800138013",
                "debtor11@demo.concord",
                "15000",
                "9200",
                "460",
                "120",
                contract_number="HT-2024-0905",
                address="广东省广州市天河区体育西路 103 号 1205 室",
            ),
            "9300.00",
            3,
        ),
        days_ago=100,  # the third and last instalment fell due about ten days ago
    ),
)
FIRST_DUE_AFTER = 30  # days from the agreement to its first instalment (app.demo.stages)
# The court's steps on the breach case, in days after the agreement took effect.
RELEASED_AFTER, RULED_AFTER = 2, 20
PARTLY_PAID = Decimal("1000.00")  # what the breach case's debtor paid of instalment 2


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """Replay the block on ``day`` in office hours, the queue inline (PDFs made at once)."""
    with clock.replaying(datetime.combine(day, WORKING_HOUR, tzinfo=clock.legal_tz())):
        yield


def seed_performance(org: MediationOrganisation, password: str) -> list[str]:
    """Take each performance case through its past; a line for each case that moved
    (what it shows), or why it could not."""
    notes: list[str] = []
    with inline_queue():
        for spec in PERFORMANCE_CASES:
            notes += _seed_case(spec, org, password)
    return notes


def _seed_case(spec: PerformanceCase, org: MediationOrganisation, password: str) -> list[str]:
    case = case_of(spec.stage.case.email)
    before = None if case is None else _progress(case)
    opened = opening_day(spec, clock.today())
    if case is not None:  # resume on the timeline it started
        opened = clock.day_of(case.created_at)
    case = _agreement_in_force(spec, org, password, opened)
    if case.state not in PERFORMANCE_STATES and case.state != CaseState.PERFORMED:
        return advance(spec.stage, org, password)  # stuck before that: its line says why
    creditor = demo_user(CREDITOR)
    problem = STORIES[spec.story](spec, case, creditor, password, opened)
    if problem is None and _progress(case) == before:
        return []
    return [_line(spec, case, problem)]


def opening_day(spec: PerformanceCase, today: date) -> date:
    """The day the case opens, ``days_ago`` before today. For the late case, a day or more
    earlier until its first instalment (30 days after opening) falls on a working day: an
    instalment due on a rest day falls due on the next working day (the demo agreements
    say so), which after a long holiday could be after today."""
    opened = today - timedelta(days=spec.days_ago)
    if spec.story is Story.LATE:
        calendar = legal_calendar()
        while not calendar.is_working_day(opened + timedelta(days=FIRST_DUE_AFTER)):
            opened -= timedelta(days=1)
    return opened


def _agreement_in_force(
    spec: PerformanceCase, org: MediationOrganisation, password: str, opened: date
) -> Case:
    """Opened, negotiated and signed by all three on ``opened`` (as ``app.demo.stages``)."""
    case = case_of(spec.stage.case.email)
    if case is not None and case.state not in _BEFORE_AGREEMENT:
        return case
    with on_day(opened):
        if case is None:
            case, _ = start_case(demo_user(CREDITOR), org, spec.stage.case, password)
        upload_evidence(case, demo_user(CREDITOR))
        advance(spec.stage, org, password)
        upload_identity_papers(case, demo_user(CREDITOR))
    return case


_BEFORE_AGREEMENT = frozenset(
    {
        CaseState.DRAFT,
        CaseState.SUBMITTED,
        CaseState.INVITED,
        CaseState.NEGOTIATING,
        CaseState.AGREEMENT_DRAFTING,
        CaseState.SIGNING,
    }
)


def _progress(case: Case) -> tuple[object, ...]:
    payments = tuple(sorted((p.reference, p.status.value) for p in payments_of(case)))
    breach = db.session.scalar(select(RepaymentBreach.id).where(RepaymentBreach.case_id == case.id))
    return (case.state, payments, breach, len(applications_of(case)))


# --- the stories --------------------------------------------------------------------------


def _late(
    spec: PerformanceCase, case: Case, creditor: User, password: str, opened: date
) -> str | None:
    """Nothing paid: the watch reminded the debtor three days before and on the due day,
    and today, the instalment being late, once more (held outside quiet hours)."""
    perf = performance_of(case, clock.today())
    if perf is None or perf.status.state is not RepaymentState.LATE:
        return "the first instalment is not late today"
    first = perf.plan.instalments[0]
    for day in (first.due - timedelta(days=REMIND_DAYS_BEFORE), first.due):
        with on_day(day):
            watch_case(case.id, clock.now())
    watch_case(case.id, clock.now())
    return None


def _breach(
    spec: PerformanceCase, case: Case, creditor: User, password: str, opened: date
) -> str | None:
    """The court confirmed the agreement (package released and signed two days after it,
    filed the same day, ruling 20 days after it); instalment 1 paid on its day, 1,000 yuan
    of instalment 2 on its day, nothing after; the watch recorded the breach on the day
    after instalment 2's grace period; today the creditor generates the application."""
    assert spec.confirmation is not None
    if case.state == CaseState.IN_FORCE:
        with on_day(opened + timedelta(days=RELEASED_AFTER)):
            problem = confirm_case(
                replace(spec.confirmation, target=Target.FILED), case, creditor, password
            )
        if problem is not None:
            return problem
    if case.state == CaseState.FILED:
        with on_day(opened + timedelta(days=RULED_AFTER)):
            confirm_case(spec.confirmation, case, creditor, password)
    if case.state != CaseState.CONFIRMED:
        return "the court's ruling is not recorded"
    perf = performance_of(case, clock.today())
    assert perf is not None
    first, second = perf.plan.instalments[:2]
    _creditor_records(case, creditor, first.due, first.amount, _reference(case, 1))
    _creditor_records(case, creditor, second.due, PARTLY_PAID, _reference(case, 2))
    breach = performance_of(case, clock.today())
    if breach is None or breach.status.breach is None:
        return "no breach today"
    with on_day(breach.status.breach.on):
        watch_case(case.id, clock.now())
    if not applications_of(case):
        generate_application(creditor, case)
    return None


def _performed(
    spec: PerformanceCase, case: Case, creditor: User, password: str, opened: date
) -> str | None:
    """Each instalment paid on its due day: the first and the last recorded by the bank,
    the second reported by the debtor with the transfer receipt and confirmed by the bank
    the next day. The last payment closes the case as performed; the worker (inline)
    issues the settlement certificate."""
    if case.state == CaseState.PERFORMED:
        return None
    perf = performance_of(case, clock.today())
    assert perf is not None
    first, second, third = perf.plan.instalments
    _creditor_records(case, creditor, first.due, first.amount, _reference(case, 1))
    _debtor_reports(case, second.due, second.amount, _reference(case, 2))
    reported = by_reference(case, _reference(case, 2))
    if reported is not None and reported.status == PaymentStatus.REPORTED:
        with on_day(second.due + timedelta(days=1)):
            confirm_payment(creditor, case, reported.id)
    _creditor_records(case, creditor, third.due, third.amount, _reference(case, 3))
    return None if case.state == CaseState.PERFORMED else "not every instalment is paid"


STORIES = {Story.LATE: _late, Story.BREACH: _breach, Story.PERFORMED: _performed}


def _reference(case: Case, instalment: int) -> str:
    return f"DEMO-{case.reference}-{instalment}"


def _creditor_records(case: Case, creditor: User, day: date, amount: Decimal, ref: str) -> None:
    if by_reference(case, ref) is None and case.state in PERFORMANCE_STATES:
        with on_day(day):
            record_payment(creditor, case, PaymentEntry(amount, day, _CHANNEL, ref))


def _debtor_reports(case: Case, day: date, amount: Decimal, ref: str) -> None:
    debtor = case.debtor_user
    if by_reference(case, ref) is not None or debtor is None:
        return
    receipt = evidence_pdf("转账回单", [f"交易流水号 {ref}", f"转账金额 人民币{amount:,.2f}元"])
    with on_day(day):
        report_payment(
            debtor,
            case,
            PaymentEntry(amount, day, _CHANNEL, ref),
            Proof(io.BytesIO(receipt), "转账回单.pdf"),
        )


_CHANNEL = PaymentChannel.BANK_TRANSFER


# --- reporting ----------------------------------------------------------------------------


def _line(spec: PerformanceCase, case: Case, problem: str | None) -> str:
    """What the case shows, for ``flask seed-demo``."""
    perf = performance_of(case, clock.today())
    detail = problem or (_shows(spec, case, perf) if perf is not None else "")
    if case.state == CaseState.PERFORMED:
        detail = problem or "every instalment paid; the settlement certificate (结清证明) issued"
    return f"  case {case.reference:<16} {STORY_LABELS[spec.story]} ({case.debtor_name}; {detail})"


STORY_LABELS = {
    Story.LATE: "in performance, an instalment late",
    Story.BREACH: "in breach, enforcement applied for",
    Story.PERFORMED: "performed and closed",
}


def _shows(spec: PerformanceCase, case: Case, perf: Performance) -> str:
    status = perf.status
    if spec.story is Story.LATE:
        first = perf.plan.instalments[0]
        return f"instalment 1 due {first.due}, unpaid, grace period until {first.grace_ends}"
    if status.breach is not None:
        issued = "issued" if applications_of(case) else "not issued"
        return (
            f"in breach since {status.breach.on}, ¥{status.balance.total:,.2f} unpaid; "
            f"the enforcement application (强制执行申请书) {issued}"
        )
    return status.state.value


__all__ = ["PERFORMANCE_CASES", "PerformanceCase", "Story", "seed_performance"]
