"""Demo data is idempotent, lets every role sign in and reaches every stage with real,
verifiable PDFs; the worker's task runs for real."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from app import audit, create_app
from app.documents.verification import verify_pdf
from app.domain.cases import CaseState
from app.extensions import db
from app.models import (
    Agreement,
    AgreementSignature,
    AuditEvent,
    Case,
    CreditorOrganisation,
    IssuedDocument,
    LicenceType,
    MediationOrganisation,
    OutboundMessage,
    User,
)
from app.models.agreements import AgreementStatus
from app.models.negotiation import Proposal
from app.models.users import Role
from app.services import agreements, documents
from app.services.demo import DEMO_PASSWORD, MEDIATION_ORG
from app.services.demo_seal import seal_png
from tests.conftest import PG_URL, make_settings
from tests.helpers import Browser

COUNTED = (
    MediationOrganisation,
    CreditorOrganisation,
    User,
    AuditEvent,
    Case,
    Proposal,
    Agreement,
    AgreementSignature,
    IssuedDocument,
    OutboundMessage,
)


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED)


@pytest.fixture(scope="module")
def seeded_template(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An instance folder (database and blob store) after one ``flask seed-demo``: seeding
    renders and signs real PDFs, which takes seconds, so SQLite tests copy it instead."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(migrated_database, folder / "concord.db")
    app = create_app(make_settings(folder, f"sqlite:///{folder / 'concord.db'}"))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()
    return folder


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, migrated_database: str, instance_path: Path
) -> str:
    """As conftest's, except that a test asking for ``seeded`` starts from the template."""
    if PG_URL:
        return PG_URL
    source = Path(migrated_database)
    if "seeded" in request.fixturenames:
        template: Path = request.getfixturevalue("seeded_template")
        source = template / "concord.db"
        shutil.copytree(template / "storage", instance_path / "storage")
    shutil.copyfile(source, instance_path / "concord.db")
    return f"sqlite:///{instance_path / 'concord.db'}"


@pytest.fixture
def seeded(app: Flask) -> None:
    if PG_URL:  # one shared database, emptied after each test: seed it here
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output


def _case_of(email: str) -> Case:
    return db.session.scalars(select(Case).where(Case.debtor_email == email)).one()


def test_seed_demo_creates_the_cast_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    for stage in ("negotiating", "awaiting signatures", "agreement in force"):
        assert stage in first.output
    after_first = _counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert " case " not in second.output  # no case is reported as new or moved
    assert _counts() == after_first
    assert after_first[:3] == (1, 2, 10)
    roles = sorted(r.value for r in db.session.scalars(select(User.role)))
    assert roles.count("mediator") == 2 and roles.count("admin") == 1
    assert roles.count("creditor") == 2 and roles.count("debtor") == 5
    licences = set(db.session.scalars(select(CreditorOrganisation.licence_type)))
    assert licences == {LicenceType.BANK, LicenceType.PRIVATE_LENDER}
    assert all(
        c.address and c.legal_representative
        for c in db.session.scalars(select(CreditorOrganisation))
    )
    assert "admin@demo.concord" in second.output
    assert audit.verify_chain().intact


def test_seed_creates_cases_at_the_agreement_stages(app: Flask, seeded: None) -> None:
    negotiating = _case_of("debtor1@demo.concord")
    assert negotiating.state == CaseState.NEGOTIATING
    (offer,) = db.session.scalars(select(Proposal).where(Proposal.case_id == negotiating.id))
    assert offer.state == "open" and offer.side == "debtor"

    awaiting = _case_of("debtor4@demo.concord")
    assert awaiting.state == CaseState.SIGNING
    agreement = agreements.current_agreement(awaiting)
    assert agreement is not None and agreement.status == AgreementStatus.SIGNING
    assert agreements.signed_roles(agreement) == {"debtor"}
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert agreements.may_sign(bank, awaiting, agreement)  # the creditor is next

    in_force = _case_of("debtor5@demo.concord")
    assert in_force.state == CaseState.IN_FORCE
    agreement = agreements.current_agreement(in_force)
    assert agreement is not None and agreement.status == AgreementStatus.IN_FORCE
    assert agreements.signed_roles(agreement) == {"debtor", "creditor", "mediator"}
    assert len(agreement.terms["terms"]["schedule"]) == 24
    for case in (negotiating, awaiting, in_force):  # each debtor is a demo account
        assert case.debtor_user is not None and case.debtor_user.email == case.debtor_email


def _widget(pdf: bytes, name: str) -> dict:
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/T") == name:
                return widget
    raise AssertionError(f"no field {name}")


def test_the_in_force_agreement_verifies_and_carries_the_seal(app: Flask, seeded: None) -> None:
    case = _case_of("debtor5@demo.concord")
    agreement = agreements.current_agreement(case)
    assert agreement is not None
    pdf = documents.read_pdf(agreement.current_sha256 or "")
    report = verify_pdf(pdf, documents.trust_roots())
    assert report.accepted, report.problem
    assert [s.field_name for s in report.signatures][1:] == [
        "sig-debtor",
        "sig-creditor",
        "sig-mediator",
    ]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "郑浩" in text and case.creditor_org.name in text and MEDIATION_ORG["name"] in text

    mediator = _widget(pdf, "sig-mediator")["/AP"]["/N"].get_object()
    (image,) = mediator["/Resources"]["/XObject"].values()
    image = image.get_object()
    assert image["/Subtype"] == "/Image"
    assert (int(image["/Width"]), int(image["/Height"])) == (300, 300)  # the demo seal
    debtor = _widget(pdf, "sig-debtor")["/AP"]["/N"].get_object()
    assert "/XObject" not in debtor["/Resources"]  # a typed signature: no image

    awaiting = agreements.current_agreement(_case_of("debtor4@demo.concord"))
    assert awaiting is not None
    partial = verify_pdf(documents.read_pdf(awaiting.current_sha256 or ""), documents.trust_roots())
    assert partial.accepted and len(partial.signatures) == 2  # certified + the debtor


@pytest.mark.parametrize("email", ["debtor4@demo.concord", "debtor5@demo.concord"])
def test_the_stage_debtors_sign_in_and_download_their_agreement(
    app: Flask, seeded: None, email: str
) -> None:
    case = _case_of(email)
    agreement = agreements.current_agreement(case)
    assert agreement is not None
    browser = Browser(app.test_client())
    assert browser.login(email, DEMO_PASSWORD).headers["Location"] == "/debtor"
    response = browser.get(f"/cases/{case.id}/agreement/{agreement.version}.pdf")
    assert response.status_code == 200
    assert response.data == documents.read_pdf(agreement.current_sha256 or "")


def test_every_demo_account_can_sign_in(app: Flask, seeded: None) -> None:
    homes = {
        Role.ADMIN: "/admin/",
        Role.MEDIATOR: "/docket",
        Role.CREDITOR: "/creditor",
        Role.DEBTOR: "/debtor",
    }
    users = list(db.session.scalars(select(User)))
    assert len(users) == 10
    for user in users:
        browser = Browser(app.test_client())
        response = browser.login(user.email, DEMO_PASSWORD)
        assert response.headers["Location"] == homes[user.role], user.email


def test_the_demo_seal_is_a_red_ring_on_transparent_ground(app: Flask, seeded: None) -> None:
    org = db.session.scalars(select(MediationOrganisation)).one()
    assert org.seal_mime == "image/png" and org.seal_image == seal_png(org.name)
    image = Image.open(io.BytesIO(org.seal_image))
    assert image.mode == "RGBA" and image.size == (300, 300)
    assert image.getpixel((0, 0))[3] == 0  # corners transparent
    assert image.getpixel((150, 150))[3] == 255  # the star's centre
    red, green, blue, _ = image.getpixel((150, 150))
    assert red > 200 and green < 60 and blue < 60
    ring = [image.getpixel((x, 150))[3] for x in range(0, 12)]
    assert max(ring) == 255  # the ring at the left edge


def test_nightly_audit_verification_task_reports_the_chain(app: Flask) -> None:
    from app.queue import verify_audit_chain_nightly

    audit.record("test:event", actor=None, object_type="t", object_id=1)
    db.session.commit()
    # .call_local runs the task body as the consumer would, without the queue.
    assert verify_audit_chain_nightly.call_local() is True
