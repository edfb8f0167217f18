"""When mediation fails (人民调解法 Arts. 17, 23, 26; 在线调解规则 Art. 24): a case closes
as not mediated only on a ground that has happened, after the debtor's response period or
the mediation period has ended (moved off rest days), never once an agreement is in force;
the certificate names the ground and its source."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules.deadlines import LegalCalendar
from app.rules.errors import Refused
from app.rules.mediation_failure import (
    FailureGround,
    MediationFacts,
    MediationFailureRefused,
    check_failure,
    mediation_deadline,
    response_deadline,
)

CAL = LegalCalendar()
G = FailureGround
INVITED = date(2026, 9, 17)  # + 14 = 1 Oct, National Day (rest 1-7 Oct): ends 8 Oct
JOINED = MediationFacts(
    invited_on=INVITED, debtor_joined_on=date(2026, 9, 18), accepted_on=date(2026, 9, 10)
)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [(INVITED, 14, date(2026, 10, 8)), (date(2026, 3, 2), 14, date(2026, 3, 16))],
)
def test_the_response_period_is_counted_like_a_legal_period(
    start: date, days: int, end: date
) -> None:
    assert response_deadline(start, CAL, days=days).end == end


@pytest.mark.parametrize(
    ("accepted", "extended", "end"),
    [
        (date(2026, 9, 10), None, date(2026, 10, 10)),  # Saturday 10 Oct is a working day
        (date(2026, 9, 1), None, date(2026, 10, 8)),
        (date(2026, 9, 10), date(2026, 11, 30), date(2026, 11, 30)),
        (date(2026, 9, 10), date(2026, 10, 1), date(2026, 10, 10)),  # never shortened
    ],
)
def test_the_mediation_period_is_thirty_days_or_the_agreed_extension(
    accepted: date, extended: date | None, end: date
) -> None:
    assert mediation_deadline(accepted, CAL, extended_until=extended) == end


@pytest.mark.parametrize(
    ("ground", "facts", "on", "code"),
    [
        (
            G.NO_AGREEMENT,
            MediationFacts(agreement_in_force=True),
            date(2026, 10, 1),
            "agreement_in_force",
        ),
        (G.DEBTOR_DECLINED, MediationFacts(invited_on=INVITED), date(2026, 10, 1), "not_declined"),
        (
            G.DEBTOR_DECLINED,
            MediationFacts(invited_on=INVITED, debtor_declined_on=date(2026, 10, 2)),
            date(2026, 10, 1),
            "not_declined",
        ),
        (G.NO_RESPONSE, MediationFacts(), date(2026, 10, 9), "not_invited"),
        (
            G.NO_RESPONSE,
            MediationFacts(invited_on=INVITED),
            date(2026, 10, 8),
            "response_period_running",
        ),
        (G.NO_RESPONSE, JOINED, date(2026, 10, 9), "debtor_answered"),
        (
            G.NO_RESPONSE,
            MediationFacts(invited_on=INVITED, debtor_declined_on=date(2026, 9, 20)),
            date(2026, 10, 9),
            "debtor_answered",
        ),
        (G.PARTY_ENDED, JOINED, date(2026, 10, 1), "not_ended"),
        (
            G.PERIOD_EXPIRED,
            MediationFacts(invited_on=INVITED),
            date(2026, 12, 1),
            "mediation_not_started",
        ),
        (G.PERIOD_EXPIRED, JOINED, date(2026, 10, 10), "mediation_period_running"),
        (
            G.NO_AGREEMENT,
            MediationFacts(invited_on=INVITED),
            date(2026, 10, 1),
            "mediation_not_started",
        ),
    ],
)
def test_a_case_does_not_close_as_not_mediated_before_its_ground_exists(
    ground: FailureGround, facts: MediationFacts, on: date, code: str
) -> None:
    with pytest.raises(MediationFailureRefused) as caught:
        check_failure(ground, facts, on, CAL)
    assert caught.value.code == code
    assert isinstance(caught.value, Refused)


@pytest.mark.parametrize(
    ("ground", "facts", "on", "article"),
    [
        (
            G.DEBTOR_DECLINED,
            MediationFacts(invited_on=INVITED, debtor_declined_on=date(2026, 9, 20)),
            date(2026, 9, 20),
            "第十七条",
        ),
        (G.NO_RESPONSE, MediationFacts(invited_on=INVITED), date(2026, 10, 9), "第十七条"),
        (
            G.PARTY_ENDED,
            MediationFacts(invited_on=INVITED, party_ended_on=date(2026, 9, 25)),
            date(2026, 9, 25),
            "第二十三条",
        ),
        (G.PERIOD_EXPIRED, JOINED, date(2026, 10, 11), "在线调解规则"),
        (G.NO_AGREEMENT, JOINED, date(2026, 9, 18), "第二十六条"),
    ],
)
def test_the_certificate_names_the_ground_the_dates_and_the_law(
    ground: FailureGround, facts: MediationFacts, on: date, article: str
) -> None:
    certificate = check_failure(ground, facts, on, CAL)
    assert (certificate.ground, certificate.started_on, certificate.closed_on) == (
        ground,
        INVITED,
        on,
    )
    assert article in certificate.source


def test_the_response_period_is_the_organisations_setting() -> None:
    facts = MediationFacts(invited_on=date(2026, 3, 2))
    with pytest.raises(MediationFailureRefused):
        check_failure(G.NO_RESPONSE, facts, date(2026, 3, 9), CAL, response_days=7)
    certificate = check_failure(G.NO_RESPONSE, facts, date(2026, 3, 10), CAL, response_days=7)
    assert certificate.closed_on == date(2026, 3, 10)
