"""A case from intake to the debtor joining, end to end, in a real Chromium and in English.

A bank's creditor opens a case, attaches evidence and submits it; the mediator finds it on
the docket and accepts it; the debtor, on a phone, follows the invitation link, proves who
they are with the last six characters of their ID number and a one-time code, consents,
joins and sees the case with the ID number masked.

The invitation link and the one-time code are read from the outbox (the live server and
the test share the database). Screenshots go to ``tests/artifacts/journey-*.png``.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import OutboundMessage
from app.models.notifications import Channel
from app.models.users import Role
from tests.browser.support import PLAYWRIGHT_MISSING, AxeWatch, unavailable
from tests.factories import PASSWORD, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

pytestmark = pytest.mark.browser

DEBTOR_NAME = "刘强"
ID_NUMBER = "11010519491231002X"
ID_MASKED = "110105********002X"
DEBTOR_PHONE = "13800138001"
DEBTOR_EMAIL = "liuqiang@example.com"
DEBTOR_PASSWORD = "liu qiang's own secret 2026"
CONTRACT_NUMBER = "HT-2024-0301-017"
REFERENCE = re.compile(r"[A-Z]{2}-\d{4}-\d{6}")
CODE = re.compile(r"(?<![\d-])(\d{6})(?!\d)")  # not the digits of the HZ-2026-000001 reference


# --- files to upload ----------------------------------------------------------------------


def png_bytes(width: int = 16, height: int = 16) -> bytes:
    """A real (decodable) RGB PNG: a red square."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xc8\x1e\x1e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(text: str = "Loan contract HT-2024-0301-017") -> bytes:
    """A minimal one-page PDF with a line of text and a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- the outbox ---------------------------------------------------------------------------


def _outbox(template: str, channel: Channel | None = None) -> list[OutboundMessage]:
    db.session.expire_all()
    stmt = (
        select(OutboundMessage)
        .where(OutboundMessage.template == template)
        .order_by(OutboundMessage.id)
    )
    if channel is not None:
        stmt = stmt.where(OutboundMessage.channel == channel)
    messages = list(db.session.scalars(stmt))
    db.session.close()  # no read transaction left open while the live server writes
    return messages


def invitation_path(reference: str) -> str:
    emails = _outbox("invitation", Channel.EMAIL)
    assert emails, "accepting the case queued no invitation email in the outbox"
    email = emails[-1]
    assert email.address == DEBTOR_EMAIL, f"invitation sent to {email.address!r}"
    assert reference in email.body, f"the invitation email does not name {reference}"
    match = re.search(r"/invite/[A-Za-z0-9_\-]+", email.body)
    assert match, f"no /invite/<token> link in the invitation email:\n{email.body}"
    return match.group(0)


def latest_code() -> str:
    codes = _outbox("one_time_code")
    assert codes, "no one-time code was queued in the outbox"
    message = codes[-1]
    assert message.channel == Channel.SMS and message.address == DEBTOR_PHONE, (
        f"the code went by {message.channel} to {message.address!r}, not by SMS to the debtor"
    )
    match = CODE.search(message.body)
    assert match, f"no 6-digit code in the SMS:\n{message.body}"
    return match.group(1)


# --- the browser --------------------------------------------------------------------------


class Watch:
    """What went wrong in the page besides its content: script errors (a CSP violation
    is one) and server errors on any request."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Page, who: str) -> None:
        def console(msg: Any) -> None:
            if msg.type == "error":
                self.problems.append(f"{who}: console error: {msg.text}")

        page.on("console", console)
        page.on("pageerror", lambda err: self.problems.append(f"{who}: page error: {err}"))
        page.on(
            "response",
            lambda r: (
                self.problems.append(f"{who}: HTTP {r.status} for {r.request.method} {r.url}")
                if r.status >= 500
                else None
            ),
        )


@contextmanager
def browser_page(
    chromium: Browser, base_url: str, watch: Watch, who: str, width: int = 1280
) -> Iterator[Page]:
    """A new context (no cookies), as a Chinese user's browser would be, switched to English.

    Every page it shows is checked with axe-core: leaving the block without an error fails
    the test if any page had an accessibility violation."""
    context = chromium.new_context(
        base_url=base_url, viewport={"width": width, "height": 800}, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch.attach(page, who)
        axe = AxeWatch().attach(page)
        page.goto("/login")
        submit(page, page.get_by_role("button", name="EN", exact=True), f"{who}: switch to EN")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        yield page
        report = axe.finish(page)
        if report:
            pytest.fail(f"{who}: {report}", pytrace=False)
    finally:
        context.close()


def check_page(page: Page, step: str) -> None:
    """Fail at once, with what the page says, if it shows an error notice or field error."""
    notices = page.locator(".notice-error, .field .error, [role=alert]")
    texts = [t.strip() for t in notices.all_inner_texts() if t.strip()]
    if texts:
        pytest.fail(f"{step}: the page ({page.url}) shows an error: {texts}", pytrace=False)


def submit(page: Page, control: Locator, step: str) -> None:
    """Click a control that submits a form or follows a link; wait for the next page."""
    with page.expect_navigation(wait_until="load") as navigation:
        control.click()
    check_page(page, step)
    response = navigation.value
    if response is not None and response.status >= 400:
        text = page.locator("body").inner_text()[:500]
        pytest.fail(f"{step}: HTTP {response.status} at {page.url}:\n{text}", pytrace=False)


def url_is(path: str) -> re.Pattern[str]:
    return re.compile(rf"^http://127\.0\.0\.1:\d+{path}(\?[^#]*)?(#.*)?$")


def heading(page: Page, name: str | re.Pattern[str], level: int = 1) -> Locator:
    return page.get_by_role("heading", name=name, level=level)


def section(page: Page, title: str) -> Locator:
    """A card by its h2: the ``section`` whose accessible name is the heading's text."""
    return page.get_by_role("region", name=title, exact=True)


def sign_in(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email or mobile number", exact=True).fill(identifier)
    page.get_by_label("Password", exact=True).fill(password)
    submit(page, page.get_by_role("button", name="Sign in", exact=True), "sign in")


def screenshot(page: Page, path: Path, width: int | None = None) -> None:
    if width is not None:
        page.set_viewport_size({"width": width, "height": 800})
    page.screenshot(path=path, full_page=True)


def assert_fits(page: Page, what: str) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{what} is {width} px wide at {viewport['width']} px"


def flash(page: Page) -> Locator:
    return page.locator("main > .notice")


# --- the journey --------------------------------------------------------------------------


def test_creditor_files_mediator_accepts_debtor_joins(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    # 1. An organisation with one mediator; a bank's creditor.
    org = make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    org_name, creditor_org = org.name, creditor.creditor_org.name
    mediator_email, mediator_name, creditor_email = mediator.email, mediator.name, creditor.email
    assert mediator_email and creditor_email
    db.session.close()  # the live server's threads use their own sessions

    contract = tmp_path / "loan-contract.pdf"
    contract.write_bytes(pdf_bytes())
    statement = tmp_path / "account-statement.png"
    statement.write_bytes(png_bytes())
    files = {
        contract.name: ("Loan contract", "Signed loan contract, 2024-03-01"),
        statement.name: ("Statement of account", "Repayment history to June 2025"),
    }

    watch = Watch()

    def new_page(who: str, width: int = 1280) -> Any:
        return browser_page(chromium, live_server, watch, who, width)

    # 2. The creditor opens the case, saves a draft, adds evidence and submits.
    with new_page("creditor") as page:
        sign_in(page, creditor_email)
        expect(page).to_have_url(url_is("/creditor"))
        nav = page.get_by_role("navigation", name="Main")
        submit(page, nav.get_by_role("link", name="Cases", exact=True), "open Cases")
        submit(page, page.get_by_role("link", name="Open a new case"), "open a new case")
        expect(heading(page, "Open a new case")).to_be_visible()

        page.get_by_role("combobox", name="Mediation organisation").select_option(label=org_name)
        form = {
            "Full name": DEBTOR_NAME,
            "ID number": ID_NUMBER,
            "Mobile number": DEBTOR_PHONE,
            "Email (optional)": DEBTOR_EMAIL,
            "Contract number": CONTRACT_NUMBER,
            "Date the contract was formed": "2024-03-01",
            "Principal lent (yuan)": "50,000",
            "Contractual annual interest rate (%)": "12",
            "Term (months)": "24",
            "Outstanding principal (yuan)": "30000",
            "Interest (yuan)": "1500",
            "Penalty / overdue interest (yuan)": "300",
            "Fees (yuan)": "0",
            "Overdue since": "2025-06-01",
        }
        for label, value in form.items():
            page.get_by_label(label, exact=True).fill(value)
        expect(page.get_by_label("ID type", exact=True)).to_have_value("resident_id")
        expect(page.get_by_label("Did you acquire this debt from another lender?")).to_have_value(
            "no"
        )
        screenshot(page, artifacts / "journey-creditor-form-360.png", width=360)
        assert_fits(page, "the intake form")
        page.set_viewport_size({"width": 1280, "height": 800})
        submit(page, page.get_by_role("button", name="Save draft"), "save the draft")

        expect(page).to_have_url(url_is(r"/cases/\d+"))
        title = heading(page, re.compile(r"^Case "))
        expect(title).to_have_text(REFERENCE)
        match = REFERENCE.search(title.inner_text())
        assert match
        reference = match.group(0)
        expect(flash(page)).to_have_text(f"Draft {reference} saved. You can finish it later.")
        expect(page.locator(".badge-state")).to_have_text("Draft")

        evidence = section(page, "Evidence")
        for path in (contract, statement):
            category, description = files[path.name]
            evidence.get_by_label(re.compile(r"^File \(PDF, JPEG or PNG")).set_input_files(path)
            evidence.get_by_label("Category", exact=True).select_option(label=category)
            evidence.get_by_label("Description", exact=True).fill(description)
            submit(page, evidence.get_by_role("button", name="Upload"), f"upload {path.name}")
            expect(flash(page)).to_have_text("The file was added to the case's evidence.")
        table = section(page, "Evidence").get_by_role("table")
        expect(table.locator("tbody tr")).to_have_count(2)
        for name, (category, description) in files.items():
            row = table.locator("tbody tr").filter(has=page.get_by_role("link", name=name))
            expect(row).to_contain_text(category)
            expect(row).to_contain_text(description)

        submit(page, page.get_by_role("link", name="Edit draft"), "edit the draft")
        expect(heading(page, f"Edit draft {reference}")).to_be_visible()
        expect(page.get_by_label("Full name", exact=True)).to_have_value(DEBTOR_NAME)
        expect(page.get_by_label("Principal lent (yuan)", exact=True)).to_have_value("50000.00")
        submit(page, page.get_by_role("button", name="Submit the case"), "submit the case")

        expect(page).to_have_url(url_is(r"/cases/\d+"))
        expect(flash(page)).to_have_text(
            re.compile(
                r"^(Submitted\. The claim check found nothing to note\."
                r"|Submitted with findings to note: see the claim check below\.)$"
            )
        )
        expect(page.locator(".badge-state")).to_have_text("Awaiting acceptance")
        check = section(page, "Claim check")
        expect(check).to_be_visible()
        expect(check.locator(".finding-block")).to_have_count(0)
        expect(
            check.locator(".finding").or_(check.get_by_text(re.compile(r"^No findings")))
        ).not_to_have_count(0)
        expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)
        expect(page.get_by_role("button", name="Submit the case")).to_have_count(0)
        claim = section(page, "The claim")
        expect(claim).to_contain_text("31,800.00")
        expect(section(page, "The parties")).to_contain_text(ID_MASKED)
        expect(section(page, "The parties")).to_contain_text(mediator_name)
        screenshot(page, artifacts / "journey-creditor-case-1280.png")
        screenshot(page, artifacts / "journey-creditor-case-360.png", width=360)
        assert_fits(page, "the creditor's case page")

    # 3. The mediator finds it on the docket and accepts it.
    with new_page("mediator") as page:
        sign_in(page, mediator_email)
        expect(page).to_have_url(url_is("/docket"))
        expect(heading(page, "Docket")).to_be_visible()
        search = page.get_by_role("search", name="Filter the docket")
        search.get_by_label("Reference or debtor name").fill(reference)
        submit(page, search.get_by_role("button", name="Show cases"), "search the docket")
        expect(page.get_by_role("status")).to_have_text("Cases 1–1 of 1")
        rows = page.get_by_role("table", name="Docket").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(DEBTOR_NAME)
        expect(rows).to_contain_text(ID_MASKED)
        expect(rows).to_contain_text(creditor_org)
        expect(rows).to_contain_text("31,800.00")
        expect(rows).to_contain_text("Awaiting acceptance")
        screenshot(page, artifacts / "journey-mediator-docket-1280.png")

        submit(page, rows.get_by_role("link", name=reference, exact=True), "open the case")
        expect(heading(page, f"Case {reference}")).to_be_visible()
        callout = section(page, "This case is assigned to you")
        submit(page, callout.get_by_role("button", name="Accept the case"), "accept the case")
        expect(flash(page)).to_have_text("You accepted the case. The debtor has been notified.")
        expect(page.locator(".badge-state")).to_have_text("Debtor invited")
        expect(page.get_by_role("button", name="Accept the case")).to_have_count(0)
        screenshot(page, artifacts / "journey-mediator-accepted-1280.png")

    # 4. The debtor, on a phone, follows the link, proves who they are and joins.
    invite = invitation_path(reference)
    with new_page("debtor", width=360) as page:
        page.goto(invite)
        check_page(page, "open the invitation link")
        expect(heading(page, "Invitation to mediation")).to_be_visible()
        expect(page.locator("main")).to_contain_text(reference)
        expect(page.locator("main")).to_contain_text(org_name)
        page.get_by_label("The last 6 characters of your ID number").fill("31002X")
        page.get_by_role("radio", name=re.compile(r"^SMS to 138\*{4}8001$")).check()
        screenshot(page, artifacts / "journey-debtor-invite-360.png")
        assert_fits(page, "the invitation page")
        submit(page, page.get_by_role("button", name="Continue"), "confirm the ID number")

        expect(heading(page, "Enter your code")).to_be_visible()
        page.get_by_label("One-time code").fill(latest_code())
        submit(page, page.get_by_role("button", name="Confirm"), "enter the one-time code")

        expect(page).to_have_url(url_is("/invite/join"))
        expect(heading(page, "Join the mediation")).to_be_visible()
        expect(page.locator("main")).to_contain_text(reference)
        page.get_by_label("Choose a password").fill(DEBTOR_PASSWORD)
        page.get_by_label("Repeat the password").fill(DEBTOR_PASSWORD)
        for consent in (
            "processes my personal information",  # required
            "shares my replies, objections and repayment proposals",  # required
            "(electronic service)",
        ):
            page.get_by_role("checkbox", name=consent).check()
        screenshot(page, artifacts / "journey-debtor-join-360.png")
        assert_fits(page, "the join page")
        submit(
            page,
            page.get_by_role("button", name="Join the mediation", exact=True),
            "join the mediation",
        )

        expect(page).to_have_url(url_is(r"/cases/\d+"))
        expect(heading(page, f"Case {reference}")).to_be_visible()
        expect(page.locator(".badge-state")).to_have_text("Negotiating")
        expect(section(page, "The claim")).to_contain_text("31,800.00")
        expect(section(page, "The parties")).to_contain_text(ID_MASKED)
        table = section(page, "Evidence").get_by_role("table")
        for name in files:
            expect(table.get_by_role("link", name=name)).to_be_visible()
        expect(page.get_by_role("region", name="Claim check")).to_have_count(0)
        assert ID_NUMBER not in page.content(), "the debtor's page carries the full ID number"
        assert ID_NUMBER.lower() not in page.content().lower()
        screenshot(page, artifacts / "journey-debtor-case-360.png")
        assert_fits(page, "the debtor's case page")

    # 5. Everything above is on the record, and the record is whole.
    assert watch.problems == [], "\n".join(watch.problems)
    db.session.expire_all()
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"
