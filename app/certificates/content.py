"""What each certificate prints, gathered from the case as plain data for
``templates/documents/``: facts only (dates, amounts, what happened), no finding on who is
right (人民调解法 Art. 26: the parties keep every other way to protect their rights)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.calendar.overrides import legal_calendar
from app.closing.facts import (
    invited_on,
    mediation_end,
    mediation_facts,
    response_days,
    response_end,
)
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.repayments.common import counted, payments_of, plan_of
from app.rules.mediation_failure import FailureGround, check_failure
from app.rules.numerals import rmb_capital
from app.rules.repayments import RepaymentState, repayment_status

ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照"}

# What the certificate says about how the mediation ended, by ground (followed by
# "，双方当事人未达成调解协议"): what happened, never who is right.
GROUND_TEXT = {
    FailureGround.DEBTOR_DECLINED: "被申请人（债务人）收到调解邀请后明确表示不同意调解",
    FailureGround.NO_RESPONSE: "被申请人（债务人）在答复期限内未回应调解邀请，视为不同意调解",
    FailureGround.PARTY_ENDED: "一方当事人要求终止调解",
    FailureGround.PERIOD_EXPIRED: "调解期限届满",
    FailureGround.NO_AGREEMENT: "经调解，调解员认为双方当事人无法达成一致意见，终止调解",
}
PARTY_ENDED_TEXT = {
    "creditor": "申请人（债权人）要求终止调解",
    "debtor": "被申请人（债务人）要求终止调解",
}


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def ground_text(
    ground: FailureGround,
    side: str | None,
    *,
    period_end: date | None = None,
    extended: bool = False,
) -> str:
    """The ground in words; where time ran out, with the period's last day
    (``period_end``: the response period's or the mediation period's)."""
    if ground is FailureGround.PARTY_ENDED:
        return PARTY_ENDED_TEXT.get(side or "", GROUND_TEXT[ground])
    if period_end is not None and ground is FailureGround.NO_RESPONSE:
        until = _cn(period_end)
        return f"被申请人（债务人）在答复期限（至{until}）内未回应调解邀请，视为不同意调解"
    if period_end is not None and ground is FailureGround.PERIOD_EXPIRED:
        agreed = "经双方当事人同意延长的" if extended else ""
        return f"{agreed}调解期限已于{_cn(period_end)}届满"
    return GROUND_TEXT[ground]


def _organisation(case: Case) -> dict[str, str]:
    org = case.mediation_org
    return {
        "name": org.name,
        "registration_number": org.registration_number,
        "address": org.address,
        "phone": org.phone,
    }


def _parties(case: Case) -> dict[str, Any]:
    creditor = case.creditor_org
    return {
        # A natural-person creditor is identified as the debtor is, by the masked number
        # (the certificate goes to both parties: PIPL Art. 51); an entity by its code.
        "creditor": (
            {
                "name": creditor.name,
                "id_label": "证件",
                "id_value": f"{ID_TYPE_ZH.get(creditor.id_type or '', '身份证件')} "
                f"{creditor.id_masked or ''}",
            }
            if creditor.is_natural_person
            else {
                "name": creditor.name,
                "id_label": "统一社会信用代码",
                "id_value": creditor.credit_code or "",
            }
        ),
        "debtor": {
            "name": case.debtor_name,
            "id_type": ID_TYPE_ZH.get(case.debtor_id_type, case.debtor_id_type),
            "id_masked": case.debtor_id_masked,
        },
    }


def _amount(amount: Decimal) -> dict[str, Any]:
    return {"figure": amount, "capital": rmb_capital(amount)}


def _day(value: Any) -> date | None:
    return clock.day_of(value) if value is not None else None


def failure_context(case: Case) -> dict[str, Any]:
    """The certificate that mediation failed for a case closed as not mediated.

    The ground comes from :func:`app.rules.mediation_failure.check_failure` (refused with
    ``MediationFailureRefused`` when the case's facts do not support it)."""
    ground = FailureGround(case.failure_ground or FailureGround.DEBTOR_DECLINED)
    proposals = db.session.scalar(
        select(func.count(Proposal.id)).where(Proposal.case_id == case.id)
    )
    closed_on = _day(case.closed_at) or clock.today()
    facts = mediation_facts(case, ground, closed_on)
    certificate = check_failure(
        ground, facts, closed_on, legal_calendar(), response_days=response_days()
    )
    return {
        "org": _organisation(case),
        "reference": case.reference,
        "document_title": "调解终结证明",
        **_parties(case),
        "claim": _amount(case.claim_total),
        "submitted_on": _day(case.submitted_at),
        "accepted_on": _day(case.accepted_at),
        "invited_on": invited_on(case, first=True),
        "proposals": proposals or 0,
        "ground": ground_text(
            certificate.ground,
            case.ended_by_side,
            period_end=_period_end(case, ground),
            extended=case.mediation_extended_until is not None,
        ),
        "source": certificate.source,
        "closed_on": certificate.closed_on,
        "issued_on": clock.today(),
    }


def _period_end(case: Case, ground: FailureGround) -> date | None:
    if ground is FailureGround.NO_RESPONSE:
        return response_end(case)
    if ground is FailureGround.PERIOD_EXPIRED:
        return mediation_end(case)
    return None


def settlement_context(case: Case) -> dict[str, Any]:
    """The certificate that the agreement in force was performed in full; ``ValueError``
    when the repayment record does not show it completed."""
    agreement = db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE)
        .order_by(Agreement.version.desc())
        .limit(1)
    )
    if agreement is None:
        raise ValueError("no agreement in force")
    rows = counted(payments_of(case))
    status = repayment_status(plan_of(agreement), rows, clock.today())
    if status.state is not RepaymentState.COMPLETED:
        raise ValueError("the repayment is not completed")
    last_paid_on = max((p.paid_on for p in rows), default=None)
    return {
        "org": _organisation(case),
        "reference": case.reference,
        "document_title": "结清证明",
        **_parties(case),
        "agreement": {
            "version": agreement.version,
            "effective_on": _day(agreement.effective_at),
        },
        "total_due": _amount(status.plan.total),
        "paid": _amount(status.paid.total),
        "waived": status.waived.total,
        "payments": len(rows),
        "last_paid_on": last_paid_on,
        "issued_on": clock.today(),
    }
