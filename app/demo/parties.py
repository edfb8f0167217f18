"""The demo's guarantor (保证人, :mod:`app.rules.case_parties`): the case's mediator adds a
joint guarantor (民法典 Art. 688) while the parties may still change, before any agreement
is drafted, and the guarantor joins by the link they were sent, as they would on the web
(:mod:`app.cases.views.invite`): the last six characters of their ID number, the one-time
code read back from the outbox as they would read it from their phone, then a password
and the consents. They do not sign here: the agreement waits for them as it does for the
creditor.

Each step looks at where the case is: a guarantor already added is not added again, one
who joined does not join again, and a link an interrupted run spent or left half-used is
replaced by a new one from the mediator. A case seeded before the demo had a guarantor,
already past negotiation, keeps none.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from app.cases.errors import LinkRefused
from app.cases.invitations import check_id_suffix, join_case, open_invitation, verify_code
from app.cases.joining import pending_invitation
from app.cases.parties import add_party, invite_party
from app.extensions import db
from app.models.cases import Case, CaseParty
from app.models.invitations import Invitation
from app.models.notifications import Channel, OutboundMessage
from app.rules.case_parties import OPEN_FOR_PARTIES, PartyInput, role_label
from app.rules.cases import CaseState

# What the guarantor agrees to on joining, as the debtor does (app.rules.consents).
CONSENTS = frozenset({"share_organisation", "share_creditor", "share_court", "e_service"})


def party_of(case: Case, given: PartyInput) -> CaseParty | None:
    """The party ``given`` describes, once added (the same identity number)."""
    number = given.id_number.strip().upper()
    return next((p for p in case.extra_parties if (p.id_number or "").upper() == number), None)


def seed_party(case: Case, given: PartyInput, password: str) -> list[str]:
    """Add the party while the case is open for parties and have them join while it is in
    negotiation (the terms are settled right after); a line to print once they joined."""
    mediator = case.mediator
    if mediator is None:
        return []
    party = party_of(case, given)
    notes: list[str] = []
    if party is None:
        if case.state.value not in OPEN_FOR_PARTIES:
            return []  # seeded before the demo had a guarantor: the parties are settled
        party = add_party(mediator, case, given)
    if party.joined_at is None and case.state == CaseState.NEGOTIATING:
        _join(case, party, password)
        label = role_label(party.role, party.guarantee_kind)
        notes.append(f"    {party.name} joined {case.reference} as {label}: {party.email}")
    return notes


def _join(case: Case, party: CaseParty, password: str) -> None:
    """The invitee's steps, each the service function its page calls."""
    assert party.phone is not None
    invitation = _link(case, party)
    check_id_suffix(invitation, (party.id_number or "")[-6:], Channel.SMS)
    verify_code(invitation, _code_sent_to(case, party.phone))
    join_case(pending_invitation(invitation.id), password, set(CONSENTS))
    db.session.refresh(party)


def _link(case: Case, party: CaseParty) -> Invitation:
    """The newest link the party was sent (adding them invited them); when it no longer
    opens (an interrupted run confirmed the identity but did not join, or it expired), the
    mediator sends a new one."""
    body = _newest_body(case, party.email or party.phone or "", "invitation")
    match = re.search(r"/invite/([A-Za-z0-9_\-]+)", body or "")
    if match is not None:
        try:
            return open_invitation(match.group(1))
        except LinkRefused:
            pass
    assert case.mediator is not None
    return open_invitation(invite_party(case.mediator, case, party))


def _code_sent_to(case: Case, address: str) -> str:
    body = _newest_body(case, address, "one_time_code")
    match = re.search(r"验证码[为：:\s]*([0-9]{6})(?![0-9])", body or "")
    if match is None:
        raise RuntimeError(f"no one-time code was queued for {address}")
    return match.group(1)


def _newest_body(case: Case, address: str, template: str) -> str | None:
    return db.session.scalar(
        select(OutboundMessage.body)
        .where(OutboundMessage.case_id == case.id, OutboundMessage.address == address)
        .where(OutboundMessage.template == template)
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
