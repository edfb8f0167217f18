"""Sham-mediation signals over HTTP (CPL Art. 115; 民诉法解释 Art. 358): the case page shows
them to the case's mediator only, with masked evidence; a strong one blocks the release
until the mediator lifts it in writing; the justification is printed in the package's
pre-check report; everyone else is refused the lift."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent, ConfirmationPackage
from app.models.confirmation import PackageStatus
from tests.certificate_support import pdf_text
from tests.factories import make_case
from tests.web.confirmation.test_confirmation import COURT, OUTSIDERS, _as, _checks, _warnings

JUSTIFICATION = "两名债务人是夫妻，共用家庭电话；已分别视频核实身份和借款事实。"


def _same_phone_elsewhere(world: dict[str, Any]) -> None:
    """Another debtor of the organisation with this debtor's phone."""
    who, case = world["who"], world["case"]
    make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        debtor_name="李四",
        debtor_id_masked="110101********1234",
        debtor_phone=case.debtor_phone,
        debtor_email="li@example.com",
        debtor_address="上海市浦东新区另一路 9 号",
        created_at=clock.now(),
    )


def test_the_case_page_shows_the_signals_to_the_mediator_only(app: Flask, world) -> None:
    _same_phone_elsewhere(world)
    case = world["case"]
    html = _as(app, world["who"]["mediator"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="collusion"' in html and "confirm.debtors_share_phone" in html
    assert case.debtor_phone[:3] + "****" + case.debtor_phone[-4:] in html
    assert "李*" in html and "李四" not in html
    for role in ("creditor", "debtor", "colleague_mediator", "admin"):
        page = _as(app, world["who"][role]).get(f"/cases/{case.id}")
        assert 'id="collusion"' not in page.get_data(as_text=True), role


def test_everyone_but_the_cases_mediator_is_refused_the_lift(app: Flask, world) -> None:
    _same_phone_elsewhere(world)
    case = world["case"]
    for role in (*OUTSIDERS, "creditor", "debtor"):
        browser = _as(app, world["who"][role])
        response = browser.submit(
            f"/cases/{case.id}/confirmation/lift",
            {"key": "confirm.debtors_share_phone:x", "justification": JUSTIFICATION},
            page="/",
            follow_refusal=False,
        )
        assert response.status_code in (403, 404), role
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:confirmation:lift")
    ).all()


def test_a_lifted_signal_is_printed_with_its_justification_in_the_package(
    app: Flask, world
) -> None:
    _same_phone_elsewhere(world)
    case = world["case"]
    browser = _as(app, world["who"]["mediator"])
    page = f"/cases/{case.id}/confirmation?court={COURT}"
    html = _checks(browser, case.id)
    keys = re.findall(r'name="key" value="([^"]+)"', html)
    assert [k.split(":")[0] for k in keys] == ["confirm.debtors_share_phone"]
    assert "disabled" in html.split('confirmation/release"')[1].split("</form>")[0]

    short = browser.submit(
        f"/cases/{case.id}/confirmation/lift",
        {"key": keys, "justification": "夫妻", "court": COURT},
        page=page,
    )
    assert short.refused_by_redirect and "15" in short.get_data(as_text=True)
    lifted = browser.submit(
        f"/cases/{case.id}/confirmation/lift",
        {"key": keys, "justification": JUSTIFICATION, "court": COURT},
        page=page,
    )
    assert lifted.status_code == 302
    html = _checks(browser, case.id)
    assert JUSTIFICATION in html
    codes = _warnings(html)
    browser.submit(
        f"/cases/{case.id}/confirmation/acknowledge", {"code": codes, "court": COURT}, page=page
    )
    released = browser.submit(f"/cases/{case.id}/confirmation/release", {"court": COURT}, page=page)
    assert released.status_code == 302, released.get_data(as_text=True)[:2000]
    package = db.session.scalar(select(ConfirmationPackage))
    assert package is not None
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    text = pdf_text(documents.read_pdf(package.current_sha256 or ""))
    assert "发布前审查" in text
    assert "调解员已书面说明理由后解除" in text
    assert "".join(JUSTIFICATION.split()) in text
