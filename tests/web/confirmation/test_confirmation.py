"""Judicial confirmation over HTTP (issue 6): the mediator's checks page, acknowledging
warnings, choosing a competent court, releasing the package, the parties signing the
application, audited downloads, filing and the ruling; everyone else is refused."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.cases.evidence import add_evidence
from app.cases.lifecycle import today
from app.core import clock
from app.documents import issued as documents
from app.extensions import db
from app.models import AuditEvent, Case, ConfirmationPackage
from app.models.confirmation import PackageStatus
from app.models.evidence import EvidenceCategory
from app.models.users import User
from app.rules.cases import CaseState
from tests import agreement_support as support
from tests.confirmation_support import give_creditor_papers, upload
from tests.factories import PASSWORD
from tests.helpers import Browser
from tests.papers_support import record_poa
from tests.worlds import Snapshot, Worlds, restore

OUTSIDERS = ("other_creditor", "other_debtor", "foreign_mediator", "colleague_mediator", "admin")
COURT = "北京市朝阳区人民法院"  # the debtor's ID division 110105 and address


def _pdf_bytes(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


@pytest.fixture(scope="session")
def in_force_world(worlds: Worlds) -> Snapshot:
    """The case below, drafted and signed once per session (four PDF signatures); each
    test gets its own copy of the rows and files."""

    def build() -> dict[str, Any]:
        made = _in_force()
        return {"who": {k: u.id for k, u in made["who"].items()}, "case": made["case"].id}

    return worlds.capture("confirmation-in-force", build)


@pytest.fixture
def world(app: Flask, in_force_world: Snapshot) -> dict[str, Any]:
    ids = restore(in_force_world)
    return {
        "who": {k: db.session.get_one(User, i) for k, i in ids["who"].items()},
        "case": db.session.get_one(Case, ids["case"]),
    }


def _in_force() -> dict[str, Any]:
    who = support.people()
    # Accepted two hours before the agreement: the "suspiciously fast" warning fires.
    case = support.settled_case(who, accepted_at=clock.now() - timedelta(hours=2))
    for category, name in (
        (EvidenceCategory.CONTRACT, "借款合同.pdf"),
        (EvidenceCategory.DISBURSEMENT, "放款凭证.pdf"),
    ):
        add_evidence(who["creditor"], case, io.BytesIO(_pdf_bytes(name)), name, category, name)
    record_poa(who["creditor"], case, _pdf_bytes("授权委托书.pdf"))
    # the identity papers as files (法释〔2011〕5号 Art. 3)
    for category in (
        EvidenceCategory.ID_FRONT,
        EvidenceCategory.ID_BACK,
        EvidenceCategory.AGENT_PROOF,
    ):
        upload(who, case, category)
    give_creditor_papers(case.creditor_org)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    assert case.state == CaseState.IN_FORCE
    return {"who": who, "case": case}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _checks(browser: Browser, case_id: int, court: str = COURT) -> str:
    response = browser.get(f"/cases/{case_id}/confirmation?court={court}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _warnings(html: str) -> list[str]:
    import re

    return re.findall(r'name="code" value="([^"]+)"', html)


def _release(app: Flask, world) -> ConfirmationPackage:
    case, mediator = world["case"], world["who"]["mediator"]
    browser = _as(app, mediator)
    page = f"/cases/{case.id}/confirmation?court={COURT}"
    html = _checks(browser, case.id)
    codes = _warnings(html)
    if codes:
        response = browser.submit(
            f"/cases/{case.id}/confirmation/acknowledge", {"code": codes, "court": COURT}, page=page
        )
        assert response.status_code == 302
    response = browser.submit(f"/cases/{case.id}/confirmation/release", {"court": COURT}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    package = db.session.scalar(select(ConfirmationPackage))
    assert package is not None
    db.session.refresh(package)
    return package


def test_the_checks_page_lists_the_competent_courts_and_the_clock(app: Flask, world) -> None:
    html = _checks(_as(app, world["who"]["mediator"]), world["case"].id)
    assert COURT in html and "北京市东城区人民法院" in html  # the organisation's district
    assert world["case"].next_deadline is not None


def test_a_court_that_is_not_competent_is_refused(app: Flask, world) -> None:
    case = world["case"]
    browser = _as(app, world["who"]["mediator"])
    page = f"/cases/{case.id}/confirmation"
    html = _checks(browser, case.id)
    codes = _warnings(html)
    if codes:
        browser.submit(f"/cases/{case.id}/confirmation/acknowledge", {"code": codes}, page=page)
    response = browser.submit(
        f"/cases/{case.id}/confirmation/release", {"court": "上海市浦东新区人民法院"}, page=page
    )
    assert response.status_code == 422
    assert db.session.scalar(select(ConfirmationPackage)) is None


def test_release_waits_for_every_warning_to_be_acknowledged(app: Flask, world) -> None:
    case = world["case"]
    browser = _as(app, world["who"]["mediator"])
    html = _checks(browser, case.id)
    assert "confirm.fast_agreement" in _warnings(html)
    page = f"/cases/{case.id}/confirmation"
    response = browser.submit(f"/cases/{case.id}/confirmation/release", {"court": COURT}, page=page)
    assert response.status_code == 422
    assert db.session.scalar(select(ConfirmationPackage)) is None


def test_the_whole_way_to_a_confirmed_ruling(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    assert package.status == PackageStatus.SIGNING, package.render_error
    for role in ("debtor", "creditor"):
        db.session.refresh(package)
        browser = _as(app, who[role])
        page = f"/cases/{case.id}/package/{package.number}/sign"
        assert browser.get(page).status_code == 200
        browser.submit(f"/cases/{case.id}/package/{package.number}/code", {}, page=page)
        signed = browser.submit(
            page,
            {
                "seen_sha256": package.current_sha256,
                "password": PASSWORD,
                "code": support.last_code(who[role]),
                "method": "typed",
                "typed_name": who[role].name,
            },
            page=page,
        )
        assert signed.status_code == 302, signed.get_data(as_text=True)[:2000]
    db.session.refresh(package)
    assert package.status == PackageStatus.READY
    browser = _as(app, who["debtor"])
    pdf = browser.get(f"/cases/{case.id}/package/{package.number}.pdf?download=1")
    assert pdf.status_code == 200 and documents.sha256_of(pdf.data) == package.current_sha256
    archive = browser.get(f"/cases/{case.id}/package/{package.number}.zip")
    assert archive.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert any(n.endswith(".json") for n in names) and len(names) >= 5
    verified = Browser(app.test_client()).upload(
        "/verify", {"file": (pdf.data, "package.pdf")}, page="/verify"
    )
    assert "verify-result accepted" in verified.get_data(as_text=True)
    downloads = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "case:package:download")
    ).all()
    assert len(downloads) == 2
    mediator = _as(app, who["mediator"])
    shown = f"/cases/{case.id}"
    filed = mediator.submit(
        f"/cases/{case.id}/confirmation/filing",
        {"filed_on": today().isoformat(), "court_case_number": "(2026)京0105民特123号"},
        page=shown,
    )
    assert filed.status_code == 302
    db.session.refresh(case)
    assert case.state == CaseState.FILED
    ruled = mediator.submit(
        f"/cases/{case.id}/confirmation/ruling",
        {"ruling": "confirmed", "ruling_on": today().isoformat(), "reason": ""},
        page=shown,
    )
    assert ruled.status_code == 302
    db.session.refresh(case)
    assert case.state == CaseState.CONFIRMED
    page = mediator.get(shown).get_data(as_text=True)
    assert "(2026)京0105民特123号" in page


def test_a_rejected_ruling_needs_a_reason_and_the_case_can_be_mediated_again(
    app: Flask, world
) -> None:
    from app.confirmation.outcome import record_filing

    case, who = world["case"], world["who"]
    package = _release(app, world)
    for role in ("debtor", "creditor"):
        db.session.refresh(package)
        support_sign_package(case, package, who[role])
    record_filing(who["mediator"], case, today(), "(2026)京0105民特9号")
    mediator = _as(app, who["mediator"])
    shown = f"/cases/{case.id}"
    mediator.submit(
        f"/cases/{case.id}/confirmation/ruling",
        {"ruling": "rejected", "ruling_on": today().isoformat(), "reason": ""},
        page=shown,
    )
    db.session.refresh(case)
    assert case.state == CaseState.FILED  # refused: no reason given
    mediator.submit(
        f"/cases/{case.id}/confirmation/ruling",
        {"ruling": "rejected", "ruling_on": today().isoformat(), "reason": "协议内容不明确"},
        page=shown,
    )
    db.session.refresh(case)
    assert case.state == CaseState.CONFIRMATION_REJECTED
    mediator.submit(f"/cases/{case.id}/confirmation/remediate", {}, page=shown)
    db.session.refresh(case)
    assert case.state == CaseState.NEGOTIATING


def support_sign_package(case, package, user) -> None:
    from app.confirmation import signing
    from app.models.agreements import SignatureMethod
    from app.signing.flow import SignatureInput

    signing.send_package_code(user, case, package, None)
    signing.sign_package(
        user,
        case,
        package,
        SignatureInput(
            version=package.number,
            seen_sha256=package.current_sha256,
            password=PASSWORD,
            code=support.last_code(user),
            method=SignatureMethod.TYPED,
            typed_name=user.name,
            drawn_png=None,
            ip="127.0.0.1",
            user_agent="pytest",
        ),
    )


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_on_every_confirmation_route(app: Flask, world, outsider) -> None:
    case = world["case"]
    package = _release(app, world)
    browser = _as(app, world["who"][outsider])
    n = package.number
    gets = [
        f"/cases/{case.id}/confirmation",
        f"/cases/{case.id}/package/{n}.pdf",
        f"/cases/{case.id}/package/{n}.zip",
        f"/cases/{case.id}/package/{n}/sign",
    ]
    posts = [
        f"/cases/{case.id}/confirmation/acknowledge",
        f"/cases/{case.id}/confirmation/release",
        f"/cases/{case.id}/confirmation/filing",
        f"/cases/{case.id}/confirmation/ruling",
        f"/cases/{case.id}/confirmation/remediate",
        f"/cases/{case.id}/package/{n}/sign",
        f"/cases/{case.id}/package/{n}/code",
    ]
    for url in gets:
        assert browser.get(url).status_code in (403, 404), (outsider, url)
    for url in posts:
        assert browser.submit(url, {"court": COURT}, page="/account/").status_code in (403, 404), (
            outsider,
            url,
        )
    assert (
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case:package:download")
        ).all()
        == []
    )


def test_no_package_before_the_agreement_is_in_force(app: Flask) -> None:
    who = support.people()
    case = support.settled_case(who)
    support.draft(case, who)
    browser = _as(app, who["mediator"])
    assert browser.get(f"/cases/{case.id}/confirmation").status_code == 404
    response = browser.submit(
        f"/cases/{case.id}/confirmation/release", {"court": COURT}, page="/account/"
    )
    assert response.status_code == 404


def test_only_the_creditors_named_agent_signs_the_application(app: Flask, world) -> None:
    from app.confirmation.errors import ConfirmationError

    package = _release(app, world)
    colleague = world["who"]["creditor_colleague"]
    with pytest.raises(ConfirmationError) as refused:
        support_sign_package(world["case"], package, colleague)
    assert refused.value.code == "not_the_agent"
    assert package.signatures == []


@pytest.mark.parametrize(
    ("licence", "kind", "needs_power_of_attorney"),
    [
        ("bank", "branch", True),
        # A company lending privately still acts through an agent (CPL Art. 62).
        ("private_lender", "legal_person", True),
        # A natural person signs in person (人民调解法 Art. 29).
        ("private_lender", "natural_person", False),
    ],
)
def test_a_power_of_attorney_is_needed_only_when_someone_acts_for_the_creditor(
    app: Flask, licence: str, kind: str, needs_power_of_attorney: bool
) -> None:
    from app.confirmation.release import run_checks
    from app.models.organisations import LicenceType
    from app.rules.party_kinds import EntityKind

    who = support.people()
    org = who["creditor"].creditor_org
    org.licence_type, org.entity_kind = LicenceType(licence), EntityKind(kind)
    if org.is_natural_person:
        org.credit_code, org.id_type, org.id_number = None, "resident_id", "310104196803150135"
        org.id_masked, org.phone = "310104********0135", "13900000005"
    db.session.commit()
    case = support.settled_case(who)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    codes = {f.code for f in run_checks(case, COURT)}
    assert ("confirm.agent_without_authority" in codes) is needs_power_of_attorney


def test_a_wrong_code_on_the_package_says_so_and_saves_nothing(app: Flask, world) -> None:
    case, who = world["case"], world["who"]
    package = _release(app, world)
    browser = _as(app, who["debtor"])
    page = f"/cases/{case.id}/package/{package.number}/sign"
    browser.submit(f"/cases/{case.id}/package/{package.number}/code", {}, page=page)
    good = support.last_code(who["debtor"])
    response = browser.submit(
        page,
        {
            "seen_sha256": package.current_sha256,
            "password": PASSWORD,
            "code": "000000" if good != "000000" else "111111",
            "method": "typed",
            "typed_name": "我的名字",
        },
        page=page,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "验证码不正确" in html or "one-time code is not right" in html
    assert "我的名字" in html
    db.session.refresh(package)
    assert package.signatures == []
