"""BRIEF journey 6 end to end, in a real Chromium and in English.

An agreement in force (made through the real services by ``tests.agreement_support``) on a
case whose evidence holds the loan contract and the power of attorney but no disbursement
record, and whose terms were accepted two hours before the agreement (the "suspiciously
fast" warning fires). The mediator runs the checks: the missing evidence blocks and the
release button is disabled. The creditor uploads the disbursement record; the mediator
reloads the checks (no block), acknowledges the warnings, picks a competent court and
releases the package. The debtor, on a phone, signs the application with a drawn
signature, the creditor with a typed name; the debtor downloads the package and a visitor
finds it genuine at /verify. The mediator records the filing and the court's confirmed
ruling; the case page and the docket show it.

The one-time codes are read from the outbox (the live server and the test share the
database). Screenshots go to ``tests/artifacts/confirmation-*.png`` and
``tests/artifacts/package-sign-debtor-360.png``.
"""

from __future__ import annotations

import hashlib
import io
import re
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from app import audit
from app.cases.evidence import add_evidence
from app.cases.lifecycle import today
from app.core import clock
from app.extensions import db
from app.models import AuditEvent, ConfirmationPackage
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.confirmation import PackageStatus, Ruling
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.notifications import Channel
from app.rules.cases import CaseState
from tests.agreement_support import draft, people, settled_case, sign_all
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.confirmation_support import give_creditor_papers, upload
from tests.papers_support import record_poa

try:
    from playwright.sync_api import Browser, Locator, Page, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

# The journeys' browser helpers (English on a new context, steps that fail with the page's
# error text, the console watch, the phone's sideways-scroll check, the signing steps).
from tests.browser.test_agreement_journey import (  # noqa: E402
    ask_for_code,
    confirm,
    draw_signature,
    open_case,
    signing_code,
    type_signature,
)
from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    flash,
    heading,
    pdf_bytes,
    screenshot,
    section,
    sign_in,
    submit,
    url_is,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser

DEFAULT_COURT = "北京市朝阳区人民法院"  # the debtor's domicile: listed first, preselected
COURT = "北京市东城区人民法院"  # where the mediation organisation is
COURT_CASE_NUMBER = "(2026)京0105民特123号"
MISSING_EVIDENCE = "The package lacks the evidence of the debt. Add it before filing."
RELEASE = re.compile(r"^Release the package to ")
HASH = re.compile(r"^[0-9a-f]{64}$")


# --- the database -------------------------------------------------------------------------


def agreement_in_force_without_disbursement() -> tuple[dict[str, Any], Case]:
    """The case at IN_FORCE: a contract, a power of attorney and the identity papers (the
    debtor's ID copy, the agent's proof, the creditor's licences) on file, no disbursement
    record; the terms accepted two hours before the agreement."""
    who = people()
    case = settled_case(who, accepted_at=clock.now() - timedelta(hours=2))
    name, text = "借款合同.pdf", "Loan contract HT-2024-0301-017"
    add_evidence(
        who["creditor"], case, io.BytesIO(pdf_bytes(text)), name, EvidenceCategory.CONTRACT, name
    )
    record_poa(who["creditor"], case, pdf_bytes("Power of attorney for the bank"))
    give_creditor_papers(case.creditor_org)
    for paper in (
        EvidenceCategory.ID_FRONT,
        EvidenceCategory.ID_BACK,
        EvidenceCategory.AGENT_PROOF,
    ):
        upload(who, case, paper)
    sign_all(case, draft(case, who), who)
    assert case.state == CaseState.IN_FORCE
    return who, case


def _package(case_id: int) -> ConfirmationPackage:
    """The case's newest package, read afresh (no transaction left open by the caller)."""
    db.session.expire_all()
    package = db.session.scalar(
        select(ConfirmationPackage)
        .where(ConfirmationPackage.case_id == case_id)
        .order_by(ConfirmationPackage.number.desc())
    )
    assert package is not None, "releasing made no package row"
    return package


def package_sha(case_id: int) -> str:
    sha = _package(case_id).current_sha256
    db.session.close()
    assert sha and HASH.match(sha), f"the package has no file: {sha!r}"
    return sha


# --- the pages ----------------------------------------------------------------------------


def confirmation_card(page: Page) -> Locator:
    return section(page, "Judicial confirmation")


def findings(page: Page, severity: str) -> Locator:
    return page.locator(f"ul.findings li.finding-{severity}")


def release_button(page: Page) -> Locator:
    return page.get_by_role("button", name=RELEASE)


def open_checks(page: Page, case_id: int) -> None:
    card = confirmation_card(page)
    link = card.get_by_role("link", name="Run the checks and release the package")
    submit(page, link, "mediator: run the checks")
    expect(page).to_have_url(url_is(rf"/cases/{case_id}/confirmation"))
    expect(heading(page, "Judicial confirmation: checks and court")).to_be_visible()


def expect_package_signed(page: Page, signed: dict[str, str]) -> None:
    """The package's signatures table: debtor and creditor, each signed or not yet."""
    rows = confirmation_card(page).locator("table.signatures tbody tr")
    expect(rows).to_have_count(2)
    for role in ("Debtor", "Creditor"):
        row = rows.filter(has=page.get_by_role("rowheader", name=role, exact=True))
        name = signed.get(role)
        expect(row.locator("td").first).to_have_text(name or "Not yet signed")
        expect(row.locator("time")).to_have_count(1 if name else 0)


def open_package_signing(page: Page, reference: str, sha256: str, who: str) -> None:
    """From the case page, the sign page of package 1: the exact file's hash shown."""
    card = confirmation_card(page)
    link = card.get_by_role("link", name="Review and sign the application")
    submit(page, link, f"{who}: review and sign the application")
    expect(heading(page, "Sign the application for judicial confirmation")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(f"Case {reference} · Package 1")
    expect(page.locator("code.hash")).to_have_text(sha256)
    expect(page.locator("input[name=seen_sha256]")).to_have_value(sha256)
    # The package's pages as images (a phone shows no PDF in a frame), the key terms above.
    pages = page.get_by_role("list", name="The confirmation package (PDF)").get_by_role("img")
    expect(pages.first).to_be_visible()
    expect(pages.first).to_have_attribute("alt", re.compile(r"^Page 1 of \d+$"))
    expect(page.get_by_role("heading", name="Key terms of the agreement")).to_be_visible()


def sign_application(page: Page, who: str) -> None:
    submit(page, page.get_by_role("button", name="Sign", exact=True), f"{who}: sign")
    expect(flash(page)).to_have_text("You signed the application.")
    card = confirmation_card(page)
    expect(card.get_by_role("link", name="Review and sign the application")).to_have_count(0)


def record(page: Page, form: Locator, button: str, who: str) -> None:
    submit(page, form.get_by_role("button", name=button, exact=True), who)
    expect(flash(page)).to_have_text("Recorded.")


# --- the journey --------------------------------------------------------------------------


def test_checks_block_until_evidence_is_added_parties_sign_court_confirms(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    # 0. An agreement in force; the disbursement record is missing from the evidence.
    who, case = agreement_in_force_without_disbursement()
    case_id, reference = case.id, case.reference
    ids = {role: who[role].id for role in ("debtor", "creditor", "mediator")}
    emails = {role: who[role].email for role in ("debtor", "creditor", "mediator")}
    names = {role: who[role].name for role in ("debtor", "creditor", "mediator")}
    db.session.close()  # the live server's threads use their own sessions

    disbursement = tmp_path / "disbursement-record.pdf"
    disbursement.write_bytes(pdf_bytes("Disbursement record: 50000 yuan paid 2024-03-02"))
    disbursement_sha = hashlib.sha256(disbursement.read_bytes()).hexdigest()

    watch = Watch()
    layout: list[str] = []  # checked last, so one overflow does not hide the rest

    def new_page(role: str, width: int = 1280) -> Any:
        return browser_page(chromium, live_server, watch, role, width)

    with ExitStack() as stack:
        # 1. The mediator runs the checks: the missing evidence blocks the release.
        mediator = stack.enter_context(new_page("mediator"))
        sign_in(mediator, emails["mediator"])
        expect(mediator).to_have_url(url_is("/docket"))
        open_case(mediator, reference, case_id, "mediator")
        expect(mediator.locator(".badge-state")).to_have_text("Agreement in force")
        expect(confirmation_card(mediator).locator(".deadline")).to_contain_text(
            "Apply to the court by"
        )
        open_checks(mediator, case_id)
        blocks = findings(mediator, "block")
        expect(blocks).to_have_count(1)
        expect(blocks).to_have_attribute("data-code", "confirm.document_missing")
        expect(blocks).to_contain_text("Must be fixed")
        expect(blocks).to_contain_text(MISSING_EVIDENCE)
        expect(findings(mediator, "warn")).not_to_have_count(0)
        expect(release_button(mediator)).to_be_disabled()
        expect(mediator.get_by_role("main")).to_contain_text("Fix what must be fixed above first.")
        screenshot(mediator, artifacts / "confirmation-checks-blocked-1280.png")

        # 2. The creditor adds the disbursement record to the evidence.
        with new_page("creditor") as page:
            sign_in(page, emails["creditor"])
            expect(page).to_have_url(url_is("/creditor"))
            open_case(page, reference, case_id, "creditor")
            evidence = section(page, "Evidence")
            file_input = evidence.get_by_label(re.compile(r"^File \(PDF, JPEG or PNG"))
            file_input.set_input_files(disbursement)
            evidence.get_by_label("Category", exact=True).select_option(label="Disbursement record")
            evidence.get_by_label("Description", exact=True).fill("Bank transfer, 2024-03-02")
            submit(page, evidence.get_by_role("button", name="Upload"), "creditor: upload")
            expect(flash(page)).to_have_text("The file was added to the case's evidence.")
            expect(section(page, "Evidence")).to_contain_text(disbursement.name)

        # 3. The mediator reloads the checks: no block; acknowledges the warnings.
        mediator.reload()
        expect(findings(mediator, "block")).to_have_count(0)
        warnings = findings(mediator, "warn")
        codes = warnings.evaluate_all("items => items.map(i => i.dataset.code)")
        assert "confirm.fast_agreement" in codes, codes
        expect(release_button(mediator)).to_be_disabled()
        expect(mediator.get_by_role("main")).to_contain_text("Acknowledge every warning first.")
        for box in warnings.get_by_role("checkbox", name="I have read this warning").all():
            box.check()
        submit(
            mediator,
            mediator.get_by_role("button", name="Record my acknowledgement"),
            "mediator: acknowledge the warnings",
        )
        expect(flash(mediator)).to_have_text("Your acknowledgement is recorded.")
        expect(warnings.locator(".badge")).to_have_text(["Acknowledged"] * len(codes))
        expect(mediator.get_by_role("checkbox")).to_have_count(0)

        # 4. Picks a competent court, checks for it and releases the package.
        choices = mediator.get_by_role("group", name="Competent courts").get_by_role("radio")
        expect(choices.first).to_have_value(DEFAULT_COURT)
        expect(choices.first).to_be_checked()
        expect(release_button(mediator)).to_have_text(f"Release the package to {DEFAULT_COURT}")
        mediator.get_by_role("radio", name=re.compile(rf"^{COURT}")).check()
        submit(
            mediator,
            mediator.get_by_role("button", name="Check for this court"),
            "mediator: check for this court",
        )
        expect(mediator.get_by_role("radio", name=re.compile(rf"^{COURT}"))).to_be_checked()
        expect(findings(mediator, "block")).to_have_count(0)
        expect(release_button(mediator)).to_have_text(f"Release the package to {COURT}")
        expect(release_button(mediator)).to_be_enabled()
        screenshot(mediator, artifacts / "confirmation-checks-ready-1280.png")
        mediator.set_viewport_size({"width": 360, "height": 800})
        layout += wider_than_screen(mediator, "the checks page")
        mediator.set_viewport_size({"width": 1280, "height": 800})
        submit(mediator, release_button(mediator), "mediator: release the package")
        expect(mediator).to_have_url(url_is(rf"/cases/{case_id}"))
        expect(flash(mediator)).to_have_text(
            "The package is being assembled. The parties are asked to sign the application."
        )
        card = confirmation_card(mediator)
        expect(card.get_by_role("heading", level=3).first).to_have_text(f"Package 1 to {COURT}")
        expect(card.locator(".badge")).to_have_text(
            "Waiting for the parties to sign the application"
        )
        expect_package_signed(mediator, {})
        expect(card.get_by_role("link", name="Review and sign the application")).to_have_count(0)

    released = _package(case_id)
    assert released.status == PackageStatus.SIGNING, released.render_error
    assert released.court_name == COURT
    assert {a["code"] for a in released.acknowledged} == set(codes)
    base = released.current_sha256 or ""
    db.session.close()
    assert HASH.match(base)

    # 5. The debtor, on a phone, signs the application with a drawn signature.
    with new_page("debtor", width=360) as page:
        sign_in(page, emails["debtor"])
        open_case(page, reference, case_id, "debtor")
        expect_package_signed(page, {})
        layout += wider_than_screen(page, "the debtor's case page with the package")
        open_package_signing(page, reference, base, "debtor")
        ask_for_code(page, re.compile(r"^SMS to "), "text message", "debtor")
        confirm(page, signing_code(ids["debtor"], Channel.SMS))
        draw_signature(page)
        screenshot(page, artifacts / "package-sign-debtor-360.png")
        layout += wider_than_screen(page, "the debtor's package sign page")
        sign_application(page, "debtor")
        expect(page).to_have_url(url_is(rf"/cases/{case_id}"))
        expect_package_signed(page, {"Debtor": names["debtor"]})

    # 6. The creditor signs with a typed name, the code by email.
    with new_page("creditor again") as page:
        sign_in(page, emails["creditor"])
        open_case(page, reference, case_id, "creditor")
        after_debtor = package_sha(case_id)
        assert after_debtor != base, "the debtor's signature changed no bytes"
        open_package_signing(page, reference, after_debtor, "creditor")
        screenshot(page, artifacts / "package-sign-creditor-1280.png")
        ask_for_code(page, re.compile(r"^Email to "), "email", "creditor")
        confirm(page, signing_code(ids["creditor"], Channel.EMAIL))
        type_signature(page, names["creditor"])
        sign_application(page, "creditor")
        expect_package_signed(page, {"Debtor": names["debtor"], "Creditor": names["creditor"]})
        expect(confirmation_card(page).locator(".badge")).to_have_text(
            "Signed by both parties: ready to file"
        )

    # 7. The debtor downloads the package; a visitor finds it genuine at /verify.
    package_pdf = tmp_path / "package.pdf"
    with new_page("debtor again") as page:
        sign_in(page, emails["debtor"])
        open_case(page, reference, case_id, "debtor")
        card = confirmation_card(page)
        final = card.locator("code.hash").inner_text().strip()
        with page.expect_download() as download:
            card.get_by_role("link", name="Download the package (PDF)").click()
        assert download.value.suggested_filename == f"package-{reference}-1.pdf"
        download.value.save_as(package_pdf)
    data = package_pdf.read_bytes()
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    assert hashlib.sha256(data).hexdigest() == final == package_sha(case_id)
    attached = {
        hashlib.sha256(blob).hexdigest()
        for blobs in PdfReader(io.BytesIO(data)).attachments.values()
        for blob in blobs
    }
    assert disbursement_sha in attached, "the uploaded disbursement record is not attached"

    with new_page("visitor") as page:
        page.goto("/verify")
        page.get_by_label("PDF file", exact=True).set_input_files(package_pdf)
        submit(page, page.get_by_role("button", name="Verify", exact=True), "visitor: verify")
        result = page.locator("#verify-result")
        expect(result).to_have_class(re.compile(r"\baccepted\b"))
        expect(result.get_by_role("heading", level=2)).to_have_text("Genuine and unaltered")
        facts = {
            "SHA-256": final,
            "Case": reference,
            "Document": "Judicial confirmation package, Version 1",
            "Status": "Signed by both parties: ready to file",
        }
        for term, value in facts.items():
            expect(result.locator(f"dt:text-is('{term}') + dd")).to_have_text(value)
        checks = result.locator("table.signatures tbody tr td:last-child")
        expect(checks).not_to_have_count(0)
        assert set(checks.all_inner_texts()) == {"valid"}, checks.all_inner_texts()

    # 8. The mediator records the filing and the court's confirmation.
    day = today().isoformat()
    with new_page("mediator again") as page:
        sign_in(page, emails["mediator"])
        open_case(page, reference, case_id, "mediator")
        card = confirmation_card(page)
        filing = card.locator("form.outcome-form", has_text="Record the filing")
        filing.get_by_label("Filed on", exact=True).fill(day)
        filing.get_by_label("Court case number", exact=True).fill(COURT_CASE_NUMBER)
        record(page, filing, "Record the filing", "mediator: record the filing")
        expect(page.locator(".badge-state")).to_have_text("Filed for judicial confirmation")
        ruling = card.locator("form.outcome-form", has_text="Record the court's ruling")
        expect(ruling.get_by_role("radio", name="Confirmed", exact=True)).to_be_checked()
        ruling.get_by_label("Date of the ruling", exact=True).fill(day)
        record(page, ruling, "Record the ruling", "mediator: record the ruling")

        expect(page.locator(".badge-state")).to_have_text("Confirmed by the court")
        card = confirmation_card(page)
        expect(card.locator("dt:text-is('Court case number') + dd")).to_have_text(COURT_CASE_NUMBER)
        expect(card.locator("dt:text-is('Ruling') + dd")).to_contain_text("Confirmed on")
        expect(card.locator("form")).to_have_count(0)
        screenshot(page, artifacts / "confirmation-confirmed-1280.png")
        page.set_viewport_size({"width": 360, "height": 800})
        layout += wider_than_screen(page, "the confirmed case page")

        page.goto("/docket")
        row = page.locator("table.docket-table tbody tr").filter(
            has=page.get_by_role("link", name=reference, exact=True)
        )
        expect(row).to_have_count(1)
        expect(row.locator(".docket-state")).to_have_text("Confirmed by the court")

    # 9. In the database: confirmed, both signatures, the steps audited.
    assert watch.problems == [], "\n".join(watch.problems)
    db.session.expire_all()
    stored = db.session.get(Case, case_id)
    assert stored is not None and stored.state == CaseState.CONFIRMED
    package = _package(case_id)
    assert package.status == PackageStatus.READY and package.current_sha256 == final
    assert package.filed_on == today() and package.court_case_number == COURT_CASE_NUMBER
    assert package.ruling == Ruling.CONFIRMED and package.ruling_on == today()
    sigs = {s.role: s for s in package.signatures}
    assert set(sigs) == {"debtor", "creditor"}
    assert sigs["debtor"].method == SignatureMethod.DRAWN
    assert (sigs["debtor"].drawn_png or b"").startswith(b"\x89PNG"), "no drawing was kept"
    assert sigs["debtor"].document_sha256 == base
    assert sigs["creditor"].method == SignatureMethod.TYPED
    assert sigs["creditor"].typed_name == names["creditor"]
    assert sigs["creditor"].result_sha256 == final
    uploaded = db.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.case_id == case_id, EvidenceFile.sha256 == disbursement_sha
        )
    )
    assert uploaded is not None and uploaded.category == EvidenceCategory.DISBURSEMENT
    assert uploaded.uploaded_by_id == ids["creditor"]
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id))
    )
    for action in (
        "case:confirmation:acknowledge",
        "case:confirmation:release",
        "case:package:download",
    ):
        assert action in actions, f"{action} is not in the audit log"
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"

    # 10. On the phone, no page scrolls sideways.
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
