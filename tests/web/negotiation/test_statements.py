"""The income-and-spending statement (issue 4): the debtor fills it in and sees what they
can afford; the mediator always sees it; the creditor only with the debtor's consent —
proved on every view that shows it — and the consent is recorded and withdrawable."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEvent, Case, Consent
from app.models.negotiation import FinancialStatement
from app.models.users import Role, User
from app.negotiation import statements as statement_service
from app.rules.affordability import assess
from app.rules.cases import CaseState
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

# Income 8,000; essential spending 6,150: ¥1,850 left, an affordable plan of ¥925–¥1,480.
GOOD = {
    "household_size": "3",
    "dependants": "1",
    "income_wages": "8000",
    "spend_housing": "3000",
    "spend_food": "2000",
    "spend_utilities": "500",
    "spend_transport": "300",
    "spend_health": "350",
    "savings": "5,000",
    "assets": "60000.00",
}
# What must never reach a creditor without consent (figures as the pages print them).
FIGURES = ("1,850", "1,480", "925.00", "8,000.00", "6,150.00", "60,000.00", "5,000.00")


@dataclass
class World:
    case: Case
    debtor: User
    creditor: User
    creditor_colleague: User
    mediator: User
    colleague: User
    admin: User
    other_debtor: User
    other_creditor: User
    other_mediator: User


@pytest.fixture
def w(app: Flask) -> World:
    org = make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR)
    case = make_case(
        creditor=creditor, mediator=mediator, state=CaseState.NEGOTIATING, debtor_user_id=debtor.id
    )
    other_debtor = make_user(Role.DEBTOR)
    other_creditor = make_user(Role.CREDITOR)
    other_mediator = make_user(Role.MEDIATOR)
    make_case(
        creditor=other_creditor,
        mediator=other_mediator,
        state=CaseState.NEGOTIATING,
        debtor_user_id=other_debtor.id,
    )
    return World(
        case=case,
        debtor=debtor,
        creditor=creditor,
        creditor_colleague=make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id),
        mediator=mediator,
        colleague=make_user(Role.MEDIATOR, mediation_org=org),
        admin=make_user(Role.ADMIN, mediation_org=org),
        other_debtor=other_debtor,
        other_creditor=other_creditor,
        other_mediator=other_mediator,
    )


def as_user(app: Flask, user: User | None, locale: str | None = None) -> Browser:
    browser = Browser(app.test_client())
    if user is not None:
        assert browser.login(user.email, PASSWORD).status_code == 302
    if locale:
        browser.submit("/account/language", {"locale": locale, "next": "/"}, page="/")
    return browser


def html_of(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def submit(browser: Browser, case: Case, share: bool = False, **changes: str) -> Any:
    data = {**GOOD, **changes}
    if share:
        data["share"] = "yes"
    url = f"/cases/{case.id}/statement/edit"
    return browser.submit(url, data, page=url)


def statements() -> list[FinancialStatement]:
    db.session.expire_all()
    return list(db.session.scalars(select(FinancialStatement).order_by(FinancialStatement.id)))


def consents() -> list[Consent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Consent).where(Consent.kind == "share_statement").order_by(Consent.id)
        )
    )


def case_actions(case: Case) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
        )
    )


def snapshot() -> tuple[Any, ...]:
    db.session.expire_all()
    return (
        [(s.id, s.shared_with_creditor) for s in statements()],
        [(c.id, c.withdrawn_at) for c in consents()],
        db.session.scalar(select(func.count()).where(AuditEvent.case_id.is_not(None))),
    )


def assert_no_figures(html: str) -> None:
    for figure in FIGURES:
        assert figure not in html, figure
    assert 'data-field="explanation"' not in html
    assert 'data-field="disposable"' not in html


def assert_figures(html: str) -> None:
    assert 'data-field="disposable"' in html and "¥1,850.00" in html
    assert "¥925.00" in html and "¥1,480.00" in html
    assert 'data-field="explanation"' in html


def expected() -> Any:
    return statement_service.assessment(statements()[-1])


# --- the debtor -------------------------------------------------------------------------


def test_without_a_statement_the_debtor_is_asked_to_fill_one_in(app: Flask, w: World) -> None:
    html = html_of(as_user(app, w.debtor), f"/cases/{w.case.id}")
    assert 'data-statement="missing"' in html
    assert f'href="/cases/{w.case.id}/statement/edit" id="statement-start"' in html


def test_the_debtor_submits_and_sees_what_they_can_afford(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    assert html_of(browser, f"/cases/{w.case.id}/statement/edit").count('type="checkbox"') == 1

    response = submit(browser, w.case)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{w.case.id}#statement")
    (row,) = statements()
    assert (row.household_size, row.dependants) == (3, 1)
    assert row.income["wages"] == "8000.00" and row.spending["health"] == "350.00"
    assert row.spending["childcare"] == "0.00"
    assert (row.savings, row.assets) == (Decimal("5000.00"), Decimal("60000.00"))
    assert row.shared_with_creditor is False and row.user_id == w.debtor.id
    assert consents() == []
    assert case_actions(w.case)[-1] == "case:statement:submit"
    a = expected()
    assert (a.disposable, a.band_low, a.band_high) == (
        Decimal("1850.00"),
        Decimal("925.00"),
        Decimal("1480.00"),
    )
    html = html_of(browser, f"/cases/{w.case.id}")
    assert_figures(html)
    assert a.explanation_zh in html
    assert 'data-statement="missing"' not in html


def test_the_explanation_follows_the_language(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor, locale="en")
    submit(browser, w.case)
    html = html_of(browser, f"/cases/{w.case.id}")
    assert (
        "After your essential spending you have ¥1,850 a month; a plan of up to ¥1,480 a month "
        "leaves room for the unexpected." in html
    )
    assert expected().explanation_zh not in html


def test_spending_above_income_shows_no_band_and_says_so_calmly(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor, locale="en")
    submit(browser, w.case, spend_other_debts="3000")
    html = html_of(browser, f"/cases/{w.case.id}")
    assert 'data-field="band"' not in html
    assert "-¥1,150.00" in html
    assert "no room for repayments right now" in html


def test_a_new_statement_is_a_new_row_and_the_newest_counts(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    submit(browser, w.case)
    submit(browser, w.case, income_wages="9000")
    assert len(statements()) == 2
    html = html_of(browser, f"/cases/{w.case.id}")
    assert "¥2,850.00" in html and "¥1,850.00" not in html


def test_the_form_comes_back_filled_in_with_the_newest_statement(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    submit(browser, w.case, share=True)
    html = html_of(browser, f"/cases/{w.case.id}/statement/edit")
    assert 'name="income_wages" value="8000.00"' in html
    assert 'name="household_size" value="3"' in html
    assert 'name="spend_childcare" value=""' in html  # zero lines stay empty
    assert 'name="share" value="yes" checked' in html


def test_the_statement_page_shows_the_breakdown_to_the_debtor(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    submit(browser, w.case)
    html = html_of(browser, f"/cases/{w.case.id}/statement")
    assert_figures(html)
    assert "¥3,000.00" in html and "¥6,150.00" in html


def test_without_a_statement_the_page_leads_the_debtor_to_the_form(app: Flask, w: World) -> None:
    response = as_user(app, w.debtor).get(f"/cases/{w.case.id}/statement")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{w.case.id}/statement/edit")


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"income_wages": "-100"}, "income_wages"),
        ({"spend_food": "-0.01"}, "spend_food"),
        ({"savings": "abc"}, "savings"),
        ({"spend_housing": "1e3"}, "spend_housing"),
        ({"income_pension": "１２，００"}, "income_pension"),  # ambiguous: 1200 or 12.00?
        ({"assets": "1.234"}, "assets"),
        ({"income_other": "99999999999"}, "income_other"),
        ({"household_size": ""}, "household_size"),
        ({"household_size": "0"}, "household_size"),
        ({"household_size": "21"}, "household_size"),
        ({"household_size": "two"}, "household_size"),
        ({"dependants": "3"}, "dependants"),  # as many as the household, which counts the debtor
        ({"dependants": "4"}, "dependants"),
        ({"dependants": "-1"}, "dependants"),
    ],
)
def test_bad_input_is_refused_with_the_typed_values_and_nothing_saved(
    app: Flask, w: World, changes: dict[str, str], field: str
) -> None:
    browser = as_user(app, w.debtor, locale="en")
    before = snapshot()
    response = submit(browser, w.case, share=True, **changes)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert 'id="statement-errors"' in html
    for name, value in changes.items():
        assert f'name="{name}" value="{value}"' in html
    if changes[field].startswith("-"):
        assert "without a minus sign" in html
    assert 'name="share" value="yes" checked' in html
    assert snapshot() == before


# --- consent ----------------------------------------------------------------------------


def test_sharing_records_the_consent_and_the_creditor_then_sees_it(app: Flask, w: World) -> None:
    submit(as_user(app, w.debtor), w.case, share=True)

    (consent,) = consents()
    assert consent.user_id == w.debtor.id and consent.case_id == w.case.id
    assert consent.text_version == "2026-11" and consent.text == statement_service.SHARE_TEXT_ZH
    assert consent.withdrawn_at is None
    assert case_actions(w.case)[-2:] == ["case:statement:submit", "case:consent:give"]
    for creditor in (w.creditor, w.creditor_colleague):
        browser = as_user(app, creditor)
        assert_figures(html_of(browser, f"/cases/{w.case.id}"))
        page = html_of(browser, f"/cases/{w.case.id}/statement")
        assert_figures(page)
        # The creditor reads the facts in the third person, not the words meant for the debtor.
        assert expected().explanation_zh not in page


def test_sharing_again_keeps_the_one_consent_in_force(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    submit(browser, w.case, share=True)
    submit(browser, w.case, share=True, income_wages="9000")
    assert len(consents()) == 1
    assert case_actions(w.case).count("case:consent:give") == 1


def test_unticking_on_a_later_statement_withdraws_the_consent(app: Flask, w: World) -> None:
    debtor = as_user(app, w.debtor)
    submit(debtor, w.case, share=True)
    submit(debtor, w.case, share=False, income_wages="9000")

    (consent,) = consents()
    assert consent.withdrawn_at is not None
    assert case_actions(w.case)[-1] == "case:consent:withdraw"
    creditor = as_user(app, w.creditor)
    html = html_of(creditor, f"/cases/{w.case.id}")
    assert_no_figures(html)
    assert "2,850" not in html
    assert 'data-statement="withheld"' in html
    html_of(creditor, f"/cases/{w.case.id}/statement", status=404)
    # Sharing again later is a new consent, with its own date.
    submit(debtor, w.case, share=True)
    assert [c.withdrawn_at is None for c in consents()] == [False, True]


def test_without_consent_the_creditor_sees_neither_figures_nor_explanation(
    app: Flask, w: World
) -> None:
    submit(as_user(app, w.debtor), w.case, share=False)
    for creditor in (w.creditor, w.creditor_colleague):
        browser = as_user(app, creditor)
        html = html_of(browser, f"/cases/{w.case.id}")
        assert_no_figures(html)
        assert expected().explanation_zh not in html
        assert 'data-statement="withheld"' in html
        page = browser.get(f"/cases/{w.case.id}/statement")
        assert page.status_code == 404
        assert_no_figures(page.get_data(as_text=True))
        assert browser.get(f"/cases/{w.case.id}/statement/edit").status_code == 403


def test_the_creditor_cannot_tell_a_withheld_statement_from_none(app: Flask, w: World) -> None:
    browser = as_user(app, w.creditor)
    before = html_of(browser, f"/cases/{w.case.id}").split('id="statement"', 1)[1]
    submit(as_user(app, w.debtor), w.case, share=False)
    after = html_of(browser, f"/cases/{w.case.id}").split('id="statement"', 1)[1]
    assert before.split("</section>", 1)[0] == after.split("</section>", 1)[0]


# --- the mediator and everyone else -----------------------------------------------------


def test_the_mediator_always_sees_the_statement(app: Flask, w: World) -> None:
    browser = as_user(app, w.mediator)
    assert 'data-statement="withheld"' in html_of(browser, f"/cases/{w.case.id}")
    html_of(browser, f"/cases/{w.case.id}/statement")  # "none yet", not an error
    submit(as_user(app, w.debtor), w.case, share=False)
    assert_figures(html_of(browser, f"/cases/{w.case.id}"))
    page = html_of(browser, f"/cases/{w.case.id}/statement")
    assert_figures(page)
    assert "¥60,000.00" in page


def test_the_organisation_admin_sees_no_statement(app: Flask, w: World) -> None:
    submit(as_user(app, w.debtor), w.case, share=True)
    browser = as_user(app, w.admin)
    html = html_of(browser, f"/cases/{w.case.id}")
    assert 'id="statement"' not in html
    assert_no_figures(html)
    assert browser.get(f"/cases/{w.case.id}/statement").status_code == 403


OUTSIDERS = ["other_debtor", "other_creditor", "other_mediator", "colleague", None]


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_read_the_statement(
    app: Flask, w: World, who: str | None, shared: bool
) -> None:
    submit(as_user(app, w.debtor), w.case, share=shared)
    browser = as_user(app, getattr(w, who) if who else None)
    for url in (f"/cases/{w.case.id}/statement", f"/cases/{w.case.id}/statement/edit"):
        response = browser.get(url)
        if who is None:
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/login")
        else:
            assert response.status_code in (403, 404), url
        assert_no_figures(response.get_data(as_text=True))


@pytest.mark.parametrize("who", [*OUTSIDERS, "creditor", "mediator", "admin"])
def test_only_the_debtor_can_submit_and_refused_posts_change_nothing(
    app: Flask, w: World, who: str | None
) -> None:
    browser = as_user(app, getattr(w, who) if who else None)
    before = snapshot()
    data = {**GOOD, "share": "yes"}
    response = browser.submit(
        f"/cases/{w.case.id}/statement/edit", data, page="/login" if who is None else "/account/"
    )
    assert response.status_code in ((302,) if who is None else (403, 404))
    if who is None:
        assert response.headers["Location"].startswith("/login")
    assert snapshot() == before


def test_no_new_statement_once_negotiation_is_over_but_the_last_one_stays(
    app: Flask, w: World
) -> None:
    debtor = as_user(app, w.debtor)
    submit(debtor, w.case)
    db.session.refresh(w.case)  # the request moved its version on
    w.case.state = CaseState.AGREEMENT_DRAFTING
    db.session.commit()
    before = snapshot()
    assert submit(debtor, w.case, income_wages="1").status_code == 404
    assert snapshot() == before
    html = html_of(debtor, f"/cases/{w.case.id}")
    assert_figures(html)
    assert "/statement/edit" not in html
    assert_figures(html_of(debtor, f"/cases/{w.case.id}/statement"))


def test_the_assessment_is_the_domains(app: Flask, w: World) -> None:
    submit(as_user(app, w.debtor), w.case)
    row = statements()[-1]
    assert statement_service.assessment(row) == assess(statement_service.as_domain(row))


@pytest.mark.commits
def test_a_change_to_the_case_at_the_same_moment_saves_nothing(
    app: Flask, w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = statement_service.submit_statement

    def racing(actor: User, case: Case, statement: Any, share: bool) -> Any:
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE cases SET version = version + 1 WHERE id = :id"), {"id": case.id}
            )
        return real(actor, case, statement, share)

    monkeypatch.setattr(statement_service, "submit_statement", racing)
    browser = as_user(app, w.debtor)
    before = snapshot()
    response = submit(browser, w.case, share=True)
    assert response.status_code == 409
    assert 'name="income_wages" value="8000"' in response.get_data(as_text=True)
    assert snapshot() == before
