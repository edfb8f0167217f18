"""The case lifecycle: which states a case passes through and which moves are allowed.

Journeys 1–3 of the brief: a creditor drafts and submits a case; it is assigned to a
mediator, who accepts it (the debtor is then invited) or declines it (it goes back for
assignment); the debtor joins, or declines mediation, which closes the case as not
mediated (人民调解法 Art. 17: mediation needs both parties' consent). Once the agreement is
in force (and while or after a court confirms it), paying the last fen closes the case as
performed: the obligation is extinguished by performance (民法典 Art. 557(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # claim locked, waiting for a mediator to accept
    INVITED = "invited"  # mediator accepted, debtor invited
    NEGOTIATING = "negotiating"  # debtor confirmed identity and consented
    AGREEMENT_DRAFTING = "agreement_drafting"  # one proposal accepted: terms are settled
    SIGNING = "signing"  # the agreement is drafted and waits for signatures
    IN_FORCE = "in_force"  # everybody signed, the seal is on: the agreement took effect
    FILED = "filed"  # the joint application for judicial confirmation is at the court
    CONFIRMED = "confirmed"  # the court confirmed the agreement: it is enforceable
    CONFIRMATION_REJECTED = "confirmation_rejected"  # the court refused; may be re-mediated
    CLOSED_NOT_MEDIATED = "closed_not_mediated"
    PERFORMED = "performed"  # everything the agreement obliges was paid (or waived)


class CaseEvent(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"  # by the mediator
    DECLINE = "decline"  # by the mediator: back to assignment
    REASSIGN = "reassign"  # by the admin
    REINVITE = "reinvite"  # the invitation expired unused: a new one
    DEBTOR_JOIN = "debtor_join"
    DEBTOR_DECLINE = "debtor_decline"
    SETTLE = "settle"  # a proposal was accepted
    ISSUE_AGREEMENT = "issue_agreement"  # the mediator drafted a version to sign
    TAKE_EFFECT = "take_effect"  # the mediator's signature and seal completed the agreement
    FILE = "file"  # the mediator records the filing with the court
    CONFIRM = "confirm"  # the court's ruling: confirmed
    REJECT_CONFIRMATION = "reject_confirmation"  # the court's ruling: rejected
    REMEDIATE = "remediate"  # after a rejection, back to negotiation
    PERFORM = "perform"  # the last instalment was paid: the agreement is performed
    # Mediation fails (人民调解法 Arts. 23, 26; cf. 在线调解规则 Art. 24):
    LAPSE = "lapse"  # the debtor did not answer the invitation within the response period
    EXPIRE = "expire"  # the mediation period (extension included) ended without agreement
    PARTY_END = "party_end"  # the creditor or the debtor asked to end the mediation
    MEDIATOR_END = "mediator_end"  # the mediator finds that no agreement can be reached


S, E = CaseState, CaseEvent
TRANSITIONS: dict[tuple[CaseState, CaseEvent], CaseState] = {
    (S.DRAFT, E.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, E.ACCEPT): S.INVITED,
    (S.SUBMITTED, E.DECLINE): S.SUBMITTED,
    (S.SUBMITTED, E.REASSIGN): S.SUBMITTED,
    (S.INVITED, E.REASSIGN): S.INVITED,
    (S.INVITED, E.REINVITE): S.INVITED,
    (S.INVITED, E.DEBTOR_JOIN): S.NEGOTIATING,
    (S.INVITED, E.DEBTOR_DECLINE): S.CLOSED_NOT_MEDIATED,
    (S.NEGOTIATING, E.REASSIGN): S.NEGOTIATING,
    (S.NEGOTIATING, E.SETTLE): S.AGREEMENT_DRAFTING,
    (S.AGREEMENT_DRAFTING, E.REASSIGN): S.AGREEMENT_DRAFTING,
    (S.AGREEMENT_DRAFTING, E.ISSUE_AGREEMENT): S.SIGNING,
    (S.SIGNING, E.ISSUE_AGREEMENT): S.SIGNING,  # a new version: older signatures lapse
    (S.SIGNING, E.REASSIGN): S.SIGNING,
    (S.SIGNING, E.TAKE_EFFECT): S.IN_FORCE,
    (S.IN_FORCE, E.REASSIGN): S.IN_FORCE,
    (S.IN_FORCE, E.FILE): S.FILED,
    (S.FILED, E.REASSIGN): S.FILED,
    (S.FILED, E.CONFIRM): S.CONFIRMED,
    (S.FILED, E.REJECT_CONFIRMATION): S.CONFIRMATION_REJECTED,
    (S.CONFIRMATION_REJECTED, E.REASSIGN): S.CONFIRMATION_REJECTED,
    (S.CONFIRMATION_REJECTED, E.REMEDIATE): S.NEGOTIATING,
    # Performance ends the case whether or not a court has ruled on it yet: nothing is
    # left to enforce (the parties may withdraw a pending application for confirmation).
    (S.IN_FORCE, E.PERFORM): S.PERFORMED,
    (S.FILED, E.PERFORM): S.PERFORMED,
    (S.CONFIRMED, E.PERFORM): S.PERFORMED,
    # Mediation ends without agreement. A party may ask to end it at any time before an
    # agreement takes effect (人民调解法 Art. 23(2)); the mediator ends it once the debtor
    # is in it; the period expires only while the parties are still negotiating.
    (S.INVITED, E.LAPSE): S.CLOSED_NOT_MEDIATED,
    (S.NEGOTIATING, E.EXPIRE): S.CLOSED_NOT_MEDIATED,
    (S.INVITED, E.PARTY_END): S.CLOSED_NOT_MEDIATED,
    (S.NEGOTIATING, E.PARTY_END): S.CLOSED_NOT_MEDIATED,
    (S.AGREEMENT_DRAFTING, E.PARTY_END): S.CLOSED_NOT_MEDIATED,
    (S.SIGNING, E.PARTY_END): S.CLOSED_NOT_MEDIATED,
    (S.NEGOTIATING, E.MEDIATOR_END): S.CLOSED_NOT_MEDIATED,
    (S.AGREEMENT_DRAFTING, E.MEDIATOR_END): S.CLOSED_NOT_MEDIATED,
    (S.SIGNING, E.MEDIATOR_END): S.CLOSED_NOT_MEDIATED,
}

OPEN_STATES = frozenset(
    {
        S.SUBMITTED,
        S.INVITED,
        S.NEGOTIATING,
        S.AGREEMENT_DRAFTING,
        S.SIGNING,
        S.IN_FORCE,
        S.FILED,
        S.CONFIRMATION_REJECTED,
    }
)
CLOSED_STATES = frozenset({S.CLOSED_NOT_MEDIATED, S.PERFORMED})
# The agreement is being performed: payments are recorded against its plan.
PERFORMANCE_STATES = frozenset({S.IN_FORCE, S.FILED, S.CONFIRMED})


class InvalidTransition(Exception):
    def __init__(self, state: CaseState, event: CaseEvent) -> None:
        super().__init__(f"cannot {event.value} a case that is {state.value}")
        self.state = state
        self.event = event


def next_state(state: CaseState, event: CaseEvent) -> CaseState:
    """The state after ``event``, or :class:`InvalidTransition` if it is not allowed now."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(state, event) from None


def allowed_events(state: CaseState) -> frozenset[CaseEvent]:
    return frozenset(e for (s, e) in TRANSITIONS if s == state)


@dataclass(frozen=True)
class CaseReference:
    """A readable case reference: ``HZ-2026-000123`` (year of submission, sequence)."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"HZ-{self.year}-{self.number:06d}"
