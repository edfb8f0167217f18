"""Demo repayments on the agreements in force (journey 7): on the court-confirmed case the
creditor has recorded the first instalment, paid early (the plan is on track); on the
filed case the debtor has reported a payment with a transfer receipt that waits for the
creditor's confirmation. Everything goes through the real use cases; each payment has a
fixed reference, so a second run finds it on record and changes nothing."""

from __future__ import annotations

import io

from app.core import clock
from app.core.errors import DomainError
from app.demo.cases import case_line
from app.demo.evidence import evidence_pdf
from app.demo.stages import case_of, demo_user
from app.models.cases import Case
from app.models.repayments import PaymentChannel
from app.repayments.common import by_reference, performance_of
from app.repayments.payments import PaymentEntry, Proof, record_payment, report_payment
from app.rules.cases import PERFORMANCE_STATES

CREDITOR = "bank@demo.concord"
RECORDED = ("debtor8@demo.concord", "DEMO-HZ-REC-0001")  # 何军: confirmed by the court
REPORTED = ("debtor7@demo.concord", "DEMO-HZ-RPT-0001")  # 林静: filed with the court


def seed_repayments() -> list[str]:
    """Record and report the demo payments that are not on record yet; a line for each."""
    notes: list[str] = []
    for (email, reference), reported in ((RECORDED, False), (REPORTED, True)):
        case = case_of(email)
        if case is None or case.state not in PERFORMANCE_STATES or by_reference(case, reference):
            continue
        perf = performance_of(case, clock.today())
        if perf is None or perf.status.next_due is None:
            continue
        entry = PaymentEntry(
            perf.status.next_due.outstanding,
            clock.today(),
            PaymentChannel.BANK_TRANSFER,
            reference,
        )
        try:
            if reported:
                receipt = evidence_pdf(
                    "转账回单", [f"交易流水号 {reference}", "收款人：见调解协议"]
                )
                outcome = report_payment(
                    demo_user(email), case, entry, Proof(io.BytesIO(receipt), "转账回单.pdf")
                )
            else:
                outcome = record_payment(demo_user(CREDITOR), case, entry)
        except DomainError as err:
            notes.append(case_line(case, f"payment not seeded ({err.code})"))
            continue
        if not outcome.duplicate:
            notes.append(_line(case, reference, reported))
    return notes


def _line(case: Case, reference: str, reported: bool) -> str:
    """What the case shows now: on track with a payment counted, or a payment waiting."""
    if reported:
        stage = "in performance, a payment awaiting confirmation"
        detail = f"reported by the debtor with a transfer receipt, {reference}"
    else:
        stage = "in performance, on track"
        perf = performance_of(case, clock.today())
        upcoming = perf.status.next_due if perf is not None else None
        after = f"; next instalment due {upcoming.due}" if upcoming is not None else ""
        detail = f"instalment 1 paid early, recorded by the creditor, {reference}{after}"
    return f"  case {case.reference:<16} {stage} ({case.debtor_name}; {detail})"
