"""Bringing a case to the agreement stage through the real services, and signing it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.agreements.common import DraftInput
from app.agreements.drafting import draft_agreement
from app.agreements.signing import send_signing_code, sign_agreement
from app.cases.lifecycle import today
from app.extensions import db
from app.models import Agreement, OutboundMessage
from app.models.agreements import SignatureMethod
from app.models.users import Role, User
from app.negotiation import proposals as proposal_service
from app.negotiation.proposals import Offer
from app.rules.cases import CaseState
from app.rules.schedules import Frequency
from app.signing.flow import SignatureInput
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user

ACCOUNT = DraftInput("测试银行股份有限公司", "测试银行北京分行营业部", "6222 0200 1234 5678 901")


def people() -> dict[str, User]:
    org, foreign_org = make_mediation_org(), make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    return {
        "creditor": creditor,
        "creditor_colleague": make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        "other_creditor": make_user(Role.CREDITOR),
        "mediator": make_user(Role.MEDIATOR, mediation_org=org, name="王调解"),
        "colleague_mediator": make_user(Role.MEDIATOR, mediation_org=org),
        "foreign_mediator": make_user(Role.MEDIATOR, mediation_org=foreign_org),
        "admin": make_user(Role.ADMIN, mediation_org=org),
        "debtor": make_user(Role.DEBTOR, name="吉䶮𠮷"),
        "other_debtor": make_user(Role.DEBTOR),
    }


def settled_case(who: dict[str, User], count: int = 24, **case_kw: Any):
    """A case whose debtor proposed ``count`` monthly instalments the creditor accepted."""
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
        **case_kw,
    )
    offer = Offer(
        kind="instalments",
        total=Decimal("24000.00"),
        first_due=today() + timedelta(days=30),
        count=count,
        frequency=Frequency.MONTHLY,
    )
    proposal = proposal_service.submit_proposal(who["debtor"], case, offer)
    assert proposal_service.accept_proposal(who["creditor"], case, proposal)
    assert case.state == CaseState.AGREEMENT_DRAFTING
    return case


def draft(case, who: dict[str, User], account: DraftInput = ACCOUNT) -> Agreement:
    agreement = draft_agreement(who["mediator"], case, account)
    db.session.refresh(agreement)
    return agreement


def last_code(user: User) -> str:
    message = db.session.scalar(
        select(OutboundMessage)
        .where(OutboundMessage.template == "signing_code")
        .where(OutboundMessage.recipient_user_id == user.id)
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    assert message is not None, "no signing code was queued"
    match = re.search(r"验证码[为：:\s]*([0-9]{6})(?![0-9])", message.body)
    assert match
    return match.group(1)


def signature(agreement: Agreement, code: str, **over: Any) -> SignatureInput:
    values: dict[str, Any] = {
        "version": agreement.version,
        "seen_sha256": agreement.current_sha256,
        "password": PASSWORD,
        "code": code,
        "method": SignatureMethod.TYPED,
        "typed_name": None,
        "drawn_png": None,
        "ip": "127.0.0.1",
        "user_agent": "pytest",
    }
    values.update(over)
    if values["method"] == SignatureMethod.TYPED and values["typed_name"] is None:
        values["typed_name"] = "签名人"
    return SignatureInput(**values)


def sign(case, agreement: Agreement, user: User, **over: Any):
    send_signing_code(user, case, agreement, None)
    done = sign_agreement(user, case, agreement, signature(agreement, last_code(user), **over))
    db.session.refresh(agreement)
    return done


def sign_all(case, agreement: Agreement, who: dict[str, User]) -> None:
    for role in ("debtor", "creditor", "mediator"):
        sign(case, agreement, who[role], typed_name=who[role].name)


__all__ = ["PASSWORD", "people", "settled_case", "draft", "sign", "sign_all", "last_code"]
