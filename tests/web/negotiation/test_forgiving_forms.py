"""Forms that forgive phone users: an amount typed on a Chinese keyboard is read the way
its writer meant it (``app.rules.money.parse_money``), and a form that comes back names
every field at fault at its top, each a link to the field (templates/_forms.html)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Proposal
from app.models.negotiation import FinancialStatement
from app.models.users import Role
from app.rules.cases import CaseState
from tests.factories import make_case, make_mediation_org, make_user
from tests.web.negotiation.test_proposals import _as, _instalments, _post

SUMMARY = re.compile(r'<div class="error-summary"[^>]*data-error-summary.*?</div>', re.S)


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """A case in negotiation and its debtor."""
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=make_user(Role.CREDITOR),
        mediator=make_user(Role.MEDIATOR, mediation_org=make_mediation_org()),
        state=CaseState.NEGOTIATING,
        debtor_user_id=debtor.id,
    )
    return {"people": {"the_debtor": debtor}, "case": case}


def _summary_links(html: str) -> list[tuple[str, str]]:
    """The summary's links: (the field's id, the text), in order."""
    match = SUMMARY.search(html)
    assert match, "no error summary on the page"
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', match.group(0), re.S)
    return [(target, " ".join(re.sub(r"<[^>]+>", " ", text).split())) for target, text in links]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1.2万", "12000.00"),
        ("１２０００", "12000.00"),
        ("￥12,000.50", "12000.50"),
        (" 1.2 万元 ", "12000.00"),
    ],
)
def test_a_proposal_typed_on_a_chinese_keyboard_is_stored_as_meant(
    app: Flask, world: dict[str, Any], typed: str, stored: str
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["the_debtor"])
    response = _post(browser, f"/cases/{case.id}/proposals/new", _instalments(total=typed))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    proposal = db.session.scalar(select(Proposal).where(Proposal.case_id == case.id))
    assert proposal is not None
    assert proposal.total == Decimal(stored) and str(proposal.total) == stored


def test_the_error_summary_lists_and_links_every_field_at_fault(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["the_debtor"], english=True)
    form = _instalments(total="12,00", count="0", down_payment="1万万")
    response = _post(browser, f"/cases/{case.id}/proposals/new", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    links = _summary_links(html)
    assert [target for target, _text in links] == [
        "proposal-total",
        "proposal-down_payment",
        "proposal-count",
    ]
    assert links[0][1].startswith("Total to be paid (yuan) This amount can be read more")
    assert "Use at most one unit, at the end" in links[1][1]
    assert "Choose between 1 and" in links[2][1]
    for target, _text in links:  # each link leads to a field on the page, marked invalid
        assert re.search(rf'<input id="{target}"[^>]*aria-invalid="true"', html), target
    # The summary comes before the form's fields, and the script that focuses it is ours.
    assert html.index("data-error-summary") < html.index('id="proposal-total"')
    assert '<script src="/static/js/forms.js" defer></script>' in html
    assert 'value="12,00"' in html and 'value="1万万"' in html  # what was typed comes back
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0


def test_the_statement_reads_chinese_keyboard_amounts_and_summarises_mistakes(
    app: Flask, world: dict[str, Any]
) -> None:
    case = world["case"]
    browser = _as(app, world["people"]["the_debtor"])
    url = f"/cases/{case.id}/statement/edit"
    bad = {"household_size": "2", "income_wages": "０.８万", "spend_food": "-300"}
    response = browser.submit(url, bad, page=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert [t for t, _text in _summary_links(html)] == ["spend_food"]
    assert db.session.scalar(select(func.count()).select_from(FinancialStatement)) == 0
    good = {"household_size": "2", "income_wages": "０.８万", "spend_food": "1.5千"}
    assert browser.submit(url, good, page=url).status_code == 302
    statement = db.session.scalar(select(FinancialStatement))
    assert statement is not None
    assert Decimal(str(statement.income["wages"])) == Decimal("8000")
    assert Decimal(str(statement.spending["food"])) == Decimal("1500")
