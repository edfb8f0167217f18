"""The docket shows the deadline to apply for enforcement (CPL Art. 250) on each confirmed
case still owed, and nothing of the kind on an agreement the court did not confirm."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from app.core import clock
from app.core.format import local_date
from app.enforcement.reminders import enforcement_last_day, watch_enforcement_deadlines
from app.extensions import db
from app.models.users import User
from tests.enforcement_support import breached_case
from tests.factories import PASSWORD
from tests.helpers import Browser


def _docket(app: Flask, user: User) -> str:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    response = browser.get("/docket")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("breach", [True, False])
def test_a_confirmed_case_shows_its_enforcement_deadline(
    app: Flask, frozen_clock: Any, breach: bool
) -> None:
    who, case, _ = breached_case(frozen_clock, breach=breach)
    watch_enforcement_deadlines()
    last_day = enforcement_last_day(case, clock.today())
    assert last_day is not None and case.next_deadline == last_day
    html = _docket(app, who["mediator"])
    assert 'data-repayment="enforcement-deadline"' in html
    with app.test_request_context():
        assert f"申请执行截止 {local_date(last_day)}" in html
    assert last_day.isoformat() in html  # the deadline column


def test_an_agreement_not_confirmed_shows_no_enforcement_deadline(
    app: Flask, frozen_clock: Any
) -> None:
    who, _case, _ = breached_case(frozen_clock, confirmed=False)
    watch_enforcement_deadlines()
    assert 'data-repayment="enforcement-deadline"' not in _docket(app, who["mediator"])


def test_the_deadlines_of_a_page_cost_the_same_statements_for_one_or_three_cases(
    app: Flask, frozen_clock: Any
) -> None:
    """The confirming rulings of the page's cases are read at once, not one per case."""
    who, _case, _ = breached_case(frozen_clock)
    browser = Browser(app.test_client())
    assert browser.login(who["mediator"].email, PASSWORD).status_code == 302
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    def statements() -> int:
        seen.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            html = browser.get("/docket").get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return html.count('data-repayment="enforcement-deadline"'), len(seen)

    one = statements()
    for _ in range(2):
        breached_case(frozen_clock, who=who)
    three = statements()
    assert (one[0], three[0]) == (1, 3)
    assert three[1] == one[1], (one, three)
