"""``/api/v1/cases/{id}/proposals``, ``/agreement`` (and its PDF), ``/repayments`` and
``/payments``: what the pages of the negotiation, the agreement and its performance show
the creditor, read through the same queries (:mod:`app.negotiation.proposal_queries`,
:mod:`app.agreements.common`, :mod:`app.repayments.common`), and the creditor's record of
a payment through :func:`app.repayments.payments.record_payment` (the plan's checks:
whole fen, not after today, not more than remains; a reference already on record with
the same amount and date is the same payment)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, url_for
from flask.views import MethodView
from werkzeug.wrappers import Response

from app.access import Permission
from app.agreements import common as agreement_common
from app.api import api_blueprint
from app.api.auth import current_user
from app.api.cases import load_case
from app.api.operation import BEARER, IDEMPOTENCY_KEY, JSON, operation, problems
from app.api.schemas import (
    AgreementOut,
    PaymentIn,
    PaymentRecordedOut,
    ProposalListOut,
    RepaymentsOut,
)
from app.core import clock
from app.documents import issued as documents
from app.models.agreements import Agreement
from app.models.repayments import RepaymentPayment
from app.negotiation.proposal_queries import case_numbers, proposals_of
from app.repayments import forms as payment_forms
from app.repayments import payments
from app.repayments.common import performance_of
from app.signing.views import pdf_response

blp = api_blueprint(
    "api_performance",
    __name__,
    "A case's proposals, its agreement and the agreement's performance.",
)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


@blp.route("/cases/<int:case_id>/proposals", endpoint="Proposals")
class Proposals(MethodView):
    @blp.doc(security=BEARER, summary="The case's proposals, newest first, with schedules")
    @problems(blp, (404,))
    @operation("cases:read")
    @blp.response(200, ProposalListOut)
    def get(self, case_id: int) -> dict[str, Any]:
        case = load_case(case_id, Permission.CASE_VIEW)
        found = proposals_of(case)
        numbers = case_numbers(found)
        return {
            "items": [
                {
                    "id": p.id,
                    "number": numbers[p.id],
                    "side": p.side.value,
                    "state": p.state.value,
                    "kind": p.kind,
                    "total": _money(p.total),
                    "principal": _money(p.principal),
                    "interest": _money(p.interest),
                    "fees": _money(p.fees),
                    "discount": _money(p.discount),
                    "down_payment": _money(p.down_payment),
                    "frequency": p.frequency,
                    "instalment_count": p.instalment_count,
                    "first_due": p.first_due,
                    "replies_to_id": p.replies_to_id,
                    "created_at": p.created_at,
                    "decided_at": p.decided_at,
                    "instalments": [
                        {
                            "number": i.number,
                            "due": i.due,
                            "amount": _money(i.amount),
                            "kind": i.kind,
                        }
                        for i in p.instalments
                    ],
                }
                for p in found
            ]
        }


def _agreement(case_id: int) -> tuple[Any, Agreement]:
    case = load_case(case_id, Permission.AGREEMENT_VIEW)
    agreement = agreement_common.current_agreement(case)
    if agreement is None:
        abort(404)
    return case, agreement


@blp.route("/cases/<int:case_id>/agreement", endpoint="Agreement")
class AgreementResource(MethodView):
    @blp.doc(
        security=BEARER,
        summary="The agreement's current version: status, signatures, its PDF's hash",
        description="From signing on (409 before; 404 for another organisation's case).",
    )
    @problems(blp, (404, 409))
    @operation("cases:read")
    @blp.response(200, AgreementOut)
    def get(self, case_id: int) -> dict[str, Any]:
        case, agreement = _agreement(case_id)
        return {
            "version": agreement.version,
            "status": agreement.status.value,
            "drafted_at": agreement.drafted_at,
            "effective_at": agreement.effective_at,
            "sha256": agreement.current_sha256,
            "pdf_url": url_for("api_performance.AgreementPdf", case_id=case.id)
            if agreement.current_sha256
            else None,
            "signatures": [
                {"role": s.role, "signed_at": s.signed_at}
                for s in sorted(agreement.signatures, key=lambda s: s.id)
            ],
        }


@blp.route("/cases/<int:case_id>/agreement.pdf", endpoint="AgreementPdf")
class AgreementPdf(MethodView):
    @blp.doc(
        security=BEARER,
        summary="The agreement's current PDF (the exact signed bytes; audited)",
        responses={
            "200": {
                "description": "The PDF; its SHA-256 in ETag and X-Content-SHA256.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    )
    @problems(blp, (404, 409))
    @operation("cases:read")
    def get(self, case_id: int) -> Response:
        case, agreement = _agreement(case_id)
        sha = agreement.current_sha256
        if sha is None:
            abort(404)
        response = pdf_response(
            documents.read_pdf(sha), sha, f"agreement-{case.reference}-v{agreement.version}.pdf"
        )
        agreement_common.record_download(current_user(), case, agreement, sha)
        return response


def _payment(row: RepaymentPayment) -> dict[str, Any]:
    return {
        "id": row.id,
        "amount": _money(Decimal(row.amount)),
        "paid_on": row.paid_on,
        "channel": row.channel.value,
        "reference": row.reference,
        "source": row.source.value,
        "status": row.status.value,
        "created_at": row.created_at,
    }


@blp.route("/cases/<int:case_id>/repayments", endpoint="Repayments")
class Repayments(MethodView):
    @blp.doc(
        security=BEARER,
        summary="The repayment plan, where each instalment stands, and the payments",
        description="While the agreement is performed and after (409 before).",
    )
    @problems(blp, (404, 409))
    @operation("cases:read")
    @blp.response(200, RepaymentsOut)
    def get(self, case_id: int) -> dict[str, Any]:
        case = load_case(case_id, Permission.REPAYMENT_VIEW)
        perf = performance_of(case, clock.today())
        if perf is None:
            abort(404)
        status = perf.status
        return {
            "state": status.state.value,
            "on": status.on,
            "total": _money(perf.plan.totals.total),
            "paid": _money(status.paid.total),
            "balance": _money(status.balance.total),
            "overdue": _money(status.overdue),
            "payable_now": _money(status.payable_now),
            "instalments": [
                {
                    "number": p.instalment.number,
                    "due": p.due,
                    "amount": _money(p.instalment.amount),
                    "state": p.state.value,
                    "paid": _money(p.paid.total),
                    "outstanding": _money(p.outstanding),
                    "settled_on": p.settled_on,
                    "days_late": p.days_late,
                }
                for p in status.positions
            ],
            "payments": [_payment(row) for row in perf.payments],
        }


@blp.route("/cases/<int:case_id>/payments", endpoint="Payments")
class Payments(MethodView):
    @blp.doc(
        security=BEARER,
        summary="Record a payment received (from the creditor's books)",
        description="Checked against the plan as the page's form is. The same reference "
        "with the same amount and date is the same payment: nothing is added "
        "(duplicate: true).",
        parameters=[IDEMPOTENCY_KEY],
    )
    @problems(blp, (400, 404, 409, 413, 415, 422))
    @operation("payments:write", body=JSON, idempotent=True)
    @blp.arguments(PaymentIn)
    @blp.response(201, PaymentRecordedOut)
    def post(self, data: dict[str, Any], case_id: int) -> tuple[dict[str, Any], int]:
        case = load_case(case_id, Permission.PAYMENT_RECORD)
        entry = payment_forms.parse_entry({k: str(v).strip() for k, v in data.items()})
        outcome = payments.record_payment(current_user(), case, entry)
        return {
            "payment": _payment(outcome.payment),
            "duplicate": outcome.duplicate,
            "performed": outcome.performed,
        }, 201
