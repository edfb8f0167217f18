"""One judicial-confirmation package per kind of party, built through the real use cases
and read back from the PDF: a bank's branch (负责人, 民诉法解释 Art. 52), a consumer-finance
company (法定代表人), an asset manager that acquired the debt by assignment (民法典 Arts.
545–546: the assignment and the notice to the debtor), a natural-person lender who signs in
person (人民调解法 Art. 29) and a branch's case with a joint guarantor (民法典 Art. 688).

Each package: the party section prints the representative the kind calls for and the
full identity the court receives (民诉法解释 Art. 354), the embedded files are the papers
that kind must give (法释〔2011〕5号 Art. 3: licences or the lender's ID copy; the agent's
proof only where an agent acts), no pre-check blocks, and every signature verifies.

With ``CONCORD_SHOTS`` set (a folder), the pages go to ``<folder>/party-packages/<kind>/``
as PNG images (``pdftoppm -r 50``) for a person to look at."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.confirmation import release as confirmation
from app.confirmation.package.integrity import attachments_of
from app.demo.papers import seed_creditor_profile, upload_identity_papers
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.confirmation import PackageStatus
from app.models.evidence import EvidenceCategory
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.cases import CaseState
from app.rules.claims import Severity
from app.rules.party_kinds import EntityKind
from tests.agreement_support import draft, people, sign
from tests.confirmation_support import IPS, sign_as, upload
from tests.factories import make_case, make_creditor_org, make_natural_person_creditor, make_user
from tests.integration.agreements.test_guarantors import (
    GUARANTOR_ID,
    GUARANTOR_PASSWORD,
    add_guarantor,
    join_as_guarantor,
    settle,
)

COURT = "北京市朝阳区人民法院"
DEBTOR_ID = "11010519491231002X"  # the factory's debtor: a woman born 31 December 1949
LENDER_ID = "310104196803150135"  # the factory's natural-person lender
GUARANTOR_IP = "198.51.100.44"
INSTITUTION_PAPERS = {"business_licence", "financial_licence", "agent_proof"}
PERSON_PAPERS = {"lender_id_front", "lender_id_back"}


@dataclass(frozen=True)
class PartyType:
    """One kind of creditor: how its organisation is made, the case's extra fields, and
    what its package must (and must not) say."""

    name: str
    org: Callable[[], Any]
    agent_name: str
    case_kw: dict[str, Any] = field(default_factory=dict)
    representative: str | None = None  # e.g. "负责人周振华"; None: a natural person
    guarantor: bool = False
    expected_text: tuple[str, ...] = ()

    @property
    def natural(self) -> bool:
        return self.representative is None


def _branch() -> Any:
    return make_creditor_org(
        name="华信银行股份有限公司北京分行",
        entity_kind=EntityKind.BRANCH,
        legal_representative="周振华",
    )


def _consumer_finance() -> Any:
    return make_creditor_org(
        name="安和消费金融股份有限公司",
        licence_type=LicenceType.CONSUMER_FINANCE,
        legal_representative="孙立明",
    )


def _asset_manager() -> Any:
    return make_creditor_org(
        name="华融信达资产管理股份有限公司北京市分公司",
        licence_type=LicenceType.ASSET_MANAGER,
        entity_kind=EntityKind.BRANCH,
        legal_representative="郑海涛",
    )


TYPES = [
    PartyType(
        "bank-branch",
        _branch,
        "陈立",
        representative="负责人周振华",
    ),
    PartyType(
        "consumer-finance",
        _consumer_finance,
        "林晓",
        case_kw={"lender_kind": LicenceType.CONSUMER_FINANCE},
        representative="法定代表人孙立明",
    ),
    PartyType(
        "asset-manager-assignee",
        _asset_manager,
        "何平",
        case_kw={
            "lender_kind": LicenceType.ASSET_MANAGER,
            "is_assignee": True,
            "original_lender": "华信银行股份有限公司北京分行",
            "debtor_notified": True,
        },
        representative="负责人郑海涛",
        expected_text=(
            # the contract was the original lender's; the assignment and notice are stated
            "原债权人华信银行股份有限公司北京分行与债务人于2024年3月1日订立借款合同",
            "原债权人已于2025年9月1日将上述债权转让给债权人，并已通知债务人。",
            "原债权人华信银行股份有限公司北京分行转让日期2025年9月1日是否已通知债务人已通知",
        ),
    ),
    PartyType(
        "natural-person-lender",
        make_natural_person_creditor,
        "张建国",
        case_kw={"lender_kind": LicenceType.PRIVATE_LENDER, "annual_rate": "10.0000"},
        expected_text=(f"证件号码{LENDER_ID}性别男出生日期1968年3月15日",),
    ),
    PartyType(
        "bank-branch-guarantor",
        _branch,
        "陈立",
        representative="负责人周振华",
        guarantor=True,
        expected_text=("赵保证", GUARANTOR_ID, "连带责任保证"),
    ),
]


@dataclass
class Package:
    pdf: bytes
    text: str  # all pages, white space removed
    findings: list[Any]
    attachments: dict[str, bytes]


def _people(kind: PartyType) -> dict[str, User]:
    who = people()
    creditor = make_user(Role.CREDITOR, creditor_org=kind.org(), name=kind.agent_name)
    return {**who, "creditor": creditor, "creditor_colleague": creditor}


def _build(app: Flask, kind: PartyType) -> tuple[dict[str, User], Package]:
    """The case settled, its papers given, the agreement signed by all, the package
    released by the mediator (every warning acknowledged, none blocking), built by the
    worker and signed by every applicant."""
    who = _people(kind)
    case_kw = dict(kind.case_kw)
    if "annual_rate" in case_kw:
        from decimal import Decimal

        case_kw["annual_rate"] = Decimal(case_kw["annual_rate"])
    if kind.case_kw.get("is_assignee"):
        from datetime import date

        case_kw["assignment_date"] = date(2025, 9, 1)
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
        **case_kw,
    )
    guarantor = None
    if kind.guarantor:  # added and joined while the parties negotiate
        add_guarantor(app, who["mediator"], case)
        _, guarantor = join_as_guarantor(app)
    settle(case, who)
    org = case.creditor_org
    seed_creditor_profile(org)  # licences and seal, or the lender's ID copy
    upload_identity_papers(case, who["creditor"])  # the debtor's ID copy, the agent's proof
    evidence = [EvidenceCategory.CONTRACT, EvidenceCategory.DISBURSEMENT]
    if not kind.natural:
        evidence.append(EvidenceCategory.ATTORNEY)
    if kind.case_kw.get("is_assignee"):
        evidence += [EvidenceCategory.ASSIGNMENT, EvidenceCategory.NOTICE]
    for category in evidence:
        upload(who, case, category)

    agreement = draft(case, who)
    for role in ("debtor", "creditor"):
        sign(case, agreement, who[role], typed_name=who[role].name, ip=IPS[role])
    if guarantor is not None:
        sign(
            case,
            agreement,
            guarantor,
            typed_name="赵保证",
            password=GUARANTOR_PASSWORD,
            ip=GUARANTOR_IP,
        )
    sign(case, agreement, who["mediator"], typed_name="王调解", ip=IPS["mediator"])

    findings = confirmation.run_checks(case, COURT)
    warnings = [f.code for f in findings if f.severity is Severity.WARN]
    if warnings:
        confirmation.acknowledge(who["mediator"], case, warnings)
    package = confirmation.release_package(who["mediator"], case, COURT)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error

    sign_as(who["debtor"], case, package, ip=IPS["debtor"])
    sign_as(who["creditor"], case, package, ip=IPS["creditor"])
    if guarantor is not None:
        sign_as(guarantor, case, package, ip=GUARANTOR_IP, password=GUARANTOR_PASSWORD)
    assert package.status == PackageStatus.READY
    pdf = documents.read_pdf(package.current_sha256 or "")
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    _shots(pdf, kind.name, "package")
    return who, Package(pdf, "".join(text.split()), findings, attachments_of(pdf))


def _shots(pdf: bytes, kind: str, name: str) -> None:
    """Every page as a PNG (50 dpi) under ``$CONCORD_SHOTS/party-packages/<kind>/``."""
    root = os.environ.get("CONCORD_SHOTS")
    if not root or shutil.which("pdftoppm") is None:
        return
    folder = Path(root) / "party-packages" / kind
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(source), str(folder / name)], check=True)


def _creditor_stamp_has_image(pdf: bytes) -> bool:
    """Whether the creditor's signature stamp on the application draws an image (the
    seal, app.signing.flow)."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/T") == "sig-creditor":
                resources = widget["/AP"]["/N"].get_object()["/Resources"]
                return "/XObject" in resources
    raise AssertionError("no creditor signature field")


def _paper_kinds(attachments: dict[str, bytes]) -> set[str]:
    """The identity papers among the embedded files, by kind (``NN-<owner>-<kind>-<id>``)."""
    kinds = set()
    for name in attachments:
        for kind in (
            "id_front",
            "id_back",
            "party_id_front",
            "party_id_back",
            *INSTITUTION_PAPERS,
            *PERSON_PAPERS,
        ):
            if f"-{kind}-" in name:
                kinds.add(kind)
    return kinds


@pytest.mark.parametrize("kind", TYPES, ids=[t.name for t in TYPES])
def test_cpl_interp_art_354_a_package_for_each_kind_of_party(app: Flask, kind: PartyType) -> None:
    who, package = _build(app, kind)
    text = package.text
    application = text[: text.index("附：调解协议书及证据材料")]

    # No pre-check blocks (民诉法解释 Art. 355; app.rules.confirmability).
    assert [f.code for f in package.findings if f.severity is Severity.BLOCK] == []

    # The representative by kind (民诉法解释 Art. 52 for a branch).
    if kind.natural:
        for label in ("法定代表人", "负责人", "经办人", "统一社会信用代码"):
            assert label not in application, label
        assert "委托代理人无（本人参加）" in application
        assert "申请人（债权人）签名" in application
    else:
        assert kind.representative in application
        other = "法定代表人" if kind.representative.startswith("负责人") else "负责人"
        assert other not in application
        assert f"委托代理人：{kind.agent_name}" in application
        assert "申请人（债权人）签章" in application
    if not kind.guarantor:
        assert "双方当事人于" in application
    # The debtor in full: number, sex, birth date (民诉法解释 Art. 354).
    assert f"证件号码{DEBTOR_ID}性别女出生日期1949年12月31日" in application
    for words in kind.expected_text:
        assert words in text, words
    if kind.guarantor:
        # The guarantor applies with the others, with their guarantee (民法典 Art. 688) ...
        assert "申请人（保证人）赵保证当事人地位保证人（连带责任保证）" in application
        assert "保证人赵保证对债务人" in text and "承担连带保证责任" in text
        # Three applicants: 各方, not 双方 (民诉法解释 Art. 353).
        assert "各方当事人于" in application and "双方当事人" not in application
        assert "各方当事人随后在第一部分的签名处签名" in text
        # The presiding proof names who acted: the guarantor signed, not the debtor.
        assert "保证人赵保证签署调解协议（第1版）保证人" in text
        # ... and is named by role in the agreement's signature records, never "—".
        assert "保证人保证人赵保证" in text
        assert "—保证人赵保证" not in text
        assert f"保证人赵保证2026年12月1日10:30{GUARANTOR_IP}" in text  # the platform's record

    # The papers embedded as files (法释〔2011〕5号 Art. 3).
    papers = _paper_kinds(package.attachments)
    expected = {"id_front", "id_back"} | (PERSON_PAPERS if kind.natural else INSTITUTION_PAPERS)
    if kind.guarantor:  # the guarantor's own copy: a party to the agreement too
        expected |= {"party_id_front", "party_id_back"}
    assert papers == expected, sorted(package.attachments)
    # The image papers printed in section 4, each captioned as the copy of the original.
    copies = ("债务人身份证复印件（人像面）", "债务人身份证复印件（国徽面）")
    if kind.guarantor:
        copies += ("保证人赵保证身份证复印件（人像面）", "保证人赵保证身份证复印件（国徽面）")
    if kind.natural:
        copies += ("债权人身份证复印件（人像面）", "债权人身份证复印件（国徽面）")
        assert "债权人出借人" not in text
    else:
        copies += ("债权人营业执照", "债权人金融许可证（或金融业务经营许可文件）")
    for caption in copies:
        assert f"{caption}（与附件原件一致）" in text, caption
    if kind.case_kw.get("is_assignee"):
        names = " ".join(package.attachments)
        assert "-assignment-" in names and "-notice-" in names, names

    # An institution's stamp carries its seal (an image); a person's carries none.
    assert _creditor_stamp_has_image(package.pdf) is not kind.natural

    # Every signature verifies; the applicants all signed.
    report = verify_pdf(package.pdf, documents.trust_roots())
    assert report.accepted, report.problem
    signers = len(report.signatures)
    assert signers == 1 + 2 + int(kind.guarantor)  # the organisation's certification too
