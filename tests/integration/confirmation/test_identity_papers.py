"""Identity and qualification papers as FILES in the judicial-confirmation package
(法释〔2011〕5号 Art. 3: the application attaches 身份证明、资格证明; 民诉法解释 Art. 354):
the pre-checks look for the files, not the numbers on record; the package embeds them
byte for byte, lists them with size and SHA-256 and prints the images; the creditor's
seal goes into its signature stamp on the agreement. Read back from the real PDFs."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader

from app.accounts.creditor_profile import add_creditor_paper, set_creditor_seal
from app.cases.evidence import court_evidence, evidence_of
from app.cases.papers import record_agent_proof, record_identity_copy
from app.confirmation import release as confirmation
from app.confirmation.package import build as service
from app.confirmation.package.archive import package_zip
from app.confirmation.package.integrity import attachments_of
from app.core import clock
from app.demo.seal import seal_png
from app.documents import issued as documents
from app.extensions import db
from app.models.confirmation import PackageStatus
from app.models.evidence import EvidenceCategory
from app.models.organisations import CreditorPaperKind
from app.models.users import Role
from tests import agreement_support as support
from tests import package_support as ps
from tests.confirmation_support import COMPLETE_EVIDENCE, in_force_case, sign_as
from tests.factories import make_case_party, make_user

COURT = "北京市朝阳区人民法院"
SHOTS = Path("/work/shots/papers")
SOURCE = "法释〔2011〕5号）第三条"
CASE_PAPERS = {
    EvidenceCategory.ID_FRONT: "confirm.paper_missing.debtor_id_front",
    EvidenceCategory.ID_BACK: "confirm.paper_missing.debtor_id_back",
    EvidenceCategory.AGENT_PROOF: "confirm.paper_missing.agent_proof",
}


def _paper_blocks(case: Any) -> list[tuple[str, str]]:
    return [
        (f.code, f.source)
        for f in confirmation.run_checks(case, COURT)
        if f.code.startswith("confirm.paper_")
    ]


# --- the pre-checks -------------------------------------------------------------------


def test_with_every_paper_on_file_no_paper_blocks_the_release_fa_shi_2011_5_art_3(
    app: Flask,
) -> None:
    _, case, _ = in_force_case()
    assert _paper_blocks(case) == []


@pytest.mark.parametrize("missing", sorted(CASE_PAPERS))
def test_a_missing_id_copy_side_or_agent_proof_blocks_citing_fa_shi_2011_5_art_3(
    app: Flask, missing: EvidenceCategory
) -> None:
    evidence = tuple(c for c in COMPLETE_EVIDENCE if c != missing)
    _, case, _ = in_force_case(evidence=evidence)
    blocks = _paper_blocks(case)
    assert [code for code, _ in blocks] == [CASE_PAPERS[missing]]
    assert SOURCE in blocks[0][1] and "第三百五十四条" in blocks[0][1]


def test_the_debtors_id_number_on_record_is_not_proof_of_identity(app: Flask) -> None:
    """The old pre-check counted "identity" present whenever an ID number was stored."""
    evidence = tuple(c for c in COMPLETE_EVIDENCE if c not in CASE_PAPERS)
    _, case, _ = in_force_case(evidence=evidence)
    assert case.debtor_id_number
    codes = {code for code, _ in _paper_blocks(case)}
    assert set(CASE_PAPERS.values()) <= codes


def test_a_guarantors_own_id_copy_is_asked_for_and_a_removed_partys_never_reaches_the_court(
    app: Flask,
) -> None:
    """A guarantor signs the agreement and the application as a party (法释〔2011〕5号
    Art. 3): their copy is asked for by name until both sides are on file. Once taken off
    the case, their copy stays on record but goes to no court."""
    who, case, _ = in_force_case()
    guarantor = make_user(Role.DEBTOR, name="赵保证")
    party = make_case_party(
        case, "guarantor", "joint", "赵保证", "110101198001011232", who["mediator"], guarantor
    )
    db.session.refresh(case)
    blocks = [
        f for f in confirmation.run_checks(case, COURT) if f.code.startswith("confirm.paper_")
    ]
    assert [f.code for f in blocks] == [
        "confirm.paper_missing.party_id_front",
        "confirm.paper_missing.party_id_back",
    ]
    assert "保证人赵保证的身份证复印件（人像面）" in blocks[0].message_zh
    assert SOURCE in blocks[0].source
    for side in ("front", "back"):
        record_identity_copy(guarantor, case, side, io.BytesIO(ps.png(seed=5)), f"g-{side}.png")
    assert _paper_blocks(case) == []
    given = [e for e in evidence_of(case) if e.case_party_id == party.id]
    assert [(e.category, e.description) for e in given] == [
        (EvidenceCategory.PARTY_ID_FRONT, "保证人赵保证身份证复印件（人像面）"),
        (EvidenceCategory.PARTY_ID_BACK, "保证人赵保证身份证复印件（国徽面）"),
    ]
    # The debtor's own copy is still the debtor's: the guarantor's did not correct it.
    debtor_copies = [e for e in evidence_of(case) if e.category == EvidenceCategory.ID_FRONT]
    assert len(debtor_copies) == 1 and debtor_copies[0].case_party_id is None
    assert {e.id for e in given} <= {e.id for e in court_evidence(case)}
    party.removed_at = clock.now()
    db.session.commit()
    db.session.refresh(case)
    assert {e.id for e in given} <= {e.id for e in evidence_of(case)}  # kept on record
    assert not {e.id for e in given} & {e.id for e in court_evidence(case)}
    assert _paper_blocks(case) == []


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        (CreditorPaperKind.FINANCIAL_LICENCE, "confirm.paper_missing.business_licence"),
        (CreditorPaperKind.BUSINESS_LICENCE, "confirm.paper_missing.financial_licence"),
    ],
)
def test_a_missing_licence_on_the_creditors_profile_blocks_citing_fa_shi_2011_5_art_3(
    app: Flask, given: CreditorPaperKind, missing: str
) -> None:
    _, case, _ = in_force_case(org_papers=False)
    assert {code for code, _ in _paper_blocks(case)} == {
        "confirm.paper_missing.business_licence",
        "confirm.paper_missing.financial_licence",
    }
    add_creditor_paper(None, case.creditor_org, given, io.BytesIO(ps.minimal_pdf()), "l.pdf")
    blocks = _paper_blocks(case)
    assert [code for code, _ in blocks] == [missing]
    assert SOURCE in blocks[0][1]


def test_an_expired_licence_blocks_until_a_valid_one_is_uploaded(app: Flask) -> None:
    from datetime import date

    _, case, _ = in_force_case()
    org = case.creditor_org
    pdf = io.BytesIO(ps.minimal_pdf(b"old"))
    add_creditor_paper(
        None, org, CreditorPaperKind.FINANCIAL_LICENCE, pdf, "old.pdf", date(2026, 6, 30)
    )
    assert [c for c, _ in _paper_blocks(case)] == ["confirm.paper_expired.financial_licence"]
    pdf = io.BytesIO(ps.minimal_pdf(b"new"))
    add_creditor_paper(
        None, org, CreditorPaperKind.FINANCIAL_LICENCE, pdf, "new.pdf", date(2031, 6, 30)
    )
    assert _paper_blocks(case) == []


def test_a_release_with_a_paper_missing_is_refused_and_names_it(app: Flask) -> None:
    evidence = tuple(c for c in COMPLETE_EVIDENCE if c != EvidenceCategory.ID_BACK)
    who, case, _ = in_force_case(evidence=evidence)
    with pytest.raises(confirmation.ConfirmationBlocked) as raised:
        confirmation.release_package(who["mediator"], case, COURT)
    assert "confirm.paper_missing.debtor_id_back" in [f.code for f in raised.value.findings]


# --- the package read back, and the creditor's seal -------------------------------------


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


def _id_png(text: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (428, 270), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_the_package_embeds_lists_and_prints_every_paper_and_the_agreement_carries_the_seal(
    who: dict[str, Any],
) -> None:
    org = who["creditor"].creditor_org
    set_creditor_seal(None, org, seal_png(org.name))
    case, agreement = ps.agreement_in_force(who)
    ps.give_e_service_consent(case, who["debtor"])
    ps.standard_evidence(who, case)
    front, back = _id_png("front", (200, 220, 240)), _id_png("back", (240, 220, 200))
    record_identity_copy(who["debtor"], case, "front", io.BytesIO(front), "身份证正面.png")
    record_identity_copy(who["debtor"], case, "back", io.BytesIO(back), "身份证反面.png")
    proof = ps.minimal_pdf(b"employment", "Employment")
    record_agent_proof(who["creditor"], case, io.BytesIO(proof), "在职证明.pdf")
    licence = ps.minimal_pdf(b"licence", "Licence")
    financial = _id_png("fin", (230, 230, 200))
    kinds = CreditorPaperKind
    lic = add_creditor_paper(None, org, kinds.BUSINESS_LICENCE, io.BytesIO(licence), "营业执照.pdf")
    fin = add_creditor_paper(
        None, org, kinds.FINANCIAL_LICENCE, io.BytesIO(financial), "金融许可证.png"
    )
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error

    pdf = documents.read_pdf(package.current_sha256)
    attached = attachments_of(pdf)
    by_kind = {name.split("-", 2)[2].rsplit("-", 1)[0]: data for name, data in attached.items()}
    assert by_kind["id_front"] == front and by_kind["id_back"] == back
    assert by_kind["agent_proof"] == proof
    assert by_kind["business_licence"] == licence and by_kind["financial_licence"] == financial
    assert f"creditor-business_licence-{lic.id}.pdf" in " ".join(attached)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(text.split())
    for words in ("债权人资格证明", "营业执照.pdf", "金融许可证.png", "在职证明.pdf"):
        assert words in flat
    assert hashlib.sha256(licence).hexdigest() in flat  # listed with its SHA-256
    assert "债务人身份证复印件（人像面）（与附件原件一致）" in flat  # the image is printed
    assert f"creditor-financial_licence-{fin.id}.png" in flat

    # A newer licence later does not change the package: the ZIP checks the one embedded.
    add_creditor_paper(
        None, org, kinds.BUSINESS_LICENCE, io.BytesIO(ps.minimal_pdf(b"v2")), "新.pdf"
    )
    names = zipfile.ZipFile(io.BytesIO(package_zip(package))).namelist()
    assert any(n.endswith(f"creditor-business_licence-{lic.id}.pdf") for n in names)

    _look_at(pdf, "package", first=1, last=None, contains="债权人资格证明")
    _look_at(pdf, "package-copies", first=1, last=None, contains="（与附件原件一致）")
    signed_agreement = documents.read_pdf(agreement.current_sha256 or "")
    _assert_creditor_stamp_has_the_seal(signed_agreement)
    _look_at(
        signed_agreement, "agreement-signatures", first=1, last=None, contains="债权人（签章）"
    )

    # The court application: the creditor's agent signs it, the seal goes into that stamp.
    sign_as(who["debtor"], case, package, ip="198.51.100.7")
    sign_as(who["creditor"], case, package, ip="203.0.113.20")
    application = documents.read_pdf(package.current_sha256 or "")
    _assert_creditor_stamp_has_the_seal(application)
    _look_at(application, "application", first=1, last=None, contains="申请人（债权人）签章")


def _assert_creditor_stamp_has_the_seal(pdf: bytes) -> None:
    """The creditor's stamp carries an image (its seal) and says it is sealed; the
    debtor's typed signature carries none."""
    reader = PdfReader(io.BytesIO(pdf))
    widgets = {
        str(a.get_object().get("/T")): a.get_object()
        for page in reader.pages
        for a in (page.get("/Annots") or [])
    }
    creditor = widgets["sig-creditor"]["/AP"]["/N"].get_object()
    debtor = widgets["sig-debtor"]["/AP"]["/N"].get_object()
    assert "/XObject" in creditor["/Resources"]
    assert "/XObject" not in debtor["/Resources"]


def _look_at(pdf: bytes, name: str, *, first: int, last: int | None, contains: str) -> None:
    """The page holding ``contains`` as a PNG in /work/shots/papers/ (``pdftoppm -r 60``),
    for a person to look at."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = [
        i
        for i, p in enumerate(reader.pages, start=1)
        if contains in "".join(p.extract_text().split())
    ]
    assert pages, contains
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = SHOTS / f"{name}.pdf"
    source.write_bytes(pdf)
    for page in pages[-2:]:
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(SHOTS / f"{name}-p{page}"),
            ],
            check=True,
        )
    source.unlink()


def test_a_natural_person_lender_gives_their_id_copy_and_carries_no_seal(app: Flask) -> None:
    """A natural person appears and signs as such (法释〔2011〕5号 Art. 3: 身份证明): their
    ID copy instead of licences, no agent's proof, and no seal even if one was stored."""
    from app.models.organisations import LicenceType
    from app.rules.party_kinds import EntityKind
    from tests.confirmation_support import give_creditor_papers

    _, case, _ = in_force_case()
    org = case.creditor_org
    org.licence_type = LicenceType.PRIVATE_LENDER
    org.entity_kind = EntityKind.NATURAL_PERSON
    org.seal_image, org.seal_mime = seal_png("张建国"), "image/png"
    db.session.commit()
    assert [code for code, _ in _paper_blocks(case)] == [
        "confirm.paper_missing.lender_id_front",
        "confirm.paper_missing.lender_id_back",
    ]
    give_creditor_papers(org)
    assert _paper_blocks(case) == []
    assert org.seal_png is None
