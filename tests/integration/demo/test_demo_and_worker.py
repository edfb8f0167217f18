"""Demo data is idempotent, lets every role sign in and reaches every stage with real,
verifiable PDFs; the worker's task runs for real."""

from __future__ import annotations

import io

import pytest
from flask import Flask, current_app
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select, text

from app import audit
from app.agreements.common import current_agreement
from app.agreements.signing import may_sign, signed_roles
from app.cases.lifecycle import today
from app.confirmation import release as confirmation
from app.confirmation.package.integrity import attachments_of
from app.core import clock
from app.demo.seal import seal_png
from app.demo.seed import DEMO_PASSWORD, MEDIATION_ORG
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models import (
    Agreement,
    AgreementSignature,
    AuditEvent,
    Case,
    ConfirmationPackage,
    CreditorOrganisation,
    EvidenceFile,
    IssuedDocument,
    LicenceType,
    MediationOrganisation,
    OutboundMessage,
    PackageSignature,
    User,
)
from app.models.agreements import AgreementStatus, DocumentKind
from app.models.confirmation import PackageStatus, Ruling
from app.models.evidence import EvidenceCategory
from app.models.negotiation import Proposal
from app.models.repayments import RepaymentBreach, RepaymentPayment, RepaymentReminder
from app.models.users import Role
from app.rules.cases import CaseState
from app.rules.party_kinds import EntityKind
from tests.helpers import Browser
from tests.worlds import Snapshot, restore

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
    EvidenceFile,
    ConfirmationPackage,
    PackageSignature,
    RepaymentBreach,
    RepaymentPayment,
    RepaymentReminder,
)


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) or 0 for m in COUNTED)


def _case_of(email: str) -> Case:
    return db.session.scalars(select(Case).where(Case.debtor_email == email)).one()


def test_seed_demo_creates_the_cast_once(app: Flask, seeded_world: Snapshot) -> None:
    runner = app.test_cli_runner()
    first = restore(seeded_world)  # the first `flask seed-demo` (made once), its output
    assert "Demo data created." in first
    for stage in (
        "negotiating",
        "awaiting signatures",
        "agreement in force",
        "package released",
        "application filed",
        "confirmed by the court",
        "in performance, on track",
        "in performance, a payment awaiting confirmation",
        "in performance, an instalment late",
        "in breach, enforcement applied for",
        "performed and closed",
        "调解终结证明",
    ):
        assert stage in first
    after_first = _counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert " case " not in second.output  # no case is reported as new or moved
    assert _counts() == after_first
    assert after_first[:3] == (1, 2, 17)  # 16 people and the guarantor who joined
    roles = sorted(r.value for r in db.session.scalars(select(User.role)))
    assert roles.count("mediator") == 2 and roles.count("admin") == 1
    assert (
        roles.count("creditor") == 2 and roles.count("debtor") == 12
    )  # the guarantor signs in as a debtor
    licences = set(db.session.scalars(select(CreditorOrganisation.licence_type)))
    assert licences == {LicenceType.BANK, LicenceType.PRIVATE_LENDER}
    creditors = {c.entity_kind: c for c in db.session.scalars(select(CreditorOrganisation))}
    assert set(creditors) == {EntityKind.BRANCH, EntityKind.NATURAL_PERSON}
    assert all(c.address for c in creditors.values())
    # A bank's branch has a 负责人 (民诉法解释 Art. 52); the private lender is a natural
    # person with an identity and neither a credit code nor a representative.
    assert creditors[EntityKind.BRANCH].legal_representative == "周振华"
    lender = creditors[EntityKind.NATURAL_PERSON]
    assert (lender.name, lender.credit_code, lender.legal_representative) == ("张建国", None, None)
    assert (lender.person_sex, str(lender.person_birth_date)) == ("male", "1968-03-15")
    assert lender.id_masked == "310104********0135"
    assert "admin@demo.concord" in second.output
    assert audit.verify_chain().intact


def test_seed_creates_cases_at_the_agreement_stages(app: Flask, seeded: None) -> None:
    negotiating = _case_of("debtor1@demo.concord")
    assert negotiating.state == CaseState.NEGOTIATING
    (offer,) = db.session.scalars(select(Proposal).where(Proposal.case_id == negotiating.id))
    assert offer.state == "open" and offer.side == "debtor"

    awaiting = _case_of("debtor4@demo.concord")
    assert awaiting.state == CaseState.SIGNING
    agreement = current_agreement(awaiting)
    assert agreement is not None and agreement.status == AgreementStatus.SIGNING
    assert signed_roles(agreement) == {"debtor"}
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert may_sign(bank, awaiting, agreement)  # the creditor is next

    in_force = _case_of("debtor5@demo.concord")
    assert in_force.state == CaseState.IN_FORCE
    agreement = current_agreement(in_force)
    assert agreement is not None and agreement.status == AgreementStatus.IN_FORCE
    assert signed_roles(agreement) == {"debtor", "creditor", "mediator"}
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
    agreement = current_agreement(case)
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

    awaiting = current_agreement(_case_of("debtor4@demo.concord"))
    assert awaiting is not None
    partial = verify_pdf(documents.read_pdf(awaiting.current_sha256 or ""), documents.trust_roots())
    assert partial.accepted and len(partial.signatures) == 2  # certified + the debtor


@pytest.mark.parametrize("email", ["debtor4@demo.concord", "debtor5@demo.concord"])
def test_the_stage_debtors_sign_in_and_download_their_agreement(
    app: Flask, seeded: None, email: str
) -> None:
    case = _case_of(email)
    agreement = current_agreement(case)
    assert agreement is not None
    browser = Browser(app.test_client())
    assert browser.login(email, DEMO_PASSWORD).headers["Location"] == "/debtor"
    response = browser.get(f"/cases/{case.id}/agreement/{agreement.version}.pdf")
    assert response.status_code == 200
    assert response.data == documents.read_pdf(agreement.current_sha256 or "")


CONFIRMATION_STAGES = {
    # debtor: (case state, package status, package signed by, court)
    "debtor6@demo.concord": (
        CaseState.IN_FORCE,
        PackageStatus.SIGNING,
        {"debtor"},
        "北京市海淀区人民法院",
    ),
    "debtor7@demo.concord": (
        CaseState.FILED,
        PackageStatus.READY,
        {"debtor", "creditor"},
        "北京市朝阳区人民法院",
    ),
    "debtor8@demo.concord": (
        CaseState.CONFIRMED,
        PackageStatus.READY,
        {"debtor", "creditor"},
        "杭州市西湖区人民法院",
    ),
}


def _package_of(email: str) -> tuple[Case, ConfirmationPackage]:
    case = _case_of(email)
    package = confirmation.current_package(case)
    assert package is not None
    return case, package


@pytest.mark.parametrize("email", sorted(CONFIRMATION_STAGES))
def test_seed_creates_cases_at_the_confirmation_stages(
    app: Flask, seeded: None, email: str
) -> None:
    state, status, signed, court = CONFIRMATION_STAGES[email]
    case, package = _package_of(email)
    assert (case.state, package.status, package.number) == (state, status, 1)
    assert confirmation.package_signed_roles(package) == signed
    assert package.court_name == court
    assert court in {c.court.name for c in confirmation.competent_courts_for(case)}
    # Released through the checks: nothing blocked, every warning acknowledged.
    assert not [f for f in package.findings if f["severity"] == "block"]
    warned = {f["code"] for f in package.findings if f["severity"] == "warn"}
    assert {a["code"] for a in package.acknowledged} == warned
    categories = set(
        db.session.scalars(select(EvidenceFile.category).where(EvidenceFile.case_id == case.id))
    )
    assert {
        EvidenceCategory.CONTRACT,
        EvidenceCategory.DISBURSEMENT,
        EvidenceCategory.ATTORNEY,
    } <= categories
    released_on = clock.day_of(package.released_at)
    if state == CaseState.IN_FORCE:
        assert package.filed_on is None and package.court_case_number is None
        assert case.next_deadline is not None  # the 30-day clock still runs
        return
    assert package.filed_on is not None and released_on <= package.filed_on <= today()
    assert package.court_case_number == f"({package.filed_on.year})" + (
        "京0105民特1208号" if state == CaseState.FILED else "浙0106民特877号"
    )
    if state == CaseState.FILED:
        assert package.ruling is None and package.ruling_on is None
    else:
        assert package.ruling == Ruling.CONFIRMED
        assert package.ruling_on is not None and package.filed_on <= package.ruling_on <= today()


def test_the_creditor_is_asked_to_sign_the_released_package(app: Flask, seeded: None) -> None:
    case, package = _package_of("debtor6@demo.concord")
    bank = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    assert confirmation.may_sign_package(bank, case, package)
    assert not confirmation.may_sign_package(case.debtor_user, case, package)  # done
    browser = Browser(app.test_client())
    browser.login(bank.email, DEMO_PASSWORD)
    page = browser.get(f"/cases/{case.id}/package/{package.number}/sign")
    assert page.status_code == 200


def test_the_demo_mediators_are_appointed_and_their_packages_say_so(
    app: Flask, seeded: None
) -> None:
    """人民调解法 Arts. 13-14: the demo mediators carry an appointment record, which the
    proof that the organisation presided prints."""
    for email in ("mediator1@demo.concord", "mediator2@demo.concord"):
        mediator = db.session.scalars(select(User).where(User.email == email)).one()
        assert mediator.appointment_number and mediator.appointed_on is not None
        assert mediator.appointed_by == MEDIATION_ORG["name"]
    case, package = _package_of("debtor6@demo.concord")
    assert case.mediator is not None
    text = "".join(
        "".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(documents.read_pdf(package.current_sha256 or ""))).pages
    )
    assert f"调解员聘任证书编号{case.mediator.appointment_number}" in text


@pytest.mark.parametrize("email", sorted(CONFIRMATION_STAGES))
def test_the_demo_packages_verify_and_are_registered(app: Flask, seeded: None, email: str) -> None:
    case, package = _package_of(email)
    pdf = documents.read_pdf(package.current_sha256 or "")
    report = verify_pdf(pdf, documents.trust_roots())
    assert report.accepted, report.problem
    signed = CONFIRMATION_STAGES[email][2]
    assert [s.field_name for s in report.signatures] == [
        "organisation",  # the certification comes first
        *(f"sig-{role}" for role in ("debtor", "creditor") if role in signed),
    ]
    for sha, stage in ((package.base_sha256, "certified"), (package.current_sha256, None)):
        facts = documents.lookup_issued(sha or "")
        assert facts is not None and facts.kind == DocumentKind.PACKAGE
        assert (facts.case_reference, facts.version) == (case.reference, package.number)
        assert stage is None or facts.stage == stage
    assert documents.lookup_issued(package.current_sha256 or "").is_latest
    embedded = {documents.sha256_of(data) for data in attachments_of(pdf).values()}
    evidence = set(
        db.session.scalars(select(EvidenceFile.sha256).where(EvidenceFile.case_id == case.id))
    )
    assert evidence <= embedded  # every evidence file, byte for byte


@pytest.mark.parametrize("email", sorted(CONFIRMATION_STAGES))
def test_the_demo_packages_carry_the_identity_papers_and_the_creditors_seal(
    app: Flask, seeded: None, email: str
) -> None:
    """法释〔2011〕5号 Art. 3: the ID copies, licences and the agent's proof as files (specimen
    images, marked 样本 / SPECIMEN); the bank's stamp on the application carries its seal."""
    case, package = _package_of(email)
    assert [
        f.code for f in confirmation.run_checks(case, package.court_name) if "paper" in f.code
    ] == []
    pdf = documents.read_pdf(package.current_sha256 or "")
    kinds = {name.split("-", 2)[2].rsplit("-", 1)[0] for name in attachments_of(pdf)}
    assert {"id_front", "id_back", "agent_proof", "business_licence", "financial_licence"} <= kinds
    if "creditor" in CONFIRMATION_STAGES[email][2]:
        reader = PdfReader(io.BytesIO(pdf))
        widgets = {
            str(a.get_object().get("/T")): a.get_object()
            for page in reader.pages
            for a in (page.get("/Annots") or [])
        }
        stamp = widgets["sig-creditor"]["/AP"]["/N"].get_object()
        assert "/XObject" in stamp["/Resources"]  # the seal, drawn in the agent's stamp


def test_every_demo_account_can_sign_in(app: Flask, seeded: None) -> None:
    homes = {
        Role.ADMIN: "/admin/",
        Role.MEDIATOR: "/docket",
        Role.CREDITOR: "/creditor",
        Role.DEBTOR: "/debtor",
    }
    users = list(db.session.scalars(select(User)))
    assert len(users) == 17
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
    from app.worker import verify_audit_chain_nightly

    audit.record("test:event", actor=None, object_type="t", object_id=1)
    db.session.commit()
    # .call_local runs the task body as the consumer would, without the queue.
    assert verify_audit_chain_nightly.call_local() is True


def test_the_demo_agreements_in_force_have_payments(app: Flask, seeded: None) -> None:
    """The confirmed case: the first instalment recorded by the creditor (on track); the
    filed case: a payment the debtor reported with a receipt, awaiting confirmation."""
    from app.models.repayments import PaymentStatus, RepaymentPayment
    from app.repayments.common import performance_of
    from app.rules.repayments import RepaymentState

    confirmed = _case_of("debtor8@demo.concord")
    (recorded,) = db.session.scalars(
        select(RepaymentPayment).where(RepaymentPayment.case_id == confirmed.id)
    )
    assert recorded.status == PaymentStatus.RECORDED
    status = performance_of(confirmed, today()).status
    assert status.state is RepaymentState.ON_TRACK and status.paid.total == recorded.amount
    filed = _case_of("debtor7@demo.concord")
    (reported,) = db.session.scalars(
        select(RepaymentPayment).where(RepaymentPayment.case_id == filed.id)
    )
    assert reported.status == PaymentStatus.REPORTED and reported.proof_sha256


def test_the_declined_demo_case_has_its_signed_certificate(app: Flask, seeded: None) -> None:
    case = _case_of("debtor3@demo.concord")
    assert case.state == CaseState.CLOSED_NOT_MEDIATED
    (doc,) = db.session.scalars(
        select(IssuedDocument).where(
            IssuedDocument.case_id == case.id,
            IssuedDocument.kind == DocumentKind.FAILURE_CERTIFICATE,
        )
    )
    data = documents.read_pdf(doc.sha256)
    assert verify_pdf(data, documents.trust_roots()).accepted
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert case.debtor_name in text and "第一百九十五条" in text and "调解终结证明" in text
    before = db.session.scalar(select(func.count(IssuedDocument.id)))
    result = current_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == before


@pytest.mark.commits
def test_a_restored_world_leaves_room_for_the_next_row(app: Flask, seeded_world: Snapshot) -> None:
    """A committing test's PostgreSQL database is emptied with RESTART IDENTITY; the world's
    rows come back with their own ids, and the application's next row must not collide
    with them (a browser journey's first sign-in failed on the audit log this way)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER SEQUENCE audit_events_id_seq RESTART"))
        db.session.commit()
    restore(seeded_world)
    largest = db.session.scalar(select(func.max(AuditEvent.id)))
    event = audit.record("test:after-restore", actor=None, object_type="test", object_id=1)
    db.session.commit()
    assert largest is not None and event.id > largest


def test_seed_has_a_finished_import_of_cases_with_its_row_report(app: Flask, seeded: None) -> None:
    from app.models.case_imports import CaseImport, CaseImportRow, CaseImportStatus

    (job,) = db.session.scalars(select(CaseImport))
    assert job.status is CaseImportStatus.DONE
    assert (job.total, job.created, job.refused) == (5, 2, 3)
    codes = list(
        db.session.scalars(
            select(CaseImportRow.code)
            .where(CaseImportRow.import_id == job.id)
            .order_by(CaseImportRow.line)
        )
    )
    assert codes == [None, None, "row_repeated", "invalid_mobile", "evidence_not_in_zip"]
