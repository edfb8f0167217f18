"""Journey 8, in a real Chromium and in English: the debtor, on a phone, follows the
invitation, proves who they are and declines mediation; the case closes as not mediated
and the worker issues the certificate that mediation ended (调解终结证明, 民法典 Art. 195);
the creditor downloads it from the case page and a visitor finds it genuine at /verify.

Screenshots: ``tests/artifacts/certificate-declined-debtor-360.png``,
``certificate-creditor-1280.png``, ``certificate-verify-1280.png``; the certificate's page
is rendered to ``tests/artifacts/certificate-mediation-ended-1.png``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import audit
from app.cases.invitations import create_invitation
from app.core import clock
from app.extensions import db
from app.models import AuditEvent, Case
from app.models.users import Role
from app.rules.cases import CaseState
from tests.browser.support import PLAYWRIGHT_MISSING, unavailable
from tests.certificate_support import page_images, pdf_text
from tests.factories import make_case, make_mediation_org, make_user

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import (  # noqa: E402
    Watch,
    browser_page,
    check_page,
    heading,
    latest_code,
    screenshot,
    section,
    sign_in,
    submit,
)
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser

REASON = "我对欠款金额有异议，希望直接诉讼解决。"


def test_debtor_declines_creditor_downloads_the_certificate_which_verifies(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    # 1. A submitted case, accepted by the mediator four days ago: the debtor is invited.
    org = make_mediation_org()
    mediator = make_user(Role.MEDIATOR, mediation_org=org)
    creditor = make_user(Role.CREDITOR)
    now = clock.now()
    case = make_case(
        creditor=creditor,
        mediator=mediator,
        state=CaseState.INVITED,
        submitted_at=now - timedelta(days=5),
        accepted_at=now - timedelta(days=4),
    )
    token = create_invitation(case, now - timedelta(days=4))
    db.session.commit()
    case_id, reference, debtor_name = case.id, case.reference, case.debtor_name
    creditor_email = creditor.email
    assert creditor_email
    db.session.close()  # the live server's threads use their own sessions
    watch = Watch()
    layout: list[str] = []
    certificate = tmp_path / "certificate.pdf"

    # 2. The debtor, on a phone, confirms who they are and declines, saying why.
    with browser_page(chromium, live_server, watch, "debtor", width=360) as page:
        page.goto(f"/invite/{token}")
        check_page(page, "open the invitation link")
        expect(heading(page, "Invitation to mediation")).to_be_visible()
        page.get_by_label("The last 6 characters of your ID number").fill("31002X")
        page.get_by_role("radio", name=re.compile(r"^SMS to 138\*{4}8001$")).check()
        submit(page, page.get_by_role("button", name="Continue"), "confirm the ID number")
        page.get_by_label("One-time code").fill(latest_code())
        submit(page, page.get_by_role("button", name="Confirm"), "enter the one-time code")
        expect(heading(page, "Join the mediation")).to_be_visible()
        page.get_by_text("I do not want mediation").click()
        page.get_by_label("Please tell us why").fill(REASON)
        submit(page, page.get_by_role("button", name="Decline mediation"), "decline")
        expect(heading(page, "Mediation declined")).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"Case {reference} is closed as not mediated")
        screenshot(page, artifacts / "certificate-declined-debtor-360.png")
        layout += wider_than_screen(page, "the page after declining")

    # 3. The creditor finds the case closed, with the certificate, and downloads it.
    with browser_page(chromium, live_server, watch, "creditor") as page:
        sign_in(page, creditor_email)
        page.goto(f"/cases/{case_id}")
        expect(page.locator(".badge-state")).to_have_text(re.compile("not mediated", re.I))
        panel = section(page, "Certificate that mediation ended without agreement")
        expect(panel).to_contain_text("Issued and signed by the mediation organisation on")
        shown = panel.locator("code.hash").inner_text().strip()
        screenshot(page, artifacts / "certificate-creditor-1280.png")
        panel.screenshot(path=artifacts / "certificate-panel-1280.png")
        with page.expect_download() as download:
            panel.get_by_role("link", name="Download", exact=True).click()
        download.value.save_as(certificate)

    data = certificate.read_bytes()
    assert data.startswith(b"%PDF-"), "the download is not a PDF"
    assert hashlib.sha256(data).hexdigest() == shown, "the download is not the file shown"
    text = pdf_text(data)
    assert "调解终结证明" in text and debtor_name in text and reference in text
    assert "第一百九十五条" in text  # the request interrupted the limitation period
    assert REASON not in text  # facts only: the debtor's own words stay off the certificate
    assert len(page_images(data, "certificate-mediation-ended")) == 1

    # 4. Anyone, not signed in, uploads it at /verify: genuine, this case, this document.
    with browser_page(chromium, live_server, watch, "visitor") as page:
        page.goto("/verify")
        page.get_by_label("PDF file", exact=True).set_input_files(certificate)
        submit(page, page.get_by_role("button", name="Verify", exact=True), "visitor: verify")
        result = page.locator("#verify-result")
        expect(result).to_have_class(re.compile(r"\baccepted\b"))
        expect(result.get_by_role("heading", level=2)).to_have_text("Genuine and unaltered")
        facts = {
            "SHA-256": shown,
            "Case": reference,
            "Document": "Certificate that mediation ended without agreement",
            "Stage": "Issued and certified by the mediation organisation",
        }
        for term, value in facts.items():
            expect(result.locator(f"dt:text-is('{term}') + dd")).to_have_text(value)
        screenshot(page, artifacts / "certificate-verify-1280.png")

    # 5. Closed, the certificate issued once and downloaded once; the record is whole.
    assert watch.problems == [], "\n".join(watch.problems)
    if layout:
        pytest.fail("Sideways scrolling on the phone:\n" + "\n".join(layout), pytrace=False)
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == CaseState.CLOSED_NOT_MEDIATED
    actions = list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id))
    )
    assert actions.count("case:certificate:issue") == 1
    assert actions.count("case:certificate:download") == 1
    report = audit.verify_chain()
    db.session.close()
    assert report.intact, f"audit chain broken at event {report.broken_id}: {report.reason}"
