"""The dashboards' charts about contacts, in words of the reader's language (the case
charts and the helpers are in :mod:`app.dashboards.charts`)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.cases.contact_log import FLAG_LABELS
from app.dashboards import contact_figures
from app.dashboards.charts import nothing_yet, single_series
from app.dashboards.scope import Scope
from app.rules.charts import (
    Chart,
    ChartKind,
    Series,
    bin_counts,
    bin_labels,
)
from app.rules.contact_log import ContactChannel, Flag
from app.rules.dashboards import (
    PER_DAY_EDGES,
    RECENT_DAYS,
)

# --- contacts --------------------------------------------------------------------------

SESSION_CHANNELS = {
    ContactChannel.PHONE: _l("Phone"),
    ContactChannel.VIDEO: _l("Video"),
    ContactChannel.IN_PERSON: _l("In person"),
}


def flagged_contacts(scope: Scope) -> Chart:
    c = contact_figures.compliance(scope)
    return single_series(
        "flagged_contacts",
        _("Contacts that broke a contact rule"),
        _("Contacts logged, and those flagged for each rule they broke."),
        _("Contacts"),
        [
            _("Contacts logged"),
            _("Flagged"),
            str(FLAG_LABELS[Flag.QUIET_HOURS]),
            str(FLAG_LABELS[Flag.DAILY_CAP]),
            str(FLAG_LABELS[Flag.WRONG_PERSON]),
        ],
        _("How many"),
        [c.contacts, c.flagged, c.quiet_hours, c.daily_cap, c.wrong_person],
    )


def complaints(scope: Scope) -> Chart:
    c = contact_figures.compliance(scope)
    return single_series(
        "complaints",
        _("Complaints"),
        _("Complaints about contacts or conduct: open, overdue for an answer, answered."),
        _("Status"),
        [_("Open"), _("Overdue"), _("Answered")],
        _("Complaints"),
        [c.complaints_open, c.complaints_overdue, c.complaints_answered],
    )


def contacts_per_day(scope: Scope) -> Chart:
    counts = contact_figures.contacts_per_debtor_day(scope)
    return single_series(
        "contacts_per_day",
        _("Outreach contacts per debtor per day, last %(n)s days", n=RECENT_DAYS),
        _(
            "How many times a debtor was contacted in one day (at most three are allowed), "
            "counted over debtor-days."
        ),
        _("Contacts in the day"),
        list(bin_labels(PER_DAY_EDGES, first=1)),
        _("Debtor-days"),
        list(bin_counts(counts, PER_DAY_EDGES)),
        kind=ChartKind.HISTOGRAM,
    )


def sessions(scope: Scope) -> Chart:
    monday, by_day = contact_figures.sessions_this_week(scope)
    days = sorted(by_day)
    return Chart(
        key="sessions",
        title=_("Sessions this week"),
        desc=_(
            "Calls, video calls and meetings you logged each day this week, from %(day)s.",
            day=format_date(monday, "yyyy-MM-dd"),
        ),
        kind=ChartKind.HISTOGRAM,
        categories=tuple(format_date(d, "EEE d") for d in days),
        series=tuple(
            Series(str(label), tuple(by_day[d][ch] for d in days))
            for ch, label in SESSION_CHANNELS.items()
        ),
        category_header=_("Day"),
        total_header=_("Total"),
        empty_text=nothing_yet(),
    )


def staff_contacts(scope: Scope) -> Chart:
    rows = contact_figures.contacts_by_staff(scope)
    return Chart(
        key="staff_contacts",
        title=_("Contacts logged by your staff"),
        desc=_("Contacts each member of your staff logged: within the rules, and flagged."),
        kind=ChartKind.STACKED,
        categories=tuple(name for name, _ok, _f in rows),
        series=(
            Series(_("Within the rules"), tuple(ok for _n, ok, _f in rows)),
            Series(_("Flagged"), tuple(f for _n, _ok, f in rows)),
        ),
        category_header=_("Staff member"),
        total_header=_("Total"),
        empty_text=nothing_yet(),
    )
