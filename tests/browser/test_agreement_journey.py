"""The agreement journey end to end (draft, sign, seal, verify), in a real Chromium and in
English.

A case whose creditor accepted the debtor's 12 monthly instalments (made through the real
services by ``tests.agreement_support.settled_case``). The mediator drafts the agreement
with the receiving account; the PDF is rendered and certified (Huey runs inline in
tests). The debtor, on a phone, asks for a one-time code, first types a wrong one (the
page says so and keeps the typed name), then draws a signature on the canvas and signs;
the creditor signs with a typed name; the mediator signs last. The case shows the
agreement in force; the signed PDF downloads, and a visitor who uploads it at /verify is
told it is genuine, for this case.

The one-time codes are read from the outbox (the live server and the test share the
database). Screenshots go to ``tests/artifacts/agreement-*.png`` and
``tests/artifacts/verify-genuine-1280.png``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import Agreement, AuditEvent, OutboundMessage
from app.models.agreements import AgreementStatus, SignatureMethod
from app.models.cases import Case
from app.models.notifications import Channel
from app.models.users import User
from app.rules.cases import CaseState
from tests.agreement_support import last_code, people, settled_case
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.factories import PASSWORD

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

# The journeys' browser helpers (English on a new context, steps that fail with the page's
# error text, the console watch, the phone's sideways-scroll check).
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
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser

COUNT = 12
BANK = "测试银行北京分行营业部"
ACCOUNT_NUMBER = "6222 0200 1234 5678 901"
DEBTOR_TYPED = "吉䶮𠮷（本人签名）"  # what the debtor types before switching to drawing
REFUSED_LOG = (
    "Failed to load resource: the server responded with a status of 422 (UNPROCESSABLE ENTITY)"
)
HASH = re.compile(r"^[0-9a-f]{64}$")


# --- the database -------------------------------------------------------------------------


def _agreement(case_id: int) -> Agreement:
    """The case's newest agreement version, read afresh (no transaction left open)."""
    db.session.expire_all()
    agreement = db.session.scalar(
        select(Agreement).where(Agreement.case_id == case_id).order_by(Agreement.version.desc())
    )
    assert agreement is not None, "drafting made no agreement row"
    return agreement


def signing_code(user_id: int, channel: Channel) -> str:
    """The newest signing code sent to this user, by the channel they chose."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user is not None
    message = db.session.scalar(
        select(OutboundMessage)
        .where(OutboundMessage.template == "signing_code")
        .where(OutboundMessage.recipient_user_id == user_id)
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    assert message is not None and message.channel == channel, (
        f"the signing code went by {message and message.channel}, not by {channel}"
    )
    code = last_code(user)
    db.session.close()  # no read transaction left open while the live server writes
    return code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- the pages ----------------------------------------------------------------------------


def agreement_card(page: Page) -> Locator:
    return section(page, "Mediation agreement")


def signature_rows(page: Page) -> Locator:
    return agreement_card(page).locator("table.signatures tbody tr")


def expect_signed(page: Page, signed: dict[str, str]) -> None:
    """The signatures table: each role's signer (or "Not yet signed") and a time if signed."""
    rows = signature_rows(page)
    expect(rows).to_have_count(3)
    for role in ("Debtor", "Creditor", "Mediator"):
        row = rows.filter(has=page.get_by_role("rowheader", name=role, exact=True))
        name = signed.get(role)
        expect(row.locator("td").first).to_have_text(name or "Not yet signed")
        expect(row.locator("time")).to_have_count(1 if name else 0)


def submit_refused(page: Page, control: Locator, step: str) -> Locator:
    """Submit a form the server must refuse (422); the page's alert, for the caller."""
    with page.expect_navigation(wait_until="load") as navigation:
        control.click()
    response = navigation.value
    assert response is not None and response.status == 422, (
        f"{step}: expected a refusal (422), got {response and response.status} at {page.url}"
    )
    return page.get_by_role("alert")


def open_case(page: Page, reference: str, case_id: int, who: str) -> None:
    """From the role's home page (the mediator's docket), follow the link to the case."""
    link = page.get_by_role("main").get_by_role("link", name=reference, exact=True)
    submit(page, link, f"{who}: open case {reference}")
    expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
    expect(heading(page, f"Case {reference}")).to_be_visible()


def open_signing(page: Page, reference: str, sha256: str, who: str) -> None:
    """From the case page, the signing page of version 1: the exact file's hash shown."""
    card = agreement_card(page)
    expect(card.locator(".badge")).to_have_text("Awaiting signatures")
    submit(page, card.get_by_role("link", name="Review and sign"), f"{who}: review and sign")
    expect(heading(page, "Sign the agreement")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"Case {reference} · Version 1")
    expect(page.locator("code.hash")).to_have_text(sha256)
    expect(page.locator("input[name=seen_sha256]")).to_have_value(sha256)
    # The file's pages as images (a phone shows no PDF in a frame), the key terms above.
    expect(page.get_by_role("img", name=re.compile(r"^Page 1 of \d+$"))).to_be_visible()
    expect(page.get_by_role("heading", name="Key terms of the agreement")).to_be_visible()


def ask_for_code(page: Page, button: re.Pattern[str], sent_by: str, who: str) -> None:
    submit(page, page.get_by_role("button", name=button), f"{who}: ask for a code")
    expect(flash(page)).to_have_text(
        f"A one-time code was sent by {sent_by}. It is valid for 10 minutes."
    )


def confirm(page: Page, code: str) -> None:
    page.get_by_label("Your password", exact=True).fill(PASSWORD)
    page.get_by_label("One-time code", exact=True).fill(code)


def type_signature(page: Page, name: str) -> None:
    page.get_by_role("radio", name="Type my name").check()
    page.get_by_label("Name as signature", exact=True).fill(name)


def draw_signature(page: Page) -> None:
    """A signature drawn with the mouse: two strokes across the pad."""
    page.get_by_role("radio", name="Draw my signature").check()
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None and box["width"] > 100, f"the signature pad is {box}"
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for points in (
        [(0.1, 0.7), (0.2, 0.3), (0.3, 0.7), (0.4, 0.3), (0.5, 0.7)],
        [(0.55, 0.5), (0.7, 0.4), (0.8, 0.6), (0.9, 0.35)],
    ):
        page.mouse.move(x + w * points[0][0], y + h * points[0][1])
        page.mouse.down()
        for px, py in points[1:]:
            page.mouse.move(x + w * px, y + h * py, steps=6)
        page.mouse.up()
    inked = pad.evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data"
        ".some((v, i) => i % 4 === 3 && v > 0)"
    )
    assert inked, "the mouse strokes left no ink on the signature pad"


def sign(page: Page, who: str) -> None:
    submit(page, page.get_by_role("button", name="Sign", exact=True), f"{who}: sign")
    expect(flash(page)).to_have_text("You signed the agreement.")
    expect(agreement_card(page).get_by_role("link", name="Review and sign")).to_have_count(0)


# --- the journey --------------------------------------------------------------------------


def test_mediator_drafts_parties_sign_mediator_seals_copy_verifies(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    # 0. Terms agreed: the debtor's 12 instalments, accepted by the creditor.
    who = people()
    case = settled_case(who, count=COUNT)
    assert case.state == CaseState.AGREEMENT_DRAFTING
    case_id, reference, creditor_org = case.id, case.reference, case.creditor_org.name
    users = {role: who[role] for role in ("debtor", "creditor", "mediator")}
    ids = {role: u.id for role, u in users.items()}
    emails = {role: u.email for role, u in users.items()}
    names = {role: u.name for role, u in users.items()}
    assert all(emails.values())
    db.session.close()  # the live server's threads use their own sessions

    watch = Watch()
    layout: list[str] = []  # checked last, so one overflow does not hide the rest

    def new_page(role: str, width: int = 1280) -> Any:
        return browser_page(chromium, live_server, watch, role, width)

    # 1. The mediator drafts the agreement with the receiving account.
    with new_page("mediator") as page:
        sign_in(page, emails["mediator"])
        expect(page).to_have_url(url_is("/docket"))
        open_case(page, reference, case_id, "mediator")
        expect(page.locator(".badge-state")).to_have_text("Terms agreed: agreement being drafted")
        card = agreement_card(page)
        expect(card).to_contain_text("The terms are agreed. Draft the agreement")
        submit(page, card.get_by_role("link", name="Draft the agreement"), "mediator: draft")

        expect(page).to_have_url(url_is(rf"/cases/{case_id}/agreement/draft"))
        expect(heading(page, "Draft the agreement")).to_be_visible()
        expect(page.get_by_label("Account holder", exact=True)).to_have_value(creditor_org)
        page.get_by_label("Bank and branch", exact=True).fill(BANK)
        page.get_by_label("Account number", exact=True).fill(ACCOUNT_NUMBER)
        screenshot(page, artifacts / "agreement-draft-1280.png")
        submit(
            page,
            page.get_by_role("button", name="Prepare the agreement"),
            "mediator: prepare the agreement",
        )

        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(page.locator("main > .notice-success")).to_have_text(
            "The agreement is being prepared. The parties are told when it is ready."
        )
        # The debtor's name has a CJK Ext-B character (𠮷): the shipped rare face draws it,
        # so the mediator is not warned of a missing glyph.
        expect(page.locator("main > .notice-warning")).to_have_count(0)
        expect(page.locator(".badge-state")).to_have_text("Agreement awaiting signatures")
        card = agreement_card(page)
        expect(card.locator(".badge")).to_have_text("Awaiting signatures")
        expect(card.locator(".lead")).to_contain_text("Version 1")
        expect_signed(page, {})
        # The mediator signs last: no signing link yet, but the PDF is there.
        expect(card.get_by_role("link", name="Review and sign")).to_have_count(0)
        expect(card.get_by_role("link", name="Open the PDF")).to_be_visible()

    drafted = _agreement(case_id)
    assert drafted.status == AgreementStatus.SIGNING, drafted.render_error
    assert drafted.version == 1 and drafted.terms["account"]["bank"] == BANK
    base = drafted.current_sha256
    assert base and HASH.match(base)
    db.session.close()

    # 2. The debtor, on a phone: a code by SMS, a wrong try, then a drawn signature.
    with new_page("debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        expect(page).to_have_url(url_is("/debtor"))
        open_case(page, reference, case_id, "debtor")
        expect_signed(page, {})
        open_signing(page, reference, base, "debtor")
        ask_for_code(page, re.compile(r"^SMS to "), "text message", "debtor")
        code = signing_code(ids["debtor"], Channel.SMS)

        confirm(page, wrong(code))
        type_signature(page, DEBTOR_TYPED)
        alert = submit_refused(
            page, page.get_by_role("button", name="Sign", exact=True), "debtor: a wrong code"
        )
        expect(alert).to_have_text("The one-time code is not right.")
        expect(page.get_by_label("Name as signature", exact=True)).to_have_value(DEBTOR_TYPED)
        expect(page.get_by_role("radio", name="Type my name")).to_be_checked()
        expect(page.get_by_label("Your password", exact=True)).to_have_value("")

        confirm(page, code)
        draw_signature(page)
        screenshot(page, artifacts / "agreement-sign-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's signing page")
        sign(page, "debtor")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect_signed(page, {"Debtor": names["debtor"]})
        layout += wider_than_screen(page, "the debtor's case page with the agreement")

    # 3. The creditor signs with a typed name, the code by email.
    with new_page("creditor") as page:
        sign_in(page, emails["creditor"])
        expect(page).to_have_url(url_is("/creditor"))
        open_case(page, reference, case_id, "creditor")
        after_debtor = _agreement(case_id).current_sha256
        db.session.close()
        assert after_debtor and after_debtor != base, "the debtor's signature changed no bytes"
        open_signing(page, reference, after_debtor, "creditor")
        ask_for_code(page, re.compile(r"^Email to "), "email", "creditor")
        confirm(page, signing_code(ids["creditor"], Channel.EMAIL))
        expect(page.get_by_label("Name as signature", exact=True)).to_have_value(names["creditor"])
        type_signature(page, names["creditor"])
        sign(page, "creditor")
        expect_signed(page, {"Debtor": names["debtor"], "Creditor": names["creditor"]})

    # 4. The mediator signs last: the agreement is in force; the signed PDF downloads.
    signed_pdf = tmp_path / "signed.pdf"
    with new_page("mediator again") as page:
        sign_in(page, emails["mediator"])
        open_case(page, reference, case_id, "mediator")
        open_signing(page, reference, _agreement(case_id).current_sha256 or "", "mediator")
        db.session.close()
        ask_for_code(page, re.compile(r"^SMS to "), "text message", "mediator")
        confirm(page, signing_code(ids["mediator"], Channel.SMS))
        type_signature(page, names["mediator"])
        sign(page, "mediator")

        expect(page.locator(".badge-state")).to_have_text("Agreement in force")
        card = agreement_card(page)
        expect(card.locator(".badge")).to_have_text("In force")
        expect(card.locator(".lead")).to_contain_text("in force since")
        expect_signed(
            page,
            {
                "Debtor": names["debtor"],
                "Creditor": names["creditor"],
                "Mediator": names["mediator"],
            },
        )
        expect(card.get_by_role("link", name=re.compile("Change the agreement"))).to_have_count(0)
        final = card.locator("code.hash").inner_text().strip()
        screenshot(page, artifacts / "agreement-in-force-1280.png")
        with page.expect_download() as download:
            card.get_by_role("link", name="Download", exact=True).click()
        assert download.value.suggested_filename == f"agreement-{reference}-v1.pdf"
        download.value.save_as(signed_pdf)

    data = signed_pdf.read_bytes()
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    assert hashlib.sha256(data).hexdigest() == final, "the download is not the file shown"

    # 5. Anyone (not signed in) uploads the download at /verify: genuine, this case.
    with new_page("visitor") as page:
        page.goto("/verify")
        expect(heading(page, "Verify a document")).to_be_visible()
        page.get_by_label("PDF file", exact=True).set_input_files(signed_pdf)
        submit(page, page.get_by_role("button", name="Verify", exact=True), "visitor: verify")
        result = page.locator("#verify-result")
        expect(result).to_have_class(re.compile(r"\baccepted\b"))
        expect(result.get_by_role("heading", level=2)).to_have_text("Genuine and unaltered")
        facts = {
            "SHA-256": final,
            "Case": reference,
            "Document": "Mediation agreement, Version 1",
            "Stage": "Signed by the mediator and sealed",
            "Status": "Signed by every party and the mediator: in force",
        }
        for term, value in facts.items():
            expect(result.locator(f"dt:text-is('{term}') + dd")).to_have_text(value)
        checks = result.locator("table.signatures tbody tr td:last-child")
        expect(checks).not_to_have_count(0)
        assert set(checks.all_inner_texts()) == {"valid"}, checks.all_inner_texts()
        screenshot(page, artifacts / "verify-genuine-1280.png")
        page.set_viewport_size({"width": 360, "height": 800})
        layout += wider_than_screen(page, "the verdict at /verify")

    # 6. In the database: in force, three signatures on version 1, the download audited.
    # The wrong code's 422 page is the one expected error (Chromium logs every 4xx).
    refused = f"debtor: console error: {REFUSED_LOG}"
    assert refused in watch.problems, f"the wrong code was not refused: {watch.problems}"
    watch.problems.remove(refused)
    assert watch.problems == [], "\n".join(watch.problems)
    agreement = _agreement(case_id)
    assert agreement.status == AgreementStatus.IN_FORCE and agreement.effective_at is not None
    assert agreement.current_sha256 == final
    sigs = {s.role: s for s in agreement.signatures}
    assert set(sigs) == {"debtor", "creditor", "mediator"}
    assert all(s.version == 1 for s in sigs.values())
    assert sigs["debtor"].method == SignatureMethod.DRAWN and sigs["debtor"].typed_name is None
    assert (sigs["debtor"].drawn_png or b"").startswith(b"\x89PNG"), "no drawing was kept"
    assert sigs["debtor"].document_sha256 == base
    assert sigs["creditor"].method == SignatureMethod.TYPED
    assert sigs["creditor"].typed_name == names["creditor"]
    assert sigs["mediator"].result_sha256 == final
    stored = db.session.get(Case, case_id)
    assert stored is not None and stored.state == CaseState.IN_FORCE
    downloads = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "case:agreement:download", AuditEvent.case_id == case_id
        )
    ).all()
    assert downloads, "the download is not in the audit log"
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"

    # 7. On the phone, no page scrolls sideways.
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
