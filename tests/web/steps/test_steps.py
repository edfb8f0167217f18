"""The debtor's guided path (issue 12 item 3): a page per step, each reloadable, a tracker,
drafts kept for later, the confirmation before accepting binding terms, and who may see
any of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.lifecycle import today
from app.extensions import db
from app.models import AuditEvent, Case, Proposal, StepDraft
from app.models.negotiation import FinancialStatement, Objection
from app.models.users import Role, User
from app.negotiation import proposals as proposal_service
from app.negotiation.offers import Offer
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState
from app.rules.schedules import Frequency
from tests.factories import PASSWORD, make_case, make_mediation_org, make_user
from tests.helpers import Browser

STEP_NAMES = ("claim", "objections", "statement", "proposal", "sign", "perform")
STATEMENT = {
    "household_size": "2",
    "dependants": "0",
    "income_wages": "8000",
    "spend_housing": "3000",
    "spend_food": "1.5千",
}


@dataclass
class World:
    case: Case
    debtor: User
    creditor: User
    mediator: User
    colleague: User
    other_debtor: User
    other_creditor: User


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
    make_case(
        creditor=make_user(Role.CREDITOR),
        mediator=make_user(Role.MEDIATOR),
        state=CaseState.NEGOTIATING,
        debtor_user_id=other_debtor.id,
    )
    return World(
        case=case,
        debtor=debtor,
        creditor=creditor,
        mediator=mediator,
        colleague=make_user(Role.MEDIATOR, mediation_org=org),
        other_debtor=other_debtor,
        other_creditor=make_user(Role.CREDITOR),
    )


def as_user(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def page(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def step_url(case: Case, name: str) -> str:
    return f"/cases/{case.id}/steps/{name}"


def post(browser: Browser, url: str, data: dict[str, str] | None = None, **kw: Any) -> Any:
    return browser.submit(url, data or {}, page="/account/", **kw)


def count(model: type) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def creditor_offer(w: World) -> Proposal:
    offer = Offer(
        "instalments",
        Decimal("24000.00"),
        today() + timedelta(days=30),
        down_payment=Decimal("2000.00"),
        down_payment_due=today() + timedelta(days=10),
        count=11,
        frequency=Frequency.MONTHLY,
    )
    return proposal_service.submit_proposal(w.creditor, w.case, offer)


# --- the steps and the tracker ---------------------------------------------------------


@pytest.mark.parametrize("name", STEP_NAMES)
def test_every_step_is_a_page_that_reloads(app: Flask, w: World, name: str) -> None:
    browser = as_user(app, w.debtor)
    first = page(browser, step_url(w.case, name))
    assert page(browser, step_url(w.case, name)) == first  # a reload shows the same page
    assert f'data-step-page="{name}"' in first
    assert '<li class="step step-' in first and 'aria-current="step"' in first
    assert first.count('aria-current="step"') == 1
    assert f'href="/cases/{w.case.id}" id="full-case-page"' in first


def test_the_tracker_says_in_words_what_is_done_current_and_to_come(app: Flask, w: World):
    browser = as_user(app, w.debtor)
    post(browser, f"/cases/{w.case.id}/steps/claim/next")
    html = page(browser, step_url(w.case, "objections"))
    assert '<nav class="step-tracker"' in html and "<ol>" in html
    assert 'data-step="claim" data-status="done"' in html
    assert 'data-step="objections" data-status="current" aria-current="step"' in html
    assert 'data-step="statement" data-status="upcoming"' in html
    for label in (
        "已完成",
        "当前步骤",
        "待完成",
        "查看主张",
        "异议",
        "收支情况",
        "还款方案",
        "签署",
        "履行",
    ):
        assert label in html, label


def test_the_case_page_and_resume_lead_to_the_current_step(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    html = page(browser, f"/cases/{w.case.id}")
    assert f'href="/cases/{w.case.id}/steps" id="continue-steps"' in html
    response = browser.get(f"/cases/{w.case.id}/steps")
    assert response.status_code == 302 and response.headers["Location"].endswith("/steps/claim")
    assert (
        post(browser, f"/cases/{w.case.id}/steps/claim/next")
        .headers["Location"]
        .endswith("/steps/objections")
    )
    post(browser, f"/cases/{w.case.id}/steps/objections/next")
    response = browser.get(f"/cases/{w.case.id}/steps")
    assert response.headers["Location"].endswith("/steps/statement")


def test_an_unknown_step_is_not_found(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    page(browser, step_url(w.case, "pay-everything"), status=404)
    assert post(browser, f"/cases/{w.case.id}/steps/statement/next").status_code == 404


# --- objections --------------------------------------------------------------------------


def test_an_objection_refused_comes_back_to_its_step_with_what_was_typed(app: Flask, w: World):
    browser = as_user(app, w.debtor)
    url = f"/cases/{w.case.id}/steps/objections"
    response = post(browser, url, {"item": "interest", "reason": "  "}, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    html = page(browser, url, status=400)
    assert 'value="interest" checked' in html and 'id="reason-error"' in html
    assert page(browser, url).count('id="reason-error"') == 0  # shown once
    assert count(Objection) == 0
    response = post(browser, url, {"item": "interest", "reason": "利息算错了"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert count(Objection) == 1
    assert "利息算错了" in page(browser, url)


# --- the statement: the draft, the running total -------------------------------------------


def test_the_statement_draft_is_kept_after_leaving(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    url = step_url(w.case, "statement")
    typed = {"income_wages": "8000", "spend_food": "1.5千", "household_size": "", "action": "draft"}
    response = post(browser, f"/cases/{w.case.id}/steps/statement", typed)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert count(FinancialStatement) == 0
    page(browser, "/account/")  # somewhere else, then a fresh session on another device
    again = as_user(app, w.debtor)
    html = page(again, url)
    assert 'id="draft-restored"' in html
    assert 'name="income_wages" value="8000"' in html and 'value="1.5千"' in html
    # the running total, computed by the server for what was kept
    assert 'data-total="income">¥8,000.00' in html
    assert 'data-total="spending">¥1,500.00' in html
    assert 'data-total="left">¥6,500.00' in html
    assert "js/running-total.js" in html


def test_a_draft_is_the_debtors_own(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    post(
        browser,
        f"/cases/{w.case.id}/steps/statement",
        {"income_wages": "86421.37", "action": "draft"},
    )
    html = page(as_user(app, w.mediator), f"/cases/{w.case.id}")
    assert "86421" not in html and "86,421" not in html
    (row,) = db.session.scalars(select(StepDraft)).all()
    assert (row.user_id, row.case_id, row.kind) == (w.debtor.id, w.case.id, "statement")


def test_sending_the_statement_drops_the_draft_and_moves_on(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    post(browser, f"/cases/{w.case.id}/steps/statement", {**STATEMENT, "action": "draft"})
    response = post(
        browser, f"/cases/{w.case.id}/steps/statement", {**STATEMENT, "action": "submit"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(step_url(w.case, "proposal"))
    (row,) = db.session.scalars(select(FinancialStatement)).all()
    assert row.income["wages"] == "8000.00" and row.spending["food"] == "1500.00"
    assert count(StepDraft) == 0
    html = page(browser, step_url(w.case, "statement"))
    assert 'id="draft-restored"' not in html
    assert 'data-total="left">¥3,500.00' in html  # the statement sent, prefilled


def test_a_refused_statement_keeps_the_figures_and_says_why(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    url = step_url(w.case, "statement")
    bad = {**STATEMENT, "spend_food": "-5", "action": "submit"}
    response = post(browser, f"/cases/{w.case.id}/steps/statement", bad, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    html = page(browser, url, status=400)
    assert 'id="statement-errors"' in html and 'value="-5"' in html
    assert count(FinancialStatement) == 0
    assert page(browser, url).count('id="statement-errors"') == 0  # a reload: fresh


# --- the proposal: the draft, the offer, the confirmation -----------------------------------


def test_the_proposal_draft_is_kept_and_sending_drops_it(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    url = step_url(w.case, "proposal")
    first_due = (today() + timedelta(days=20)).isoformat()
    typed = {"kind": "instalments", "total": "2万", "count": "10", "frequency": "monthly"}
    post(browser, f"/cases/{w.case.id}/steps/proposal", {**typed, "action": "draft"})
    html = page(as_user(app, w.debtor), url)
    assert 'id="draft-restored"' in html and 'value="2万"' in html and 'value="10"' in html
    assert count(Proposal) == 0
    refused = post(browser, f"/cases/{w.case.id}/steps/proposal", {**typed, "action": "send"})
    assert refused.status_code == 400  # no first date: the form again, the draft kept
    assert 'value="2万"' in refused.get_data(as_text=True)
    sent = {**typed, "first_due": first_due, "action": "send"}
    response = post(browser, f"/cases/{w.case.id}/steps/proposal", sent)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    (proposal,) = db.session.scalars(select(Proposal)).all()
    assert proposal.total == Decimal("20000.00") and proposal.instalment_count == 10
    assert count(StepDraft) == 0
    assert 'data-waiting="' in page(browser, url)


def test_accepting_needs_the_confirmation_with_the_summary(app: Flask, w: World) -> None:
    proposal = creditor_offer(w)
    browser = as_user(app, w.debtor)
    html = page(browser, step_url(w.case, "proposal"))
    confirm = f"/cases/{w.case.id}/proposals/{proposal.id}/accept"
    assert f'href="{confirm}?back=steps"' in html
    events = count(AuditEvent)
    # one tap (the case page's button, or a forged post): nothing binds, the summary shows
    response = post(browser, confirm, {}, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(confirm)
    html = page(browser, confirm)
    assert 'id="confirm-notice"' in html
    assert 'data-summary="total">¥24,000.00' in html
    assert "¥2,000.00" in html  # the first payment: the down payment
    assert (today() + timedelta(days=10)).isoformat() in html
    assert 'data-summary="payments">12<' in html
    assert 'data-summary="account"' in html
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).state == ProposalState.OPEN
    assert count(AuditEvent) == events
    # the confirmation page reloads
    assert page(browser, confirm) == page(browser, confirm).replace("x", "x")
    response = post(browser, confirm, {"confirmed": "yes", "back": "steps"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{w.case.id}/steps")
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).state == ProposalState.ACCEPTED
    assert db.session.get(Case, w.case.id).state == CaseState.AGREEMENT_DRAFTING
    assert browser.get(f"/cases/{w.case.id}/steps").headers["Location"].endswith("/steps/sign")


def test_the_debtor_cannot_confirm_their_own_proposal(app: Flask, w: World) -> None:
    browser = as_user(app, w.debtor)
    first_due = (today() + timedelta(days=20)).isoformat()
    sent = {"kind": "lump_sum", "total": "20000", "due_date": first_due, "action": "send"}
    post(browser, f"/cases/{w.case.id}/steps/proposal", sent)
    (proposal,) = db.session.scalars(select(Proposal)).all()
    confirm = f"/cases/{w.case.id}/proposals/{proposal.id}/accept"
    assert browser.get(confirm).status_code == 403
    assert post(browser, confirm, {"confirmed": "yes"}).status_code == 403


# --- who may see the steps -------------------------------------------------------------------


def routes(case: Case) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/cases/{case.id}/steps"
    gets = [("GET", base, {})] + [("GET", f"{base}/{n}", {}) for n in STEP_NAMES]
    return gets + [
        ("POST", f"{base}/claim/next", {}),
        ("POST", f"{base}/objections/next", {}),
        ("POST", f"{base}/objections", {"item": "interest", "reason": "不对"}),
        ("POST", f"{base}/statement", {**STATEMENT, "action": "draft"}),
        ("POST", f"{base}/statement", {**STATEMENT, "action": "submit"}),
        ("POST", f"{base}/proposal", {"total": "1", "action": "draft"}),
    ]


@pytest.mark.parametrize(
    "who", ["other_debtor", "creditor", "other_creditor", "mediator", "colleague"]
)
def test_nobody_but_the_cases_debtor_reaches_a_step(app: Flask, w: World, who: str) -> None:
    browser = as_user(app, getattr(w, who))
    before = (count(StepDraft), count(AuditEvent), count(Objection), count(FinancialStatement))
    for method, url, data in routes(w.case):
        if method == "GET":
            status = browser.get(url).status_code
        else:
            status = post(browser, url, data).status_code
        assert status in (403, 404), (who, method, url, status)
    after = (count(StepDraft), count(AuditEvent), count(Objection), count(FinancialStatement))
    assert after == before


def test_the_confirmation_page_is_refused_to_others(app: Flask, w: World) -> None:
    proposal = creditor_offer(w)
    confirm = f"/cases/{w.case.id}/proposals/{proposal.id}/accept"
    for who in ("other_debtor", "other_creditor", "colleague"):
        browser = as_user(app, getattr(w, who))
        assert browser.get(confirm).status_code in (403, 404), who
        assert post(browser, confirm, {"confirmed": "yes"}).status_code in (403, 404), who
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).state == ProposalState.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(app: Flask, w: World) -> None:
    browser = Browser(app.test_client())
    for method, url, _data in routes(w.case):
        if method == "GET":
            response = browser.get(url)
            assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_steps_stay_closed_before_the_debtor_joins(app: Flask, w: World) -> None:
    w.case.state = CaseState.INVITED
    db.session.flush()
    browser = as_user(app, w.debtor)
    assert browser.get(step_url(w.case, "claim")).status_code in (403, 404)


@pytest.mark.parametrize(
    ("state", "current"),
    [
        (CaseState.AGREEMENT_DRAFTING, "sign"),
        (CaseState.SIGNING, "sign"),
        (CaseState.IN_FORCE, "perform"),
        (CaseState.CONFIRMED, "perform"),
        (CaseState.PERFORMED, "perform"),
    ],
)
def test_later_in_the_case_every_step_still_reloads(
    app: Flask, w: World, state: CaseState, current: str
) -> None:
    w.case.state = state
    db.session.flush()
    browser = as_user(app, w.debtor)
    response = browser.get(f"/cases/{w.case.id}/steps")
    assert response.headers["Location"].endswith(f"/steps/{current}")
    for name in STEP_NAMES:
        html = page(browser, step_url(w.case, name))
        assert f'data-step="{current}" data-status="current"' in html
        assert 'id="save-for-later"' not in html  # nothing to type once terms are agreed
    before = count(StepDraft)
    assert post(browser, f"/cases/{w.case.id}/steps/statement", STATEMENT).status_code == 404
    assert count(StepDraft) == before


def test_the_sign_step_asks_for_the_id_copy_until_both_sides_are_given(
    app: Flask, w: World
) -> None:
    """The court checks the debtor's ID copy (法释〔2011〕5号 Art. 3)."""
    import io

    from app.cases.papers import record_identity_copy

    w.case.state = CaseState.AGREEMENT_DRAFTING
    db.session.commit()
    browser = as_user(app, w.debtor)
    html = page(browser, step_url(w.case, "sign"))
    assert "data-id-copy-ask" in html and f"/cases/{w.case.id}#identity-copy" in html
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    for side in ("front", "back"):
        record_identity_copy(w.debtor, w.case, side, io.BytesIO(png + side.encode()), "id.png")
    assert "data-id-copy-ask" not in page(browser, step_url(w.case, "sign"))
