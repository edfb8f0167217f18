"""Each role's charts, by key (``/dashboard/<key>.csv``): a key outside the viewer's set
does not exist for them; and the admin's headline figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_percent
from flask_babel import gettext as _

from app.dashboards import figures
from app.dashboards.charts import (
    breaches,
    cases_by_age,
    cases_by_state,
    deadlines,
    discount,
    portfolio_amounts,
    settlement,
    time_to_agreement,
    workload,
)
from app.dashboards.contact_charts import (
    complaints,
    contacts_per_day,
    flagged_contacts,
    sessions,
    staff_contacts,
)
from app.dashboards.scope import Scope
from app.models.users import Role
from app.rules.cases import CaseState
from app.rules.charts import (
    Chart,
    percentile_of_counts,
    rate,
)
from app.rules.dashboards import (
    SETTLED_STATES,
)


@dataclass(frozen=True)
class Figure:
    """A headline number: its label and its value in words."""

    label: str
    value: str


def _pct(value: Decimal | None) -> str:
    return format_percent(value, "#,##0.0%") if value is not None else "—"


def headline(scope: Scope) -> list[Figure]:
    """The few numbers worth reading first, on the admin's dashboard."""
    counts = figures.cases_by_state(scope)
    settled = sum(counts.get(s, 0) for s in SETTLED_STATES)
    failed = counts.get(CaseState.CLOSED_NOT_MEDIATED, 0)
    s = figures.settlements(scope)
    median = percentile_of_counts(figures.days_to_agreement(scope), Decimal("0.5"))
    return [
        Figure(_("Settlement rate"), _pct(rate(settled, settled + failed))),
        Figure(
            _("Median days to agreement"),
            str(median) if median is not None else "—",
        ),
        Figure(_("Average discount against the claim"), _pct(s.mean_discount)),
        Figure(_("Breach rate"), _pct(rate(figures.breached_cases(scope), s.cases))),
    ]


CHARTS: dict[Role, dict[str, Callable[[Scope], Chart]]] = {
    Role.ADMIN: {
        "cases_by_state": cases_by_state,
        "cases_by_age": cases_by_age,
        "time_to_agreement": time_to_agreement,
        "settlement": settlement,
        "discount": discount,
        "breaches": breaches,
        "workload": workload,
        "deadlines": deadlines,
        "flagged_contacts": flagged_contacts,
        "complaints": complaints,
        "contacts_per_day": contacts_per_day,
    },
    Role.MEDIATOR: {
        "cases_by_state": cases_by_state,
        "sessions": sessions,
        "deadlines": deadlines,
    },
    Role.CREDITOR: {
        "cases_by_state": cases_by_state,
        "amounts": portfolio_amounts,
        "staff_contacts": staff_contacts,
        "flagged_contacts": flagged_contacts,
    },
}
