"""The negotiation journey end to end, in a real Chromium and in English.

A case is in negotiation (made with the factories: a bank's claim of ¥31,800 with its
creditor, its mediator and the joined debtor). The debtor, on a phone, fills in the
income-and-spending statement, shares it with the creditor and proposes 12 monthly
instalments; the creditor answers with 10; the mediator writes privately to each side;
the debtor reads the mediator's message (and nothing of the creditor's caucus) and
accepts the creditor's terms. The case is then ready for the agreement, on every page
and in the database, and the audit chain is whole.

Screenshots go to ``tests/artifacts/negotiation-*.png``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.cases.lifecycle import today
from app.extensions import db
from app.models.cases import Case
from app.models.negotiation import Proposal
from app.models.users import Role
from app.rules.cases import CaseState
from app.rules.proposals import ProposalState, Side
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import make_case, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

# The journey's browser helpers (English on a new context, steps that fail with the
# page's error text, the console watch), shared with the case journey.
from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    heading,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)

pytestmark = pytest.mark.browser

STATEMENT = {
    "People in your household, including you": "3",
    "Of them, people who depend on you": "1",
    "Wages or salary, after tax": "9000",
    "Housing: rent, mortgage, property fees": "2500",
    "Food and household goods": "2000",
    "Utilities: water, power, gas, phone, internet": "400",
    "Transport": "300",
    "Childcare and schooling": "800",
    "Health and medicine": "200",
    "Payments on other debts": "0",
    "Savings and cash you could use": "5000",
}
# 9,000 in, 6,200 of essential spending: 2,800 left; the band is 50-80% of it.
LEFT = "¥2,800.00"
BAND = "¥1,400.00 to ¥2,240.00 a month"
EXPLANATION = (
    "After your essential spending you have ¥2,800 a month; a plan of up to ¥2,240 a month "
    "leaves room for the unexpected."
)
DEBTOR_TOTAL, DEBTOR_COUNT = Decimal("28000.00"), 12
CREDITOR_TOTAL, CREDITOR_COUNT = Decimal("30000.00"), 10
TO_DEBTOR = "Ms Liu, the bank may accept a shorter plan; can you manage about ¥3,000 a month?"
TO_CREDITOR = "The debtor has a household of three and ¥2,800 left each month; please consider it."
MONEY = re.compile(r"^-?¥[\d,]+\.\d{2}$")


def thread_tab(messages: Any, name: str) -> Any:
    """Open a thread's tab (app/static/js/thread-tabs.js) and return its panel."""
    tab = messages.get_by_role("tab", name=name, exact=True)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = messages.get_by_role("tabpanel", name=name, exact=True)
    expect(panel).to_be_visible()
    return panel


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def parse_yuan(text: str) -> Decimal:
    text = text.strip()
    assert MONEY.match(text), f"not an amount of money: {text!r}"
    return Decimal(text.replace("¥", "").replace(",", ""))


_OVERFLOW = """limit => {
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '');
    const right = e => e.getBoundingClientRect().right + window.scrollX;
    const out = [];
    for (const e of document.querySelectorAll('main *')) {
        const parent = e.parentElement;
        if (right(e) > limit + 1 && !(parent && right(parent) > limit + 1)) {
            out.push(`${name(e)} ends at ${Math.round(right(e))} px`);
        } else if (e.children.length === 0 && e.scrollWidth > e.clientWidth + 1
                   && right(e) - e.clientWidth + e.scrollWidth > limit + 1) {
            const text = e.textContent.trim().slice(0, 40);
            out.push(`${name(e)} ("${text}") needs ${e.scrollWidth} px, has ${e.clientWidth}`);
        }
    }
    return out.slice(0, 5);
}"""


def wider_than_screen(page: Page, what: str) -> list[str]:
    """Whatever makes the page scroll sideways on this screen, named ([] when it fits)."""
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    viewport = page.viewport_size
    assert viewport is not None
    if width <= viewport["width"]:
        return []
    culprits = page.evaluate(_OVERFLOW, viewport["width"])
    return [f"{what} is {width} px wide at {viewport['width']} px: {'; '.join(culprits)}"]


# --- the proposals panel ------------------------------------------------------------------


def proposal(page: Page, side: str, **kw: Any) -> Locator:
    """A proposal card by its side ("Debtor", "Creditor"), named by its heading."""
    name = re.compile(rf"^Proposal no\. \d+ · {side}\b")
    return page.get_by_role("region", name="Proposals").get_by_role("article", name=name, **kw)


def open_schedule(card: Locator) -> Locator:
    """Unfold a card's schedule (if folded) and return its table."""
    details = card.locator("details.proposal-schedule")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    table = card.get_by_role("table")
    expect(table).to_be_visible()
    return table


def check_schedule(
    card: Locator, *, count: int, total: Decimal, first_due: date
) -> list[tuple[str, str]]:
    """The schedule has ``count`` rows, its first on ``first_due``, its amounts add up to
    ``total`` and its footer says so. Returns the (due, amount) of each row."""
    summary = card.locator("details.proposal-schedule > summary")
    expect(summary).to_have_text(f"Schedule: {count} payments")
    table = open_schedule(card)
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(count)
    expect(rows.first.locator("time")).to_have_attribute("datetime", first_due.isoformat())
    expect(table.locator("tfoot")).to_contain_text(yuan(total))
    found = [
        (row.locator("time").get_attribute("datetime") or "", row.locator("td").last.inner_text())
        for row in rows.all()
    ]
    dues = [due for due, _ in found]
    assert dues == sorted(dues), f"the payment dates go backwards: {dues}"
    paid = sum((parse_yuan(amount) for _, amount in found), Decimal("0"))
    assert paid == total, f"the schedule's {count} payments add up to {paid}, not {total}"
    expect(card.locator("dd[data-total]")).to_have_text(yuan(total))
    return found


# --- the journey --------------------------------------------------------------------------


def test_debtor_proposes_creditor_counters_debtor_accepts(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    # 0. A case in negotiation: a bank's creditor, the assigned mediator, the joined debtor.
    org = make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    debtor = make_user(Role.DEBTOR, name="刘强")
    case = make_case(
        creditor=creditor,
        mediator=mediator,
        state=CaseState.NEGOTIATING,
        debtor_user_id=debtor.id,
    )
    case_id, reference, claim = case.id, case.reference, case.claim_total
    assert claim == Decimal("31800.00")
    debtor_email, creditor_email, mediator_email = debtor.email, creditor.email, mediator.email
    assert debtor_email and creditor_email and mediator_email
    first_due = first_of_next_month(today())
    db.session.close()  # the live server's threads use their own sessions

    watch = Watch()
    layout: list[str] = []  # checked last, so one overflow does not hide the rest
    case_path = url_is(rf"/cases/{case_id}")

    def new_page(who: str, width: int = 1280) -> Any:
        return browser_page(chromium, live_server, watch, who, width)

    def open_case(page: Page, home: str, who: str) -> None:
        """From the role's home page (or docket), follow the link to the case."""
        expect(page).to_have_url(url_is(home))
        link = page.get_by_role("main").get_by_role("link", name=reference, exact=True)
        submit(page, link, f"{who}: open case {reference}")
        expect(page).to_have_url(case_path)
        expect(heading(page, f"Case {reference}")).to_be_visible()

    # 1. The debtor, on a phone: the statement, shared; then 12 monthly instalments.
    with new_page("debtor", width=360) as page:
        sign_in(page, debtor_email)
        open_case(page, "/debtor", "debtor")
        expect(page.locator(".badge-state")).to_have_text("Negotiating")

        means = section(page, "What you can afford")
        submit(
            page,
            means.get_by_role("link", name="Fill in my income and spending"),
            "debtor: open the statement form",
        )
        expect(heading(page, "Your income and spending")).to_be_visible()
        for label, value in STATEMENT.items():
            page.get_by_label(label, exact=True).fill(value)
        share = page.get_by_role(
            "checkbox", name=re.compile(r"^I agree that the mediation organisation shows my")
        )
        share.check()
        screenshot(page, artifacts / "negotiation-debtor-statement-360.png")
        layout += wider_than_screen(page, "the statement form")
        submit(page, page.get_by_role("button", name="Save my statement"), "debtor: save it")

        expect(page).to_have_url(case_path)
        expect(flash(page)).to_have_text("Thank you. Your statement was saved.")
        means = section(page, "What you can afford")
        expect(means.locator("[data-field=disposable]")).to_have_text(LEFT)
        expect(means.locator("[data-field=band]")).to_have_text(BAND)
        expect(means.locator("[data-field=explanation]")).to_have_text(EXPLANATION)
        expect(means).to_contain_text("Shared with the creditor, with your consent.")

        proposals = section(page, "Proposals")
        expect(proposals.locator("#affordable-band")).to_have_text(EXPLANATION)
        expect(proposals.get_by_text("No open proposals.")).to_be_visible()
        form = proposals.locator("form#proposal-form")
        expect(form).to_be_visible()  # unfolded while there is nothing to answer
        form.get_by_role("radio", name="Instalments", exact=True).check()
        form.get_by_label("Total to be paid (yuan)").fill("28,000")
        form.get_by_label("Number of instalments").fill(str(DEBTOR_COUNT))
        form.get_by_label("How often").select_option(label="Monthly")
        form.get_by_label("First instalment due (date)").fill(first_due.isoformat())
        form.get_by_role("checkbox", name="Waive the penalty").check()
        form.get_by_label("Note to the other side (optional)").fill(
            "I can pay about ¥2,300 a month from my wages."
        )
        submit(
            page,
            form.get_by_role("button", name="Send the proposal"),
            "debtor: propose 12 instalments",
        )

        expect(page).to_have_url(case_path)
        expect(flash(page)).to_have_text(
            "Your proposal was sent. The other side has been notified."
        )
        mine = proposal(page, "Debtor")
        expect(mine).to_have_count(1)
        expect(mine.locator(".proposal-state")).to_have_text("Open")
        expect(mine.locator(".proposal-summary")).to_contain_text(
            f"{DEBTOR_COUNT} monthly instalments from {first_due.isoformat()}"
        )
        expect(mine.locator("dt:text-is('Given up') + dd")).to_have_text("penalty")
        expect(mine.locator(".proposal-means")).to_have_attribute("data-affordability", "stretch")
        check_schedule(mine, count=DEBTOR_COUNT, total=DEBTOR_TOTAL, first_due=first_due)
        expect(mine.get_by_role("button", name="Withdraw")).to_be_visible()
        expect(mine.get_by_role("button", name="Accept these terms")).to_have_count(0)
        screenshot(page, artifacts / "negotiation-debtor-proposal-360.png")
        layout += wider_than_screen(page, "the debtor's case page with a proposal")

    # 2. The creditor answers with 10 monthly instalments.
    with new_page("creditor") as page:
        sign_in(page, creditor_email)
        open_case(page, "/creditor", "creditor")
        means = section(page, "What the debtor can afford")
        expect(means.locator("[data-field=band]")).to_have_text(BAND)

        theirs = proposal(page, "Debtor")
        expect(theirs.locator(".proposal-state")).to_have_text("Open")
        expect(theirs.locator("dd[data-total]")).to_have_text(yuan(DEBTOR_TOTAL))
        submit(
            page,
            theirs.get_by_role("link", name="Answer with other terms"),
            "creditor: answer the debtor's proposal",
        )
        expect(heading(page, "Answer with other terms")).to_be_visible()
        expect(page.locator("#answering")).to_contain_text(yuan(DEBTOR_TOTAL))
        # The counter starts from the debtor's terms.
        expect(page.get_by_label("Total to be paid (yuan)")).to_have_value(str(DEBTOR_TOTAL))
        expect(page.get_by_label("Number of instalments")).to_have_value(str(DEBTOR_COUNT))
        page.get_by_label("Total to be paid (yuan)").fill("30000")
        page.get_by_label("Number of instalments").fill(str(CREDITOR_COUNT))
        page.get_by_role("checkbox", name="Waive the penalty").uncheck()
        page.get_by_label("Note to the other side (optional)").fill(
            "We can waive ¥1,800 if the debt is repaid within ten months."
        )
        submit(
            page,
            page.get_by_role("button", name="Send the proposal"),
            "creditor: counter with 10 instalments",
        )

        expect(page).to_have_url(case_path)
        expect(flash(page)).to_have_text("Your proposal was sent. The debtor has been notified.")
        ours = proposal(page, "Creditor")
        expect(ours.locator(".proposal-state")).to_have_text("Open")
        expect(ours.locator(".proposal-summary")).to_contain_text(
            f"{CREDITOR_COUNT} monthly instalments from {first_due.isoformat()}"
        )
        check_schedule(ours, count=CREDITOR_COUNT, total=CREDITOR_TOTAL, first_due=first_due)
        expect(
            proposal(page, "Debtor", include_hidden=True).locator(".proposal-state")
        ).to_have_text("Superseded")
        screenshot(page, artifacts / "negotiation-creditor-counter-1280.png")

    # 3. The mediator writes privately to each side.
    with new_page("mediator") as page:
        sign_in(page, mediator_email)
        search = page.get_by_role("search", name="Filter the docket")
        search.get_by_label("Reference or debtor name").fill(reference)
        submit(page, search.get_by_role("button", name="Show cases"), "mediator: search")
        open_case(page, "/docket", "mediator")
        messages = section(page, "Messages")
        for thread, text, told in (
            ("Private with the debtor", TO_DEBTOR, "Message sent. The debtor has been notified."),
            ("Private with the creditor", TO_CREDITOR, "Message sent."),
        ):
            caucus = thread_tab(messages, thread)
            caucus.get_by_label("Your private message").fill(text)
            submit(page, caucus.get_by_role("button", name="Send"), f"mediator: write ({thread})")
            expect(flash(page)).to_have_text(told)
        messages = section(page, "Messages")
        to_debtor = thread_tab(messages, "Private with the debtor")
        expect(to_debtor.locator(".message-body")).to_have_text([TO_DEBTOR])
        to_creditor = thread_tab(messages, "Private with the creditor")
        expect(to_creditor.locator(".message-body")).to_have_text([TO_CREDITOR])
        expect(to_debtor).to_be_hidden()  # one thread at a time
        screenshot(page, artifacts / "negotiation-mediator-caucus-1280.png")

    # 4. The debtor reads the mediator's message and accepts the creditor's terms.
    with new_page("debtor again", width=360) as page:
        sign_in(page, debtor_email)
        open_case(page, "/debtor", "debtor")
        messages = section(page, "Messages")
        expect(messages.get_by_role("tab", name="Joint", exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        private = thread_tab(messages, "Private with the mediator")
        expect(private.locator(".thread-banner")).to_have_text(
            "Only the mediator sees this conversation"
        )
        expect(private.locator(".message-body")).to_have_text([TO_DEBTOR])
        expect(private.locator(".message-meta")).to_contain_text("(Mediator)")
        assert TO_CREDITOR not in page.content(), "the debtor's page shows the creditor's caucus"
        expect(page.get_by_text(TO_CREDITOR)).to_have_count(0)

        theirs = proposal(page, "Creditor")
        expect(theirs.locator(".proposal-state")).to_have_text("Open")
        expect(theirs.locator(".proposal-means")).to_have_attribute("data-affordability", "beyond")
        check_schedule(theirs, count=CREDITOR_COUNT, total=CREDITOR_TOTAL, first_due=first_due)
        submit(
            page,
            theirs.get_by_role("button", name="Accept these terms"),
            "debtor: accept the creditor's terms",
        )
        # One tap never binds: the summary of the terms, then the confirmation.
        expect(page.locator("#acceptance-summary")).to_be_visible()
        page.get_by_label("I have read the terms above and accept them.").check()
        submit(page, page.locator("#confirm-accept"), "debtor: confirm the acceptance")

        # 5. Ready for the agreement: the accepted schedule, the stage, the history.
        expect(page).to_have_url(case_path)
        expect(flash(page)).to_have_text("Terms agreed. The mediator will now draft the agreement.")
        expect(page.locator(".badge-state")).to_have_text("Terms agreed: agreement being drafted")
        proposals = section(page, "Proposals")
        accepted = proposals.locator("#accepted-proposal")
        expect(accepted.locator("#ready-for-agreement")).to_have_text(
            "Ready for the agreement: the mediator drafts it from these terms."
        )
        agreed = accepted.get_by_role("article")
        expect(agreed).to_have_count(1)
        expect(agreed.locator(".proposal-state")).to_have_text("Accepted")
        expect(agreed).to_have_accessible_name(re.compile(r"· Creditor\b"))
        debtor_rows = check_schedule(
            agreed, count=CREDITOR_COUNT, total=CREDITOR_TOTAL, first_due=first_due
        )
        expect(agreed.get_by_text("Accepted by the debtor")).to_be_visible()
        expect(proposals.get_by_role("heading", name="Open proposals")).to_have_count(0)
        expect(page.get_by_role("button", name="Accept these terms")).to_have_count(0)
        expect(page.get_by_text("Propose terms", exact=True)).to_have_count(0)
        history = proposals.locator("#proposal-history")
        expect(history.locator("summary").first).to_have_text("Earlier proposals (1)")
        earlier = proposal(page, "Debtor", include_hidden=True)
        expect(earlier).to_have_count(1)
        expect(earlier.locator(".proposal-state")).to_have_text("Superseded")
        screenshot(page, artifacts / "negotiation-debtor-accepted-360.png")
        layout += wider_than_screen(page, "the debtor's case page once terms are agreed")

    # ... and the creditor sees the same accepted schedule.
    with new_page("creditor again") as page:
        sign_in(page, creditor_email)
        open_case(page, "/creditor", "creditor")
        expect(page.locator(".badge-state")).to_have_text("Terms agreed: agreement being drafted")
        proposals = section(page, "Proposals")
        accepted = proposals.locator("#accepted-proposal")
        expect(accepted.locator("#ready-for-agreement")).to_be_visible()
        agreed = accepted.get_by_role("article")
        expect(agreed.locator(".proposal-state")).to_have_text("Accepted")
        creditor_rows = check_schedule(
            agreed, count=CREDITOR_COUNT, total=CREDITOR_TOTAL, first_due=first_due
        )
        assert creditor_rows == debtor_rows, "the parties see different accepted schedules"
        expect(page.get_by_role("button", name="Accept these terms")).to_have_count(0)
        expect(
            proposal(page, "Debtor", include_hidden=True).locator(".proposal-state")
        ).to_have_text("Superseded")
        messages = section(page, "Messages")
        private = thread_tab(messages, "Private with the mediator")
        expect(private.locator(".message-body")).to_have_text([TO_CREDITOR])
        assert TO_DEBTOR not in page.content(), "the creditor's page shows the debtor's caucus"
        screenshot(page, artifacts / "negotiation-accepted-1280.png")

    # 6. In the database: one accepted proposal, the case being drafted, the chain whole.
    assert watch.problems == [], "\n".join(watch.problems)
    db.session.expire_all()
    accepted_rows = list(
        db.session.scalars(
            select(Proposal).where(
                Proposal.case_id == case_id, Proposal.state == ProposalState.ACCEPTED
            )
        )
    )
    assert len(accepted_rows) == 1, f"{len(accepted_rows)} accepted proposals, not one"
    (agreed_row,) = accepted_rows
    assert agreed_row.side == Side.CREDITOR
    assert agreed_row.total == CREDITOR_TOTAL
    assert len(agreed_row.instalments) == CREDITOR_COUNT
    assert sum((r.amount for r in agreed_row.instalments), Decimal("0")) == CREDITOR_TOTAL
    others = {
        p.side: p.state
        for p in db.session.scalars(select(Proposal).where(Proposal.case_id == case_id))
        if p.id != agreed_row.id
    }
    assert others == {Side.DEBTOR: ProposalState.SUPERSEDED}, others
    stored = db.session.get(Case, case_id)
    assert stored is not None and stored.state == CaseState.AGREEMENT_DRAFTING, stored
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"

    # 7. On the phone, no page scrolls sideways.
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
