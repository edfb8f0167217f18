"""Restructuring on the case page: plain data for ``restructuring/_panel.html`` (the
requests with their offers, the supplementary agreement of each, and the one step the
viewer may take)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.access import Permission, can
from app.core import clock
from app.core.format import local_date, money
from app.models.cases import Case
from app.models.restructuring import (
    RequestStatus,
    RestructuringRequest,
    SupplementaryAgreement,
    SupplementaryStatus,
)
from app.models.users import User
from app.repayments.common import agreement_in_force, performance_of
from app.restructuring import signing
from app.restructuring.common import current_supplement, open_request, party_role, requests_of
from app.rules.restructuring import schedule_from_json
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM
from app.signing.views import party_signature_rows

REQUEST_LABELS = {
    RequestStatus.OPEN: _l("Waiting for an answer"),
    RequestStatus.ACCEPTED: _l("Terms agreed: supplementary agreement to be signed"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.COMPLETED: _l("Supplementary agreement in force"),
}
SUPPLEMENT_LABELS = {
    SupplementaryStatus.RENDERING: _l("Being prepared"),
    SupplementaryStatus.FAILED: _l("Could not be prepared"),
    SupplementaryStatus.SIGNING: _l("Awaiting signatures"),
    SupplementaryStatus.SUPERSEDED: _l("Replaced by a newer version"),
    SupplementaryStatus.IN_FORCE: _l("In force"),
}
SIDE_LABELS = {"debtor": _l("the debtor"), "creditor": _l("the creditor")}


def restructuring_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    """The restructuring requests on the case, the supplementary agreements, and the one
    step this viewer may take (ask, answer, draft, sign)."""
    if not can(viewer, Permission.RESTRUCTURING_VIEW, case):
        return None
    if agreement_in_force(case) is None:
        return None
    rows = requests_of(case)
    current = open_request(case)
    may_request = (
        can(viewer, Permission.RESTRUCTURING_REQUEST, case)
        and current is None
        and remaining_balance(case) is not None
    )
    if not rows and not may_request:
        return None
    return "restructuring/_panel.html", {
        "case_id": case.id,
        "request_url": url_for("restructuring.new", case_id=case.id) if may_request else None,
        "requests": [_request_view(case, row, viewer) for row in reversed(rows)],
    }


def remaining_balance(case: Case) -> Decimal | None:
    """The balance a request would restructure today, or None when nothing remains."""
    perf = performance_of(case, clock.today())
    if perf is None or not perf.status.balance.total:
        return None
    return perf.status.balance.total


def _request_view(case: Case, row: RestructuringRequest, viewer: User) -> dict[str, Any]:
    side = party_role(viewer, case)
    answering = (
        row.status == RequestStatus.OPEN
        and side is not None
        and row.offers[-1]["side"] != side
        and can(viewer, Permission.RESTRUCTURING_ANSWER, case)
    )
    supplement = current_supplement(row)
    may_draft = (
        row.status == RequestStatus.ACCEPTED
        and can(viewer, Permission.SUPPLEMENTARY_DRAFT, case)
        and (supplement is None or supplement.status != SupplementaryStatus.IN_FORCE)
    )
    return {
        "id": row.id,
        "status": str(REQUEST_LABELS[row.status]),
        "status_key": row.status.value,
        "requested_at": row.requested_at,
        "reason": row.reason,
        "decline_reason": row.decline_reason,
        "offers": [_offer_view(offer) for offer in reversed(row.offers)],
        "accept_url": url_for("restructuring.accept", case_id=case.id) if answering else None,
        "decline_url": url_for("restructuring.decline", case_id=case.id) if answering else None,
        "counter_url": url_for("restructuring.counter", case_id=case.id) if answering else None,
        "draft_url": url_for("restructuring.draft", case_id=case.id) if may_draft else None,
        "redraft": supplement is not None,
        "supplement": _supplement_view(case, supplement, viewer) if supplement else None,
    }


def _offer_view(offer: Mapping[str, Any]) -> dict[str, Any]:
    schedule = schedule_from_json(offer["schedule"])
    return {
        "number": offer["number"],
        "side": str(SIDE_LABELS[offer["side"]]),
        "remaining": Decimal(offer["remaining"]),
        "rows": [
            {"label": _row_label(row.kind, k), "due": row.due, "amount": row.amount}
            for k, row in enumerate(schedule.instalments, start=1)
        ],
        "count": len(schedule.instalments),
        "summary": _offer_summary(offer, schedule),
        "first_due": schedule.first_due,
        "last_due": schedule.last_due,
    }


def _offer_summary(offer: Mapping[str, Any], schedule: Any) -> str:
    words = {
        "n": offer["number"],
        "side": SIDE_LABELS[offer["side"]],
        "last": local_date(schedule.last_due),
        "remaining": money(Decimal(offer["remaining"])),
    }
    if len(schedule.instalments) == 1:
        return _(
            "Terms no. %(n)s from %(side)s: one payment on %(last)s for the remaining "
            "%(remaining)s",
            **words,
        )
    return _(
        "Terms no. %(n)s from %(side)s: %(count)s payments from %(first)s to %(last)s for "
        "the remaining %(remaining)s",
        count=len(schedule.instalments),
        first=local_date(schedule.first_due),
        **words,
    )


def _row_label(kind: str, k: int) -> str:
    if kind == DOWN_PAYMENT:
        return _("Down payment")
    if kind == LUMP_SUM:
        return _("Lump sum")
    return _("Instalment %(n)s", n=k)


def _supplement_view(case: Case, s: SupplementaryAgreement, viewer: User) -> dict[str, Any]:
    signed = {sig.role: sig for sig in s.signatures}
    ready = s.current_sha256 is not None
    return {
        "version": s.version,
        "status": str(SUPPLEMENT_LABELS[s.status]),
        "status_key": s.status.value,
        "in_force": s.status == SupplementaryStatus.IN_FORCE,
        "effective_at": s.effective_at,
        "signatures": party_signature_rows(case, signed),
        "pdf_url": url_for("restructuring.pdf", case_id=case.id, version=s.version)
        if ready
        else None,
        "sign_url": url_for("restructuring.sign", case_id=case.id, version=s.version)
        if signing.may_sign(viewer, case, s)
        else None,
        "sha256": s.current_sha256,
    }
