"""What each certificate prints, gathered from the case as plain data for
``templates/documents/``: facts only (dates, amounts, what happened), no finding on who is
right (人民调解法 Art. 26: the parties keep every other way to protect their rights)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.calendar.overrides import legal_calendar
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.cases import Case
from app.models.invitations import Invitation
from app.models.negotiation import Proposal
from app.repayments.common import counted, payments_of, plan_of
from app.rules.mediation_failure import FailureGround, MediationFacts, check_failure
from app.rules.numerals import rmb_capital
from app.rules.repayments import RepaymentState, repayment_status

ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照"}

# What the certificate says about how the mediation ended, by ground.
GROUND_TEXT = {
    FailureGround.DEBTOR_DECLINED: "被申请人（债务人）收到调解邀请后明确表示不同意调解",
    FailureGround.NO_RESPONSE: "被申请人（债务人）在答复期限内未回应调解邀请，视为不同意调解",
    FailureGround.PARTY_ENDED: "一方当事人要求终止调解",
    FailureGround.PERIOD_EXPIRED: "调解期限届满，双方当事人未达成调解协议",
    FailureGround.NO_AGREEMENT: "经调解，双方当事人未能达成调解协议",
}


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
        "creditor": {"name": creditor.name, "credit_code": creditor.credit_code},
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
    invited_at = db.session.scalar(
        select(func.min(Invitation.created_at)).where(Invitation.case_id == case.id)
    )
    proposals = db.session.scalar(
        select(func.count(Proposal.id)).where(Proposal.case_id == case.id)
    )
    closed_on = _day(case.closed_at) or clock.today()
    in_force = db.session.scalar(
        select(func.count(Agreement.id)).where(
            Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE
        )
    )
    facts = MediationFacts(
        invited_on=_day(invited_at),
        debtor_declined_on=closed_on,
        accepted_on=_day(case.accepted_at),
        agreement_in_force=bool(in_force),
    )
    certificate = check_failure(FailureGround.DEBTOR_DECLINED, facts, closed_on, legal_calendar())
    return {
        "org": _organisation(case),
        "reference": case.reference,
        "document_title": "调解终结证明",
        **_parties(case),
        "claim": _amount(case.claim_total),
        "submitted_on": _day(case.submitted_at),
        "accepted_on": _day(case.accepted_at),
        "invited_on": _day(invited_at),
        "proposals": proposals or 0,
        "ground": GROUND_TEXT[certificate.ground],
        "source": certificate.source,
        "closed_on": certificate.closed_on,
        "issued_on": clock.today(),
    }


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
