"""What the dashboards count, in plain terms: which states mean the parties settled,
which stage of the work an open case is at, what a case's next deadline is for, and the
bands cases and durations are sorted into (:mod:`app.dashboards` counts them in SQL)."""

from __future__ import annotations

from enum import StrEnum

from app.rules.cases import CaseState

S = CaseState

# The parties reached an agreement that took effect (人民调解法 Art. 31: an agreement
# reached binds them), whatever happened after: filed, confirmed, refused by the court,
# performed.
SETTLED_STATES = frozenset({S.IN_FORCE, S.FILED, S.CONFIRMED, S.CONFIRMATION_REJECTED, S.PERFORMED})
# The mediation ended without one (人民调解法 Art. 26).
FAILED_STATES = frozenset({S.CLOSED_NOT_MEDIATED})
# A case still owes work or a deadline: neither a draft nor closed.
LIVE_STATES = frozenset(set(S) - {S.DRAFT, S.CLOSED_NOT_MEDIATED, S.PERFORMED})


class Stage(StrEnum):
    """Where an open case stands in a mediator's work."""

    STARTING = "starting"  # waiting for the mediator, or for the debtor to answer
    MEDIATING = "mediating"  # negotiating, drafting and signing the agreement
    AFTER = "after"  # the agreement took effect: confirmation, performance


STAGE_OF: dict[CaseState, Stage] = {
    S.SUBMITTED: Stage.STARTING,
    S.INVITED: Stage.STARTING,
    S.NEGOTIATING: Stage.MEDIATING,
    S.AGREEMENT_DRAFTING: Stage.MEDIATING,
    S.SIGNING: Stage.MEDIATING,
    S.IN_FORCE: Stage.AFTER,
    S.FILED: Stage.AFTER,
    S.CONFIRMED: Stage.AFTER,
    S.CONFIRMATION_REJECTED: Stage.AFTER,
}


class DeadlineKind(StrEnum):
    """What ``Case.next_deadline`` is the last day of, by the case's state."""

    INVITATION = "invitation"  # the debtor's time to answer the invitation
    MEDIATION = "mediation"  # the mediation period (extension included)
    CONFIRMATION = "confirmation"  # 30 days to apply for judicial confirmation (CPL Art. 205)
    ENFORCEMENT = "enforcement"  # the time to apply for enforcement (CPL Art. 250)
    OTHER = "other"


DEADLINE_OF: dict[CaseState, DeadlineKind] = {
    S.INVITED: DeadlineKind.INVITATION,
    S.NEGOTIATING: DeadlineKind.MEDIATION,
    S.IN_FORCE: DeadlineKind.CONFIRMATION,
    S.CONFIRMED: DeadlineKind.ENFORCEMENT,
}

# Open cases by days since submission; the last band takes everything older.
AGE_EDGES = (30, 90, 180, 365)
# Days from submission to the agreement taking effect.
AGREEMENT_DAY_EDGES = (7, 14, 30, 60, 90)
# Discount of the agreed total from the claim, in percent.
DISCOUNT_EDGES = (0, 10, 20, 30, 50)
# The next 30 days, in weeks (days from today; 0 is today).
DEADLINE_EDGES = (6, 13, 20, 30)
DEADLINE_HORIZON = 30
# The compliance charts' window: the last 30 days, today included.
RECENT_DAYS = 30
# Outreach contacts with one debtor in one day (the cap is three: app.rules.contact_rules).
PER_DAY_EDGES = (1, 2, 3, 4)
