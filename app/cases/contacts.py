"""The debtor's contact details as the mediator sees them: masked, with a reveal that is
recorded in the audit chain each time (PIPL Arts. 28, 51: personal information shown
only when needed, and access traceable). The reveal lasts a few minutes for that case in
that browser session; the details themselves never go into the session."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app import audit
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import use_case
from app.models.cases import Case
from app.models.users import User
from app.rules.contacts import mask_address, mask_email, mask_phone

REVEAL_MINUTES = 10


@use_case
def reveal_contact(actor: User, case: Case) -> datetime:
    """Record that ``actor`` is shown the full contact details; until when they stay shown."""
    audit.record(
        AuditAction.CASE_CONTACT_REVEAL,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        data={"fields": ["phone", "email", "address"]},
    )
    return clock.now() + timedelta(minutes=REVEAL_MINUTES)


def contact_view(case: Case, revealed: bool) -> dict[str, Any]:
    """Phone, e-mail and address, masked unless ``revealed``."""

    def shown(value: str | None, mask: Any) -> str:
        if not value:
            return "—"
        return value if revealed else mask(value)

    return {
        "phone": shown(case.debtor_phone, mask_phone),
        "email": shown(case.debtor_email, mask_email),
        "address": shown(case.debtor_address, mask_address),
        "revealed": revealed,
        "minutes": REVEAL_MINUTES,
    }
