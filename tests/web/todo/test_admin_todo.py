"""The admin's to-do list: unassigned cases and passed deadlines of their organisation,
and each mediator's open cases; another organisation's admin sees none of it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.cases.lifecycle import reassign_case
from app.core import clock
from app.extensions import db
from app.models.users import Role
from app.rules.cases import CaseState
from app.todo.common import MAX_CASES
from tests.agreement_support import people
from tests.factories import make_case, make_user
from tests.todo_support import EMPTY, home_page, kinds, of_kind
from tests.todo_support import todo_of as items_of


def test_an_unassigned_case_until_a_mediator_is_given(app: Flask) -> None:
    who = people()
    foreign_admin = make_user(Role.ADMIN, mediation_org=who["foreign_mediator"].mediation_org)
    case = make_case(creditor=who["creditor"], mediation_org_id=who["admin"].mediation_org_id)
    item = of_kind(items_of(app, who["admin"]), "unassigned", case)
    assert item.url == f"/cases/{case.id}#parties"
    assert case.reference in item.text
    assert items_of(app, foreign_admin) == []
    assert EMPTY in home_page(app, foreign_admin)
    reassign_case(who["admin"], case, who["mediator"])
    assert kinds(items_of(app, who["admin"]), case) == []


def test_a_passed_deadline_and_the_workload(app: Flask) -> None:
    who = people()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        next_deadline=clock.today() - timedelta(days=2),
    )
    make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        next_deadline=clock.today() + timedelta(days=2),  # not passed: not the admin's
    )
    item = of_kind(items_of(app, who["admin"]), "overdue", case)
    assert item.url == f"/cases/{case.id}"
    assert who["mediator"].name in item.text
    page = home_page(app, who["admin"])
    assert "各调解员的在办案件" in page
    row = page[page.index(f"<td>{who['mediator'].name}") :]
    assert '<td class="num" data-label="在办案件">2</td>' in row[: row.index("</tr>")]
    assert who["foreign_mediator"].name not in page
    case.state = CaseState.AGREEMENT_DRAFTING
    case.next_deadline = clock.today() + timedelta(days=10)
    db.session.commit()
    assert kinds(items_of(app, who["admin"]), case) == []


def test_the_lists_show_the_oldest_at_most_and_the_workload_counts_every_open_case(
    app: Flask,
) -> None:
    """A large organisation: the passed deadlines and the unassigned cases are each cut to
    the MAX_CASES longest waiting (the docket lists all); the workload still counts every
    open case, closed ones not."""
    who = people()
    today = clock.today()
    overdue = [
        make_case(
            creditor=who["creditor"],
            mediator=who["mediator"],
            state=CaseState.NEGOTIATING,
            next_deadline=today - timedelta(days=100 - n),
        )
        for n in range(MAX_CASES + 5)
    ]
    make_case(
        creditor=who["creditor"], mediator=who["mediator"], state=CaseState.CLOSED_NOT_MEDIATED
    )
    unassigned = [
        make_case(creditor=who["creditor"], mediation_org_id=who["admin"].mediation_org_id)
        for _ in range(MAX_CASES + 3)
    ]
    items = items_of(app, who["admin"])
    shown = [i.reference for i in items if i.kind == "overdue"]
    assert set(shown) == {c.reference for c in overdue[:MAX_CASES]}
    waiting = {i.reference for i in items if i.kind == "unassigned"}
    assert waiting == {c.reference for c in unassigned[:MAX_CASES]}
    page = home_page(app, who["admin"])
    row = page[page.index(f"<td>{who['mediator'].name}") :]
    expected = f'<td class="num" data-label="在办案件">{MAX_CASES + 5}</td>'
    assert expected in row[: row.index("</tr>")]
    note = page[page.index("data-todo-cut") :]
    assert 'href="/docket"' in note[: note.index("</p>")]
