"""The docket: a mediator's cases (an admin's: the organisation's), to filter, sort and page.

A GET form and plain links: the query string is the whole state of the page, so any view
of the docket can be bookmarked or shared with a colleague. Values that make no sense
(``page=abc``, ``sort=evil``) are ignored, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from app.access import Permission, requires
from app.accounts.home_sections import home_sections
from app.cases.docket import (
    DOCKET_STATES,
    MAX_DEADLINE_DAYS,
    MAX_PER_PAGE,
    SORTS,
    DocketPage,
    DocketQuery,
    DocketRow,
    cursor,
    docket,
)
from app.cases.docket_search import NO_FULL_NUMBER_PATTERN, full_number
from app.cases.lifecycle import today as legal_today
from app.cases.papers import MISSING_LABELS
from app.cases.views.docket_bulk import docket_actions
from app.core.parties import state_label
from app.models.users import Role
from app.rules.cases import OPEN_STATES, CaseState

bp = Blueprint("docket", __name__)

# A later feature's note on each page row, e.g. the repayment state of a case in
# performance: (case ids, today) -> {case id: (label, css key)}. Set by app.features.
RowNotes = Callable[[list[int], date], dict[int, tuple[str, str]]]
_ROW_NOTES: list[tuple[RowNotes, frozenset[CaseState] | None]] = []


def on_docket_rows(notes: RowNotes, states: Iterable[CaseState] | None = None) -> RowNotes:
    """Register a provider of notes for the docket's rows (once, by the app factory).
    ``states``: the only states it has notes for; it is asked about those rows alone,
    and not at all when the page has none."""
    entry = (notes, frozenset(states) if states is not None else None)
    if entry not in _ROW_NOTES:
        _ROW_NOTES.append(entry)
    return notes


def _notes(rows: list[DocketRow], today: date) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for provider, states in _ROW_NOTES:
        ids = [r.case_id for r in rows if states is None or r.state in states]
        if not ids:
            continue
        for case_id, note in provider(ids, today).items():
            out.setdefault(case_id, []).append(note)
    return out


# Which way a column sorts when first chosen: the soonest deadline, otherwise the most.
_FIRST_DESCENDING = {"activity": True, "amount": True, "deadline": False, "reference": True}
_DEFAULT = DocketQuery()
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Column:
    key: str  # also the data-label's source
    label: str
    sort_url: str | None = None  # None: not sortable
    aria_sort: str | None = None  # "ascending" / "descending" on the sorted column
    arrow: str = ""


@bp.route("/docket")
@requires(Permission.DOCKET_VIEW)
def index() -> str | Response:
    if full_number(request.args.get("q") or ""):
        # Typed anyway (a browser that ignores the box's pattern): not searched, and the
        # address is replaced at once by one without it (history, links, the referrer).
        flash(
            _(
                "For privacy, search by the last 4 digits of a phone or ID number, never "
                "the whole number."
            ),
            "error",
        )
        kept = {k: v for k, v in request.args.items() if k not in ("q", "page")}
        return redirect(url_for("docket.index", **kept), code=303)
    user = current_user._get_current_object()
    q = parse_query(request.args)
    today = legal_today()
    result = docket(user, q, today)
    show_mediator = user.role == Role.ADMIN
    columns = _columns(q, show_mediator)
    notes = _notes(list(result.rows), today)
    # Written once per page, not once per row: the states' names, the checkbox's label.
    states = {r.state: state_label(r.state) for r in result.rows}
    select_label = _("Select %(reference)s")
    return render_template(
        "docket/index.html",
        lead=_lead(user),
        # The docket is the mediator's home (the admin's is the organisation page): the
        # to-do list opens its first page; a search, a filter or a later page is about
        # the docket alone.
        home_sections=(
            home_sections(user)
            if user.role == Role.MEDIATOR and result.page == 1 and not _narrowed(q)
            else []
        ),
        result=result,
        empty_docket=result.docket_size == 0,
        state_links=_state_links(q, result),
        form=_form(q, result, today),
        columns=columns,
        labels={c.key: c.label for c in columns},
        show_mediator=show_mediator,
        rows=[
            _row_view(r, today, show_mediator, notes.get(r.case_id, []), states, select_label)
            for r in result.rows
        ],
        paging=_paging(q, result),
        clear_url=url_for("docket.index"),
        has_filters=_narrowed(q),
        bulk=docket_actions(user) if result.rows else None,
    )


def _form(q: DocketQuery, result: DocketPage, today: date) -> dict[str, Any]:
    """The filter form's values and options, with the current choices marked."""
    return {
        "search": q.search,
        "no_full_number": NO_FULL_NUMBER_PATTERN,
        "example": f"HZ-{today.year}-000123",
        "states": [(s.value, state_label(s), q.state == s) for s in DOCKET_STATES],
        "creditors": [(c.id, c.name, q.creditor_org_id == c.id) for c in result.creditors],
        "deadline": "" if q.deadline_within_days is None else q.deadline_within_days,
        "deadline_max": MAX_DEADLINE_DAYS,
        "sort": q.sort,
        "dir": "desc" if q.descending else "asc",
    }


# --- reading the query string -------------------------------------------------------------


def parse_query(args: MultiDict[str, str]) -> DocketQuery:
    """A :class:`DocketQuery` from the query string; each bad value falls back alone."""
    state = _choice(args.get("state"), {s.value: s for s in DOCKET_STATES})
    sort = _choice(args.get("sort"), {s: s for s in SORTS}) or _DEFAULT.sort
    direction = _choice(args.get("dir"), {"asc": False, "desc": True})
    per_page = _int(args.get("per_page"), 1, 10**6)
    search = (args.get("q") or "").strip()[:100]
    return DocketQuery(
        state=state,
        creditor_org_id=_int(args.get("creditor"), 1, 2**31 - 1),
        deadline_within_days=_int(args.get("deadline_within"), 0, MAX_DEADLINE_DAYS),
        search="" if full_number(search) else search,  # never searched for
        sort=sort,
        descending=_FIRST_DESCENDING[sort] if direction is None else direction,
        page=_int(args.get("page"), 1, 10**6) or 1,  # past the last page: the last page
        per_page=min(per_page, MAX_PER_PAGE) if per_page else _DEFAULT.per_page,
        after=(args.get("after") or "")[:80],
        before=(args.get("before") or "")[:80],
    )


def _choice(raw: str | None, allowed: dict[str, Any]) -> Any:
    return allowed.get(raw or "")


def _int(raw: str | None, low: int, high: int) -> int | None:
    if raw is None or not _DIGITS.fullmatch(raw.strip()):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _narrowed(q: DocketQuery) -> bool:
    return any((q.state, q.creditor_org_id, q.deadline_within_days is not None, q.search))


# --- links that keep the rest of the query ------------------------------------------------


def _params(q: DocketQuery, **changes: Any) -> dict[str, Any]:
    """The query string for ``q`` with ``changes``, defaults left out to keep URLs short."""
    values: dict[str, Any] = {
        "state": q.state.value if q.state else None,
        "creditor": q.creditor_org_id,
        "deadline_within": q.deadline_within_days,
        "q": q.search or None,
        "sort": q.sort,
        "dir": "desc" if q.descending else "asc",
        "page": q.page,
        "per_page": q.per_page,
        # A cursor belongs to one link only: the pager's (see _paging).
        "after": None,
        "before": None,
        **changes,
    }
    defaults = {"sort": _DEFAULT.sort, "page": 1, "per_page": _DEFAULT.per_page}
    if values["sort"] == _DEFAULT.sort and values["dir"] == "desc":
        values["dir"] = None
    return {k: v for k, v in values.items() if v is not None and defaults.get(k) != v}


def _url(q: DocketQuery, **changes: Any) -> str:
    return url_for("docket.index", **_params(q, **changes))


def _state_links(q: DocketQuery, result: DocketPage) -> list[dict[str, Any]]:
    """One link per state with its count on the whole docket; the other filters stay."""
    links = [
        {
            "label": _("All"),
            "count": result.docket_size,
            "url": _url(q, state=None, page=1),
            "current": q.state is None,
        }
    ]
    for state in DOCKET_STATES:
        links.append(
            {
                "label": state_label(state),
                "count": result.counts[state],
                "url": _url(q, state=state.value, page=1),
                "current": q.state == state,
            }
        )
    return links


_COLUMNS = (
    ("reference", _l("Reference"), "reference"),
    ("debtor", _l("Debtor"), None),
    ("creditor", _l("Creditor"), None),
    ("amount", _l("Claim"), "amount"),
    ("state", _l("State"), None),
    ("deadline", _l("Next deadline"), "deadline"),
    ("activity", _l("Last activity"), "activity"),
    ("mediator", _l("Mediator"), None),
)


def _columns(q: DocketQuery, show_mediator: bool) -> list[Column]:
    columns = []
    for key, label, sort in _COLUMNS:
        if key == "mediator" and not show_mediator:
            continue
        if sort is None:
            columns.append(Column(key, str(label)))
            continue
        current = q.sort == sort
        descending = not q.descending if current else _FIRST_DESCENDING[sort]
        url = _url(q, sort=sort, dir="desc" if descending else "asc", page=1)
        aria = ("descending" if q.descending else "ascending") if current else None
        arrow = ("↓" if q.descending else "↑") if current else ""
        columns.append(Column(key, str(label), url, aria, arrow))
    return columns


def _paging(q: DocketQuery, result: DocketPage) -> dict[str, Any]:
    first = (result.page - 1) * result.per_page + 1
    return {
        "page": result.page,
        "pages": result.pages,
        "show": result.pages > 1,
        "prev_url": _prev_url(q, result) if result.page > 1 else None,
        "next_url": (
            _url(q, page=result.page + 1, after=cursor(result.rows[-1], q.sort))
            if result.page < result.pages and result.rows
            else None
        ),
        "first": first if result.total else 0,
        "last": min(result.total, result.page * result.per_page),
    }


def _prev_url(q: DocketQuery, result: DocketPage) -> str:
    """The page before: the first page plainly, a deeper one from this page's first row."""
    if result.page == 2 or not result.rows:
        return _url(q, page=result.page - 1)
    return _url(q, page=result.page - 1, before=cursor(result.rows[0], q.sort))


# --- rows ---------------------------------------------------------------------------------


def _case_url(case_id: int) -> str:
    # The case page belongs to the cases blueprint; the docket must not depend on it.
    if "cases.show" in current_app.view_functions:
        return url_for("cases.show", case_id=case_id)
    return f"/cases/{case_id}"


def _row_view(
    row: DocketRow,
    today: date,
    show_mediator: bool,
    notes: list[tuple[str, str]],
    states: dict[CaseState, str],
    select_label: str,
) -> dict[str, Any]:
    overdue = (
        row.next_deadline is not None and row.next_deadline < today and row.state in OPEN_STATES
    )
    return {
        "case_id": row.case_id,
        "url": _case_url(row.case_id),
        "reference": row.reference,
        "debtor_name": row.debtor_name,
        "debtor_id_masked": row.debtor_id_masked,
        "creditor_name": row.creditor_name,
        "claim_total": row.claim_total,
        "state": states[row.state],
        "select_label": select_label % {"reference": row.reference},
        "state_class": "docket-state-" + row.state.value.replace("_", "-"),
        "deadline": row.next_deadline.isoformat() if row.next_deadline else "",  # yyyy-MM-dd
        "open_objections": row.open_objections,
        "notes": notes,
        "missing": [(str(MISSING_LABELS[m]), m) for m in row.missing],
        "overdue": overdue,
        "last_activity_at": row.last_activity_at,
        "last_activity_iso": row.last_activity_at.isoformat(),
        "mediator": (row.mediator_name or _("Not assigned")) if show_mediator else None,
    }


def _lead(user: Any) -> str:
    if user.role == Role.ADMIN and user.mediation_org is not None:
        return _("Every case of %(org)s.", org=user.mediation_org.name)
    return _("Cases assigned to %(name)s.", name=user.name)
