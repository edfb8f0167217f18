"""The creditor's power of attorney, given through the real service with its content
(:mod:`app.cases.papers`): by default one that covers everything an agreement can need."""

from __future__ import annotations

import io
from datetime import date, timedelta

from app.cases.papers import record_power_of_attorney
from app.core import clock
from app.models.cases import Case
from app.models.evidence import EvidenceFile
from app.models.users import User
from app.rules.powers_of_attorney import Power, PowerOfAttorney

FULL_POWERS = frozenset(Power)
# Every power but special authorisation: enough to sign an agreement for the whole claim.
ORDINARY_POWERS = FULL_POWERS - {Power.SPECIAL}


def a_power_of_attorney(
    case: Case,
    agent: User,
    *,
    powers: frozenset[Power] = FULL_POWERS,
    agent_name: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    signed_on: date | None = None,
) -> PowerOfAttorney:
    start = valid_from or clock.today() - timedelta(days=365)
    return PowerOfAttorney(
        principal=case.creditor_org.name,
        agent_name=agent_name or agent.name,
        agent_id_number=None,
        agent_position="法务专员",
        powers=powers,
        valid_from=start,
        valid_until=valid_until,
        signed_on=signed_on or start,
    )


def record_poa(
    creditor: User,
    case: Case,
    data: bytes | None = None,
    name: str = "授权委托书.pdf",
    **content: object,
) -> EvidenceFile:
    """The creditor gives its power of attorney (the file and what it says); the agent is
    ``creditor`` unless ``agent_name`` says otherwise."""
    poa = a_power_of_attorney(case, creditor, **content)  # type: ignore[arg-type]
    blob = data or b"%PDF-1.4\n% power of attorney\n%%EOF\n"
    return record_power_of_attorney(creditor, case, io.BytesIO(blob), name, poa).evidence
