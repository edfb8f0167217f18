"""When mediation fails: on which ground a case may close as not mediated, from which day,
and what the certificate that mediation failed (调解不成/终结证明) states, so that the
creditor can go to court or arbitration.

Mediation needs both parties' consent: when a party refuses it, there is no mediation
(人民调解法 Art. 17), and each party may refuse or ask to end it at any time (Art. 23(2)).
When it does not succeed the mediator ends it and tells the parties they may protect their
rights by arbitration, administrative or judicial means (Art. 26). An online mediation runs
30 days from acceptance unless the parties agree to extend it (cf. 在线调解规则 Art. 24); a
debtor who does not answer the invitation within the organisation's response period
(default 14 days) is taken to refuse. Periods are counted like legal periods (CPL Art. 85:
the first day is not counted, a last day on a rest day moves to the next working day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from app.rules.citations import cite
from app.rules.deadlines import Deadline, LegalCalendar, period_end
from app.rules.errors import Refused

RESPONSE_DAYS = 14
MEDIATION_DAYS = 30
# Product policy, not law: an extension reaches at most this many days past the current
# end (a later date is more often a typing error; the parties may agree another one).
MAX_EXTENSION_DAYS = 90
SOURCE_REFUSED = cite("mediation_law.17", "mediation_law.23")
SOURCE_ENDED = cite("mediation_law.23", "mediation_law.26")
SOURCE_NO_AGREEMENT = cite("mediation_law.26")
# The 30-day period is the organisation's own rule, modelled on the one the courts set for
# their own platform (在线调解规则 Art. 24), which does not bind Concord: printed as such.
SOURCE_PERIOD_EXPIRED = (
    f"{SOURCE_NO_AGREEMENT}；本组织调解规则（调解期限参照{cite('online_mediation.24')}）"
)


class FailureGround(StrEnum):
    DEBTOR_DECLINED = "debtor_declined"  # the debtor refused mediation
    NO_RESPONSE = "no_response"  # the debtor did not answer the invitation in time
    PARTY_ENDED = "party_ended"  # a party asked to end the mediation
    PERIOD_EXPIRED = "period_expired"  # the mediation period ran out without agreement
    NO_AGREEMENT = "no_agreement"  # the mediator finds that no agreement can be reached


_SOURCES = {
    FailureGround.DEBTOR_DECLINED: SOURCE_REFUSED,
    FailureGround.NO_RESPONSE: SOURCE_REFUSED,
    FailureGround.PARTY_ENDED: SOURCE_ENDED,
    FailureGround.PERIOD_EXPIRED: SOURCE_PERIOD_EXPIRED,
    FailureGround.NO_AGREEMENT: SOURCE_NO_AGREEMENT,
}


class MediationFailureRefused(Refused):
    """A case that may not close as not mediated (yet); ``code`` says why. The words are
    the closing feature's: it fills ``messages`` (lazy gettext strings keyed by code)."""

    messages: ClassVar[dict[str, Any]] = {}


@dataclass(frozen=True)
class MediationFacts:
    """What happened on the case, as dates on the legal clock (``None``: not happened).
    ``accepted_on``: the mediator accepted the case (the mediation period starts);
    ``extended_until``: the last day of an extension the parties agreed."""

    invited_on: date | None = None
    debtor_joined_on: date | None = None
    debtor_declined_on: date | None = None
    party_ended_on: date | None = None
    accepted_on: date | None = None
    extended_until: date | None = None
    agreement_in_force: bool = False


@dataclass(frozen=True)
class FailureCertificate:
    """What the certificate that mediation failed states: the ground, the day mediation
    began (the invitation, or the acceptance if later known) and the day it closed."""

    ground: FailureGround
    started_on: date | None
    closed_on: date
    source: str


def response_deadline(
    invited_on: date, calendar: LegalCalendar, *, days: int = RESPONSE_DAYS
) -> Deadline:
    """The last day for the debtor to answer the invitation (the organisation's setting,
    default 14 days), counted like a legal period (CPL Art. 85)."""
    return period_end(invited_on, days, calendar, source=SOURCE_REFUSED)


def mediation_deadline(
    accepted_on: date,
    calendar: LegalCalendar,
    *,
    days: int = MEDIATION_DAYS,
    extended_until: date | None = None,
) -> date:
    """The last day of the mediation: 30 days from acceptance (cf. 在线调解规则 Art. 24)
    counted per CPL Art. 85, or the agreed extension when it is later."""
    end = period_end(accepted_on, days, calendar, source=SOURCE_PERIOD_EXPIRED).end
    return max(end, extended_until) if extended_until else end


def check_failure(
    ground: FailureGround,
    facts: MediationFacts,
    on: date,
    calendar: LegalCalendar,
    *,
    response_days: int = RESPONSE_DAYS,
    mediation_days: int = MEDIATION_DAYS,
) -> FailureCertificate:
    """May the case close on ``on`` as not mediated on ``ground``? Returns the certificate.

    Refusal codes (:class:`MediationFailureRefused`), first failure wins:
    ``agreement_in_force`` (an agreement took effect: mediation succeeded), then by ground:
    ``not_declined`` (no refusal recorded by ``on``); ``not_invited``, ``debtor_answered``
    (the debtor joined or declined: use that), ``response_period_running`` (the response
    period has not ended); ``not_ended`` (no request to end recorded by ``on``);
    ``mediation_not_started`` (no acceptance, or for ``no_agreement`` the debtor has not
    joined), ``mediation_period_running`` (the period, extension included, has not ended).
    """
    if facts.agreement_in_force:
        raise MediationFailureRefused("agreement_in_force")
    ground = FailureGround(ground)
    _check_ground(ground, facts, on, calendar, response_days, mediation_days)
    started = facts.invited_on or facts.accepted_on
    return FailureCertificate(ground, started, on, _SOURCES[ground])


def _check_ground(
    ground: FailureGround,
    facts: MediationFacts,
    on: date,
    calendar: LegalCalendar,
    response_days: int,
    mediation_days: int,
) -> None:
    if ground is FailureGround.DEBTOR_DECLINED:
        _require(_happened(facts.debtor_declined_on, on), "not_declined")
    elif ground is FailureGround.NO_RESPONSE:
        _require(facts.invited_on is not None and facts.invited_on <= on, "not_invited")
        answered = facts.debtor_joined_on or facts.debtor_declined_on
        _require(not _happened(answered, on), "debtor_answered")
        assert facts.invited_on is not None
        deadline = response_deadline(facts.invited_on, calendar, days=response_days)
        _require(on > deadline.end, "response_period_running")
    elif ground is FailureGround.PARTY_ENDED:
        _require(_happened(facts.party_ended_on, on), "not_ended")
    elif ground is FailureGround.PERIOD_EXPIRED:
        _require(_happened(facts.accepted_on, on), "mediation_not_started")
        assert facts.accepted_on is not None
        end = mediation_deadline(
            facts.accepted_on, calendar, days=mediation_days, extended_until=facts.extended_until
        )
        _require(on > end, "mediation_period_running")
    else:
        _require(_happened(facts.debtor_joined_on, on), "mediation_not_started")


def _happened(day: date | None, on: date) -> bool:
    return day is not None and day <= on


def _require(condition: bool, code: str) -> None:
    if not condition:
        raise MediationFailureRefused(code)


def check_extension(proposed_until: date, current_end: date, on: date) -> None:
    """May a party propose (or the other accept) on ``on`` that the mediation run until
    ``proposed_until``? The parties may extend the period by agreement (cf. 在线调解规则 Art. 24)
    while it runs. Refusal codes: ``mediation_period_over`` (the period ended before
    ``on``: too late to extend), ``extension_not_later`` (not after the current end),
    ``extension_too_long`` (more than ``MAX_EXTENSION_DAYS`` past it)."""
    if on > current_end:
        raise MediationFailureRefused("mediation_period_over")
    if proposed_until <= current_end:
        raise MediationFailureRefused("extension_not_later")
    if (proposed_until - current_end).days > MAX_EXTENSION_DAYS:
        raise MediationFailureRefused("extension_too_long")


def check_extension_answer(proposer_side: str | None, answering_side: str) -> None:
    """Only the other party accepts or declines a proposed extension: ``no_extension_proposed``,
    ``own_extension`` (the proposer cannot agree with itself)."""
    if proposer_side is None:
        raise MediationFailureRefused("no_extension_proposed")
    if proposer_side == answering_side:
        raise MediationFailureRefused("own_extension")
