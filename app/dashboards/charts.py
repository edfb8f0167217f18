"""Each dashboard's charts: the figures (:mod:`app.dashboards.figures`) put in words of
the reader's language and drawn by :mod:`app.rules.charts`. A chart is known by its key,
which its exports use (``/dashboard/<key>.csv``); each role has its own set, and a key
outside the viewer's set does not exist for them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.format import money
from app.core.parties import state_label
from app.dashboards import figures
from app.dashboards.scope import Scope
from app.rules.cases import CaseState
from app.rules.charts import (
    Chart,
    ChartKind,
    Number,
    Series,
    bin_counts,
    bin_labels,
)
from app.rules.dashboards import (
    AGE_EDGES,
    AGREEMENT_DAY_EDGES,
    DEADLINE_EDGES,
    DISCOUNT_EDGES,
    SETTLED_STATES,
    DeadlineKind,
    Stage,
)

STAGES = {
    Stage.STARTING: _l("Starting (acceptance, invitation)"),
    Stage.MEDIATING: _l("Mediating (negotiation to signing)"),
    Stage.AFTER: _l("After agreement (confirmation, performance)"),
}
DEADLINE_KINDS = {
    DeadlineKind.INVITATION: _l("Debtor's answer to the invitation"),
    DeadlineKind.MEDIATION: _l("End of the mediation period"),
    DeadlineKind.CONFIRMATION: _l("Apply for judicial confirmation (30 days)"),
    DeadlineKind.ENFORCEMENT: _l("Apply for enforcement"),
    DeadlineKind.OTHER: _l("Other"),
}


def _money(value: Number) -> str:
    return money(Decimal(value))


def single_series(
    key: str,
    title: str,
    desc: str,
    header: str,
    cats: list[str],
    name: str,
    values: list[Number],
    **kw: Any,
) -> Chart:
    """A chart of one series."""
    return Chart(
        key=key,
        title=title,
        desc=desc,
        kind=kw.pop("kind", ChartKind.BAR),
        categories=tuple(cats),
        series=(Series(name, tuple(values)),),
        category_header=header,
        total_header=_("Total"),
        empty_text=nothing_yet(),
        **kw,
    )


def nothing_yet() -> str:
    return _("Nothing to count yet.")


# --- cases ---------------------------------------------------------------------------


def cases_by_state(scope: Scope) -> Chart:
    counts = figures.cases_by_state(scope)
    states = [s for s in CaseState if counts.get(s)]
    return single_series(
        "cases_by_state",
        _("Cases by state"),
        _("How many cases are in each state; states with no case are left out."),
        _("State"),
        [state_label(s) for s in states],
        _("Cases"),
        [counts[s] for s in states],
    )


def cases_by_age(scope: Scope) -> Chart:
    return single_series(
        "cases_by_age",
        _("Open cases by age"),
        _("Open cases by the number of days since they were submitted."),
        _("Days since submission"),
        list(bin_labels(AGE_EDGES)),
        _("Cases"),
        list(figures.cases_by_age(scope)),
        kind=ChartKind.HISTOGRAM,
    )


def time_to_agreement(scope: Scope) -> Chart:
    counts = figures.days_to_agreement(scope)
    return single_series(
        "time_to_agreement",
        _("Time to agreement"),
        _("Cases by the number of days from submission to the agreement taking effect."),
        _("Days to agreement"),
        list(bin_labels(AGREEMENT_DAY_EDGES)),
        _("Cases"),
        list(bin_counts(counts, AGREEMENT_DAY_EDGES)),
        kind=ChartKind.HISTOGRAM,
    )


def settlement(scope: Scope) -> Chart:
    counts = figures.cases_by_state(scope)
    settled = sum(counts.get(s, 0) for s in SETTLED_STATES)
    failed = counts.get(CaseState.CLOSED_NOT_MEDIATED, 0)
    return single_series(
        "settlement",
        _("Settled and not settled"),
        _(
            "Cases whose mediation ended: with an agreement that took effect, and closed "
            "without one."
        ),
        _("Outcome"),
        [_("Settled (agreement took effect)"), _("Closed, not mediated")],
        _("Cases"),
        [settled, failed],
    )


def discount(scope: Scope) -> Chart:
    s = figures.settlements(scope)
    labels = (
        [_("No discount")]
        + [_("up to %(n)s%%", n=edge) for edge in DISCOUNT_EDGES[1:]]
        + [_("over %(n)s%%", n=DISCOUNT_EDGES[-1])]
    )
    return single_series(
        "discount",
        _("Discount agreed against the claim"),
        _(
            "Agreements in force by how much less than the claim they agreed, as a share "
            "of the claim."
        ),
        _("Discount"),
        labels,
        _("Agreements"),
        list(s.bands),
    )


def breaches(scope: Scope) -> Chart:
    settled = figures.settlements(scope).cases
    breached = figures.breached_cases(scope)
    return single_series(
        "breaches",
        _("Agreements in breach"),
        _(
            "Agreements in force, and how many of them were breached (an instalment unpaid "
            "past its grace period)."
        ),
        _("Agreements"),
        [_("Performed as agreed so far"), _("Breached")],
        _("Cases"),
        [max(settled - breached, 0), breached],
    )


def workload(scope: Scope) -> Chart:
    rows = figures.workload(scope)
    return Chart(
        key="workload",
        title=_("Workload per mediator"),
        desc=_("Open cases of each mediator, by stage."),
        kind=ChartKind.STACKED,
        categories=tuple(name for name, _counts in rows),
        series=tuple(Series(str(STAGES[st]), tuple(c[st] for _n, c in rows)) for st in Stage),
        category_header=_("Mediator"),
        total_header=_("Total"),
        empty_text=nothing_yet(),
    )


def deadlines(scope: Scope) -> Chart:
    weeks = figures.deadlines(scope)
    labels = [_("Passed")] + [
        _("Days %(a)s–%(b)s", a=low, b=high)
        for low, high in zip(
            (0, *(e + 1 for e in DEADLINE_EDGES[:-1])), DEADLINE_EDGES, strict=True
        )
    ]
    order = sorted(weeks)
    kinds = [k for k in DeadlineKind if any(weeks[w][k] for w in order)] or [
        DeadlineKind.CONFIRMATION
    ]
    return Chart(
        key="deadlines",
        title=_("Deadlines in the next 30 days"),
        desc=_(
            "Open cases by when their next deadline falls (already passed, or in which "
            "days from today) and what it is for."
        ),
        kind=ChartKind.STACKED,
        categories=tuple(labels),
        series=tuple(
            Series(str(DEADLINE_KINDS[k]), tuple(weeks[w][k] for w in order)) for k in kinds
        ),
        category_header=_("Deadline falls"),
        total_header=_("Total"),
        empty_text=nothing_yet(),
    )


def portfolio_amounts(scope: Scope) -> Chart:
    a = figures.amounts(scope)
    return single_series(
        "amounts",
        _("Claimed, agreed and recovered"),
        _(
            "The amounts claimed on all submitted cases and on the settled ones, agreed in "
            "the agreements in force, and recovered in payments that count."
        ),
        _("Amount"),
        [
            _("Claimed (all cases)"),
            _("Claimed (settled cases)"),
            _("Agreed"),
            _("Recovered"),
        ],
        _("Amount (yuan)"),
        [a.claimed, a.claimed_settled, a.agreed, a.recovered],
        fmt=_money,
    )
