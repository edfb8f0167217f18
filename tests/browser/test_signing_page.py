"""The debtor on a 360 px phone sees what they sign: the agreement's pages as images (a
phone shows no PDF in a frame), the key terms above them, the hash of the file and the
download link, in Chinese, with nothing wider than the screen.

Screenshots: ``tests/artifacts/signing-debtor-360.png`` and ``signing-debtor-1280.png``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader

from app.documents import issued as documents
from app.extensions import db
from tests.agreement_support import draft, people, settled_case
from tests.browser.support import PLAYWRIGHT_MISSING, AxeWatch, unavailable
from tests.factories import PASSWORD

try:
    from playwright.sync_api import Browser, expect
except ImportError as err:  # pragma: no cover - depends on the machine
    unavailable(PLAYWRIGHT_MISSING, str(err), module_level=True)

from tests.browser.test_case_journey import Watch, screenshot, submit  # noqa: E402
from tests.browser.test_negotiation_journey import wider_than_screen  # noqa: E402

pytestmark = pytest.mark.browser


def test_the_debtor_on_a_phone_sees_the_agreements_pages_as_images(
    app: Flask, chromium: Browser, live_server: str, artifacts: Path
) -> None:
    who = people()
    case = settled_case(who, count=12)
    agreement = draft(case, who)
    case_id, sha = case.id, agreement.current_sha256
    assert sha is not None
    pages = len(PdfReader(io.BytesIO(documents.read_pdf(sha))).pages)
    debtor_email = who["debtor"].email
    db.session.close()  # the live server's threads use their own sessions

    watch = Watch()
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        watch.attach(page, "debtor")
        axe = AxeWatch().attach(page)
        page.goto("/login")  # in Chinese, as the debtor's phone is
        page.get_by_label("邮箱或手机号", exact=True).fill(debtor_email)
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        submit(page, page.get_by_role("button", name="登录", exact=True), "debtor: sign in")
        page.goto(f"/cases/{case_id}/agreement/1/sign")
        expect(page.get_by_role("heading", name="签署调解协议")).to_be_visible()
        expect(page.locator("iframe")).to_have_count(0)

        terms = page.locator("#key-terms")
        expect(terms).to_be_visible()
        expect(terms.locator("[data-term=total]")).to_have_text("¥24,000.00")
        expect(terms.locator("[data-term=total_capital]")).to_have_text("人民币贰万肆仟元整")
        expect(terms.locator("[data-term=instalments]")).to_have_text("12")
        expect(page.locator("code.hash")).to_have_text(sha)
        expect(page.get_by_role("link", name="下载 PDF")).to_be_visible()

        images = page.locator("ol.document-pages img")
        expect(images).to_have_count(pages)
        for n in range(1, pages + 1):
            image = page.get_by_role("img", name=f"第 {n} 页，共 {pages} 页")
            image.scroll_into_view_if_needed()
            expect(image).to_be_visible()
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
            )
            box = image.bounding_box()
            assert box is not None and 310 <= box["width"] <= 360, f"page {n} is {box}"
        problems = wider_than_screen(page, "the signing page")
        screenshot(page, artifacts / "signing-debtor-360.png")
        screenshot(page, artifacts / "signing-debtor-1280.png", width=1280)
        first = images.first.bounding_box()
        assert first is not None and first["width"] <= 722, f"at 1280 px a page is {first}"
        report = axe.finish(page)
        assert report is None, report
    finally:
        context.close()
    assert problems == []
    assert watch.problems == []
