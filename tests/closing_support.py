"""Cases for the closing tests: one invited (waiting for the debtor's answer) and one in
negotiation, each with its real invitation, accepted by the mediator on a given day."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from app.cases.invitations import create_invitation
from app.core import clock
from app.extensions import db
from app.models import AuditEvent, Case, IssuedDocument, OutboundMessage
from app.models.agreements import DocumentKind
from app.models.users import User
from app.rules.cases import CaseState
from tests.factories import make_case

END_REASON = "对方坚持全额一次性还款，我方无力承担"  # a party's own words: never certified


def invited_case(who: dict[str, User], accepted_at: datetime | None = None, **kw: Any) -> Case:
    """Accepted and invited at ``accepted_at`` (default: now)."""
    accepted_at = accepted_at or clock.now()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        submitted_at=accepted_at - timedelta(days=1),
        accepted_at=accepted_at,
        **kw,
    )
    create_invitation(case, accepted_at)
    return case


def negotiating_case(who: dict[str, User], accepted_at: datetime | None = None, **kw: Any) -> Case:
    """Accepted and invited at ``accepted_at``; the debtor (``who["debtor"]``) joined."""
    case = invited_case(who, accepted_at, debtor_user_id=who["debtor"].id, **kw)
    case.state = CaseState.NEGOTIATING
    db.session.commit()
    return case


def certificate_pdf(case: Case) -> bytes:
    """The bytes of the case's certificate that mediation ended."""
    from app.documents import issued as documents

    doc = db.session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.case_id == case.id,
            IssuedDocument.kind == DocumentKind.FAILURE_CERTIFICATE,
        )
    ).one()
    return documents.read_pdf(doc.sha256)


def certificate_text(case: Case) -> str:
    """The certificate's text, without whitespace."""
    data = certificate_pdf(case)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def events(case: Case, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.action == action)
        )
    )


def messages(case: Case, template: str) -> list[OutboundMessage]:
    return list(
        db.session.scalars(
            select(OutboundMessage).where(
                OutboundMessage.case_id == case.id, OutboundMessage.template == template
            )
        )
    )
