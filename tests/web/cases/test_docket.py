"""The mediator's docket (the cases a mediator works on): whose cases, filters, sorting, paging,
bad input, personal data, and a bounded number of queries whatever the docket's size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, func, select, update

from app.cases.docket import DOCKET_STATES, DocketQuery, docket
from app.cases.lifecycle import today as legal_today
from app.cases.views.docket import parse_query
from app.core import pii
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Objection, ObjectionStatus
from app.models.organisations import MediationOrganisation
from app.models.users import Role, User
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

S = CaseState
# Only the table's case links: the search box's placeholder is a reference too.
_ROW_REF = re.compile(r'<a href="/cases/(\d+)">(HZ-\d{4}-\d{6})</a>')


@pytest.fixture
def org(app: Flask) -> MediationOrganisation:
    return make_mediation_org()


@pytest.fixture
def mediator(org: MediationOrganisation) -> User:
    return make_user(Role.MEDIATOR, mediation_org=org, name="调解员甲")


@pytest.fixture
def creditor(app: Flask) -> User:
    return make_user(Role.CREDITOR)


def case(mediator: User | None, creditor: User, state: CaseState = S.SUBMITTED, **kw: Any) -> Case:
    if mediator is None:
        kw.setdefault("mediation_org_id", kw.pop("org").id)
    return make_case(creditor=creditor, mediator=mediator, state=state, **kw)


def signed_in(browser: Browser, user: User) -> Browser:
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def page(browser: Browser, query: str = "") -> str:
    response = browser.get("/docket" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def ids_on(html: str) -> list[int]:
    return [int(i) for i, _ in _ROW_REF.findall(html)]


def ids(viewer: User, **query: Any) -> list[int]:
    result = docket(viewer, DocketQuery(**query), legal_today())
    return [r.case_id for r in result.rows]


# --- whose cases ------------------------------------------------------------------------


def test_a_mediator_sees_only_their_own_assigned_submitted_cases(
    browser: Browser, org: MediationOrganisation, mediator: User, creditor: User
) -> None:
    colleague = make_user(Role.MEDIATOR, mediation_org=org)
    stranger = make_user(Role.MEDIATOR)  # another organisation
    own = case(mediator, creditor)
    theirs = case(colleague, creditor)
    draft = case(mediator, creditor, S.DRAFT)
    elsewhere = case(stranger, creditor)
    unassigned = case(None, creditor, org=org)

    shown = ids_on(page(signed_in(browser, mediator)))

    assert shown == [own.id]
    assert not {theirs.id, draft.id, elsewhere.id, unassigned.id} & set(shown)


def test_an_admin_sees_every_case_of_their_organisation_but_no_drafts(
    browser: Browser, org: MediationOrganisation, mediator: User, creditor: User
) -> None:
    admin = make_user(Role.ADMIN, mediation_org=org)
    colleague = make_user(Role.MEDIATOR, mediation_org=org)
    own = case(mediator, creditor)
    theirs = case(colleague, creditor, S.NEGOTIATING)
    unassigned = case(None, creditor, org=org)
    case(None, creditor, S.DRAFT, org=org)
    case(make_user(Role.MEDIATOR), creditor)  # another organisation's

    html = page(signed_in(browser, admin))

    assert sorted(ids_on(html)) == sorted([own.id, theirs.id, unassigned.id])
    assert "调解员甲" in html  # admins see who holds each case
    assert "未分配" in html or "Not assigned" in html


@pytest.mark.parametrize("role", [Role.CREDITOR, Role.DEBTOR])
def test_creditors_and_debtors_are_refused(browser: Browser, role: Role) -> None:
    signed_in(browser, make_user(role))
    assert browser.get("/docket").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(browser: Browser) -> None:
    response = browser.get("/docket?state=invited")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_the_service_gives_other_roles_an_empty_docket(creditor: User, mediator: User) -> None:
    case(mediator, creditor)
    assert ids(creditor) == []


def test_mediators_land_on_their_docket_and_the_menu_points_there(
    browser: Browser, mediator: User
) -> None:
    response = signed_in(browser, mediator).get("/mediator")
    assert response.status_code == 302
    assert response.headers["Location"] == "/docket"
    html = page(browser)
    assert '<a href="/docket" aria-current="page">' in html


def test_an_empty_docket_says_so(browser: Browser, mediator: User) -> None:
    html = page(signed_in(browser, mediator))
    assert "暂无案件" in html or "no cases on this docket" in html
    assert "<table" not in html


# --- counts and filters -----------------------------------------------------------------


def test_counts_per_state_cover_the_whole_docket_whatever_the_filter(
    browser: Browser, mediator: User, creditor: User
) -> None:
    for state, n in ((S.SUBMITTED, 2), (S.INVITED, 1), (S.NEGOTIATING, 3), (S.DRAFT, 4)):
        for _ in range(n):
            case(mediator, creditor, state)

    result = docket(mediator, DocketQuery(state=S.INVITED), legal_today())

    assert result.counts == {
        S.SUBMITTED: 2,
        S.INVITED: 1,
        S.NEGOTIATING: 3,
        S.AGREEMENT_DRAFTING: 0,
        S.SIGNING: 0,
        S.IN_FORCE: 0,
        S.FILED: 0,
        S.CONFIRMED: 0,
        S.CONFIRMATION_REJECTED: 0,
        S.CLOSED_NOT_MEDIATED: 0,
        S.PERFORMED: 0,
    }
    assert result.total == 1
    html = page(signed_in(browser, mediator), "?state=invited")
    assert re.search(
        r'href="/docket\?state=invited" aria-current="page">[^<]*<span class="count">1<', html
    )
    assert re.search(r'href="/docket">[^<]*<span class="count">6<', html)
    assert re.search(r'href="/docket\?state=negotiating">[^<]*<span class="count">3<', html)


def test_filter_by_state(mediator: User, creditor: User) -> None:
    invited = case(mediator, creditor, S.INVITED)
    case(mediator, creditor, S.SUBMITTED)
    assert ids(mediator, state=S.INVITED) == [invited.id]


def test_filter_by_creditor(browser: Browser, mediator: User, creditor: User) -> None:
    other = make_user(Role.CREDITOR)
    mine = case(mediator, creditor)
    case(mediator, other)
    html = page(signed_in(browser, mediator), f"?creditor={creditor.creditor_org_id}")
    assert ids_on(html) == [mine.id]
    assert f'<option value="{creditor.creditor_org_id}" selected>' in html


def test_filter_by_deadline_within_days_includes_overdue_ones(
    mediator: User, creditor: User
) -> None:
    today = legal_today()
    overdue = case(mediator, creditor, S.INVITED, next_deadline=today - timedelta(days=2))
    soon = case(mediator, creditor, S.INVITED, next_deadline=today + timedelta(days=7))
    case(mediator, creditor, S.INVITED, next_deadline=today + timedelta(days=8))
    case(mediator, creditor, S.INVITED, next_deadline=None)
    assert sorted(ids(mediator, deadline_within_days=7)) == [overdue.id, soon.id]
    assert ids(mediator, deadline_within_days=0) == [overdue.id]


def test_search_by_reference_in_any_of_its_forms(
    browser: Browser, mediator: User, creditor: User
) -> None:
    wanted = case(mediator, creditor)
    case(mediator, creditor)
    signed_in(browser, mediator)
    year = wanted.created_at.year
    for term in (wanted.reference, wanted.reference.lower(), f"{wanted.id:06d}", str(wanted.id)):
        assert ids_on(page(browser, f"?q={term}")) == [wanted.id], term
    # The year is part of the reference: the right number in the wrong year is another case.
    assert ids_on(page(browser, f"?q=HZ-{year - 1}-{wanted.id:06d}")) == []


def test_search_by_part_of_the_debtor_name_ignores_case(
    browser: Browser, mediator: User, creditor: User
) -> None:
    wang = case(mediator, creditor, debtor_name="王小明")
    smith = case(mediator, creditor, debtor_name="John Smith")
    case(mediator, creditor, debtor_name="刘强")
    assert ids(mediator, search="小明") == [wang.id]
    assert ids(mediator, search="smith") == [smith.id]
    # Wildcards are literal characters, not patterns.
    assert ids(mediator, search="%") == []
    assert ids(mediator, search="_") == []
    html = page(signed_in(browser, mediator), "?q=SMITH")
    assert ids_on(html) == [smith.id]
    assert 'value="SMITH"' in html


# --- sorting ----------------------------------------------------------------------------


@pytest.fixture
def three(mediator: User, creditor: User) -> dict[str, Case]:
    """Three cases whose order differs by each sort key."""
    base = datetime(2026, 3, 1, tzinfo=UTC)
    today = legal_today()

    def make(activity: int, amount: str, deadline: int | None) -> Case:
        return case(
            mediator,
            creditor,
            S.INVITED,
            last_activity_at=base + timedelta(days=activity),
            claim_total=Decimal(amount),
            next_deadline=today + timedelta(days=deadline) if deadline is not None else None,
        )

    return {"a": make(2, "500.00", 10), "b": make(3, "90000.00", None), "c": make(1, "7000.00", 3)}


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("activity", True, "bac"),
        ("activity", False, "cab"),
        ("amount", True, "bca"),
        ("amount", False, "acb"),
        ("deadline", False, "cab"),  # soonest first, no deadline last
        ("deadline", True, "acb"),  # latest first, no deadline still last
        ("reference", True, "cba"),
        ("reference", False, "abc"),
    ],
)
def test_each_sort_both_ways(
    mediator: User, three: dict[str, Case], sort: str, descending: bool, expected: str
) -> None:
    assert ids(mediator, sort=sort, descending=descending) == [three[k].id for k in expected]


_PAGER = re.compile(r'<a href="([^"]+)" rel="(next|prev)"')


def _pager(html: str) -> dict[str, str]:
    return {rel: url.replace("&amp;", "&") for url, rel in _PAGER.findall(html)}


@pytest.mark.parametrize("sort", ["activity", "amount", "deadline", "reference"])
@pytest.mark.parametrize("descending", [True, False])
def test_next_and_previous_links_page_like_page_numbers_in_every_sort(
    browser: Browser, mediator: User, creditor: User, sort: str, descending: bool
) -> None:
    # The pager's links carry a cursor (the edge row's key and id): deep pages are read
    # from the index where the last one ended. Walking them must show exactly the pages
    # the page numbers show, ties and cases without a deadline included, both ways.
    base = datetime(2026, 3, 1, tzinfo=UTC)
    states = [S.SUBMITTED, S.INVITED, S.NEGOTIATING, S.CLOSED_NOT_MEDIATED]
    for i in range(17):
        case(
            mediator,
            creditor,
            states[i % 4],
            last_activity_at=base + timedelta(hours=i % 5),
            claim_total=Decimal(f"{100 * (i % 3)}.50"),
            next_deadline=None if i % 4 == 0 else date(2026, 4, 1) + timedelta(days=i % 3),
        )
    direction = "desc" if descending else "asc"
    by_number = [
        ids(mediator, sort=sort, descending=descending, page=p, per_page=5) for p in (1, 2, 3, 4)
    ]
    assert sorted(i for p in by_number for i in p) == sorted(set(sum(by_number, [])))
    signed_in(browser, mediator)
    url = f"/docket?sort={sort}&dir={direction}&per_page=5"
    walked = []
    for _ in range(4):
        html = page(browser, url.removeprefix("/docket"))
        walked.append(ids_on(html))
        url = _pager(html).get("next", "")
    assert walked == by_number
    assert url == ""  # no page after the last
    assert "after=" in _pager(page(browser, f"?sort={sort}&dir={direction}&per_page=5"))["next"]
    back = []
    url = f"/docket?sort={sort}&dir={direction}&per_page=5&page=4"
    for _ in range(4):
        html = page(browser, url.removeprefix("/docket"))
        back.append(ids_on(html))
        url = _pager(html).get("prev", "")
    assert back == by_number[::-1]
    assert url == ""


def test_a_cursor_that_is_not_one_is_ignored(
    browser: Browser, mediator: User, three: dict[str, Case]
) -> None:
    html = page(signed_in(browser, mediator), "?per_page=1&page=2&after=nonsense_x")
    assert ids_on(html) == [three["a"].id]  # the second by activity, counted plainly
    html = page(browser, "?per_page=1&page=2&before=2026-13-01_1&sort=deadline")
    assert len(ids_on(html)) == 1


def test_ties_are_broken_by_id_so_pages_never_overlap(mediator: User, creditor: User) -> None:
    same = datetime(2026, 3, 1, tzinfo=UTC)
    made = [case(mediator, creditor, last_activity_at=same).id for _ in range(7)]
    seen = [i for p in (1, 2, 3) for i in ids(mediator, page=p, per_page=3)]
    assert seen == sorted(made, reverse=True)


@pytest.mark.parametrize("descending", [True, False])
def test_activity_order_across_states_pages_like_one_sorted_list(
    mediator: User, creditor: User, descending: bool
) -> None:
    # The activity sort reads one index across states: it must page like one list.
    base = datetime(2026, 3, 1, tzinfo=UTC)
    states = [S.SUBMITTED, S.INVITED, S.NEGOTIATING, S.CLOSED_NOT_MEDIATED]
    made = [
        case(mediator, creditor, states[i % 4], last_activity_at=base + timedelta(hours=i % 5))
        for i in range(17)
    ]
    expected = sorted(made, key=lambda c: (c.last_activity_at, c.id), reverse=descending)
    seen = [
        i for p in (1, 2, 3, 4) for i in ids(mediator, page=p, per_page=5, descending=descending)
    ]
    assert seen == [c.id for c in expected]


def test_column_headers_sort_keep_the_filters_and_mark_the_sorted_column(
    browser: Browser, mediator: User, three: dict[str, Case], creditor: User
) -> None:
    html = page(
        signed_in(browser, mediator), f"?sort=amount&dir=asc&creditor={creditor.creditor_org_id}"
    )
    assert ids_on(html) == [three[k].id for k in "acb"]
    assert html.count("aria-sort=") == 1
    header = re.search(r'aria-sort="ascending">\s*<a href="([^"]+)"', html)
    assert header, "the amount column should be marked ascending"
    toggle = header.group(1).replace("&amp;", "&")
    assert "sort=amount" in toggle and "dir=desc" in toggle
    assert f"creditor={creditor.creditor_org_id}" in toggle
    assert ids_on(page(browser, "?" + toggle.split("?", 1)[1])) == [three[k].id for k in "bca"]
    # The default view marks last activity, newest first.
    assert 'aria-sort="descending"' in page(browser)


# --- paging -----------------------------------------------------------------------------


def test_thirty_cases_make_two_pages_and_links_keep_the_filters(
    browser: Browser, mediator: User, creditor: User
) -> None:
    made = [case(mediator, creditor, S.NEGOTIATING).id for _ in range(30)]
    case(mediator, creditor, S.SUBMITTED)
    signed_in(browser, mediator)

    first = page(browser, "?state=negotiating&sort=reference&dir=asc")
    assert ids_on(first) == made[:25]
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert next_link
    url = next_link.group(1).replace("&amp;", "&")
    assert "state=negotiating" in url and "sort=reference" in url and "page=2" in url
    second = browser.get(url).get_data(as_text=True)
    assert ids_on(second) == made[25:]
    assert 'rel="next"' not in second and 'rel="prev"' in second
    # Past the last page: the last page.
    assert ids_on(page(browser, "?state=negotiating&sort=reference&dir=asc&page=9")) == made[25:]


def test_per_page_is_capped(mediator: User, creditor: User) -> None:
    assert parse_query({"per_page": "1000000"}).per_page == 100  # type: ignore[arg-type]
    assert parse_query({"per_page": "10"}).per_page == 10  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DocketQuery(per_page=101)


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=-1",
        "?page=0",
        "?page=" + "9" * 5000,
        "?sort=evil",
        "?sort=id;drop",
        "?dir=sideways",
        "?state=nope",
        "?state=draft",
        "?deadline_within=-5",
        "?deadline_within=99999999",
        "?deadline_within=１２",
        "?creditor=abc",
        "?per_page=0",
        "?per_page=x",
    ],
)
def test_bad_query_values_fall_back_to_the_defaults(
    browser: Browser, mediator: User, creditor: User, query: str
) -> None:
    made = [case(mediator, creditor).id for _ in range(3)]
    html = page(signed_in(browser, mediator), query)
    assert ids_on(html) == sorted(made, reverse=True)


def test_parse_query_keeps_good_values_next_to_bad_ones() -> None:
    q = parse_query(
        {"state": "invited", "sort": "evil", "page": "abc", "deadline_within": "7", "q": " x "}  # type: ignore[arg-type]
    )
    assert q == DocketQuery(state=S.INVITED, deadline_within_days=7, search="x")


# --- personal data ----------------------------------------------------------------------


def test_the_masked_id_is_shown_and_the_full_number_never_leaves_the_database(
    browser: Browser, mediator: User, creditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    case(mediator, creditor)  # ID 11010519491231002X, masked 110105********002X
    signed_in(browser, mediator)

    def refuse(token: str) -> str:
        raise AssertionError("the docket decrypted an ID number")

    monkeypatch.setattr(pii, "decrypt", refuse)
    html = page(browser)
    assert "110105********002X" in html
    assert "11010519491231002X" not in html


def test_names_are_escaped(browser: Browser, mediator: User, creditor: User) -> None:
    case(mediator, creditor, debtor_name="<script>alert(1)</script>")
    html = page(signed_in(browser, mediator))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- cost -------------------------------------------------------------------------------


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _queries_for(browser: Browser, statements: list[str], query: str) -> int:
    statements.clear()
    page(browser, query)
    return len(statements)


def test_the_page_costs_the_same_number_of_queries_for_5_or_50_cases(
    browser: Browser, org: MediationOrganisation, mediator: User, statements: list[str]
) -> None:
    admin = make_user(Role.ADMIN, mediation_org=org)
    creditors = [make_user(Role.CREDITOR) for _ in range(3)]
    for i in range(5):
        case(mediator, creditors[i % 3], next_deadline=date(2030, 1, 1))
    signed_in(browser, mediator)
    views = ("", "?q=刘&sort=amount", "?deadline_within=30&state=submitted&page=2")
    small = [_queries_for(browser, statements, v) for v in views]
    other = signed_in(Browser(browser.client.application.test_client()), admin)
    small_admin = _queries_for(other, statements, "")

    for i in range(45):
        case(mediator, creditors[i % 3], next_deadline=date(2030, 1, 1))
    large = [_queries_for(browser, statements, v) for v in views]

    assert small == large
    assert _queries_for(other, statements, "") == small_admin
    # Session + user, counts, (filtered total), page, creditor options, the bell's unread
    # count and the mediator's to-do list (its cases, then per kind, never per case: one of
    # them the parties' answers to upcoming sessions, app.todo.sessions).
    assert max(large) <= 11, statements


# --- open objections --------------------------------------------------------------------


def _objection(case: Case, status: str = "open", answered: bool = False) -> None:
    assert case.debtor_user_id is not None
    db.session.add(
        Objection(
            case_id=case.id,
            item="interest",
            reason="利息不对",
            raised_by_id=case.debtor_user_id,
            status=ObjectionStatus(status),
            answer="已核对" if answered else None,
        )
    )
    db.session.commit()


def _negotiating(mediator: User, creditor: User) -> Case:
    return case(mediator, creditor, S.NEGOTIATING, debtor_user_id=make_user(Role.DEBTOR).id)


def test_each_row_counts_its_open_objections_answered_or_not(
    browser: Browser, mediator: User, creditor: User
) -> None:
    busy, settled, quiet = (_negotiating(mediator, creditor) for _ in range(3))
    _objection(busy)
    _objection(busy, answered=True)  # answered but not resolved: still open
    _objection(busy, "resolved", answered=True)
    _objection(busy, "withdrawn")
    _objection(settled, "resolved", answered=True)

    rows = {r.case_id: r for r in docket(mediator, DocketQuery(), legal_today()).rows}

    assert rows[busy.id].open_objections == 2
    assert rows[settled.id].open_objections == 0
    assert rows[quiet.id].open_objections == 0
    html = page(signed_in(browser, mediator))
    badges = re.findall(r'data-open-objections="(\d+)"', html)
    assert badges == ["2"]
    row = re.search(rf'<a href="/cases/{busy.id}">.*?</tr>', html, re.S)
    assert row and 'data-open-objections="2"' in row.group(0)


def test_another_mediators_objections_are_not_counted_on_this_docket(
    org: MediationOrganisation, mediator: User, creditor: User
) -> None:
    colleague = make_user(Role.MEDIATOR, mediation_org=org)
    theirs = _negotiating(colleague, creditor)
    _objection(theirs)
    mine = _negotiating(mediator, creditor)
    (row,) = docket(mediator, DocketQuery(), legal_today()).rows
    assert row.case_id == mine.id and row.open_objections == 0


def test_open_objections_cost_no_extra_query(
    browser: Browser, mediator: User, creditor: User, statements: list[str]
) -> None:
    made = [_negotiating(mediator, creditor) for _ in range(4)]
    signed_in(browser, mediator)
    views = ("", "?sort=amount", "?state=negotiating")
    without = [_queries_for(browser, statements, v) for v in views]
    for c in made:
        _objection(c)
        _objection(c, answered=True)
    assert [_queries_for(browser, statements, v) for v in views] == without


def _counted(viewer: User, today: date) -> dict[CaseState, int]:
    """The docket's counts as COUNT over the cases would give them."""
    owner = (
        Case.mediator_id == viewer.id
        if viewer.role == Role.MEDIATOR
        else Case.mediation_org_id == viewer.mediation_org_id
    )
    found = db.session.execute(
        select(Case.state, func.count()).where(owner).group_by(Case.state)
    ).all()
    counts = dict.fromkeys(DOCKET_STATES, 0)
    counts.update({CaseState(s): n for s, n in found if s != S.DRAFT})
    return counts


def test_the_counts_follow_every_write_of_a_case_in_its_own_transaction(
    org: MediationOrganisation, mediator: User, creditor: User
) -> None:
    # The counts per state (and deadline) are kept by the database in the transaction that
    # writes the case, whoever writes it: the ORM, a bulk UPDATE, a DELETE.
    other = make_user(Role.MEDIATOR, mediation_org=org)
    admin = make_user(Role.ADMIN, mediation_org=org)
    today = legal_today()
    made = [
        case(mediator, creditor, S.INVITED, next_deadline=today + timedelta(days=i))
        for i in range(6)
    ]
    made[0].state = S.NEGOTIATING
    made[1].mediator_id = other.id
    made[2].next_deadline = None
    db.session.commit()
    db.session.execute(update(Case).where(Case.id == made[3].id).values(state=S.SUBMITTED))
    db.session.execute(delete(Case).where(Case.id == made[4].id))
    draft = case(None, creditor, S.DRAFT, org=org)
    db.session.commit()
    db.session.execute(update(Case).where(Case.id == draft.id).values(state=S.SUBMITTED))
    db.session.rollback()  # a rolled-back change leaves the counts as they were
    for viewer in (mediator, other, admin):
        result = docket(viewer, DocketQuery(), today)
        assert result.counts == _counted(viewer, today)
    assert docket(mediator, DocketQuery(), today).counts[S.INVITED] == 2
    within = docket(mediator, DocketQuery(deadline_within_days=4), today)
    assert within.total == len(ids(mediator, deadline_within_days=4, per_page=100)) == 2


def test_the_to_do_list_opens_the_plain_docket_only(
    browser: Browser, mediator: User, creditor: User
) -> None:
    # The docket is the mediator's home: its first page opens with the to-do list; a
    # search, a filter or a later page is about the docket alone (and is not slowed by it).
    made = [case(mediator, creditor, S.SUBMITTED) for _ in range(3)]
    signed_in(browser, mediator)
    assert 'id="todo"' in page(browser)
    assert 'id="todo"' in page(browser, "?sort=amount")
    for narrowed in (
        f"?q={made[0].id}",
        "?state=submitted",
        "?deadline_within=7",
        "?per_page=1&page=2",
    ):
        assert 'id="todo"' not in page(browser, narrowed), narrowed
