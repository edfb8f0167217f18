"""Each kind of creditor, read back from the real PDFs: a bank's branch is represented by
its 负责人 (民诉法解释 Art. 52), never a 法定代表人; a natural-person lender appears with
sex, date of birth and ethnicity, signs in person (人民调解法 Art. 29), needs no power of
attorney and is checked for capacity like the debtor. The agreement every party keeps
masks ID numbers (PIPL Arts. 28, 51); the court package carries them in full (民诉法解释
Art. 354)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.confirmation.facts import facts_for
from app.confirmation.package import build as service
from app.confirmation.party_facts import creditor_facts
from app.documents import issued as documents
from app.enforcement.content import creditor_party as enforcement_creditor
from app.extensions import db
from app.models.agreements import AgreementSignature
from app.models.confirmation import PackageStatus
from app.models.organisations import LicenceType
from app.models.users import Role
from app.rules.confirmability import check_confirmability
from app.rules.party_kinds import EntityKind
from tests import agreement_support as support
from tests import package_support as ps
from tests.factories import make_creditor_org, make_natural_person_creditor, make_user

LENDER_ID = "310104196803150135"
LENDER_ID_MASKED = "310104********0135"
DEBTOR_ID = "11010519491231002X"  # the factory's debtor: a woman born 31 December 1949
DEBTOR_ID_MASKED = "110105********002X"
SHOTS = os.environ.get("CONCORD_SHOTS", "")  # a folder: write page images there


def _creditors(who: dict[str, Any], org: Any, name: str) -> dict[str, Any]:
    creditor = make_user(Role.CREDITOR, creditor_org=org, name=name)
    return {**who, "creditor": creditor, "creditor_colleague": creditor}


@pytest.fixture
def branch(app: Flask) -> dict[str, Any]:
    org = make_creditor_org(
        name="华信银行股份有限公司北京分行",
        entity_kind=EntityKind.BRANCH,
        legal_representative="周振华",
    )
    return _creditors(support.people(), org, "陈立")


@pytest.fixture
def lender(app: Flask) -> dict[str, Any]:
    return _creditors(support.people(), make_natural_person_creditor(), "张建国")


def _package(who: dict[str, Any], **case_kw: Any) -> tuple[Any, str, str, bytes]:
    """A released package of a case settled and signed by all: the case, the package's
    and the agreement's text without white space, and the package PDF (with the signed
    agreement's, under ``[package, agreement]`` shots when asked for)."""
    case, agreement = ps.agreement_in_force(who, **case_kw)
    ps.give_e_service_consent(case, who["debtor"])
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    pdf = documents.read_pdf(package.current_sha256 or "")
    signed = documents.read_pdf(agreement.current_sha256 or "")
    kind = case.creditor_org.entity_kind.replace("_", "-")
    _shots(pdf, f"{kind}-package")
    _shots(signed, f"{kind}-agreement")
    return case, _text(pdf), _text(signed), pdf


def _text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text() for page in pages).split())


def _shots(pdf: bytes, name: str) -> None:
    """Page images for a person to look at (pdftoppm, 60 dpi) when ``CONCORD_SHOTS``
    names a folder and poppler is installed."""
    if not SHOTS or shutil.which("pdftoppm") is None:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(source), str(folder / name)], check=True)


def test_spc_interpretation_art_52_a_branch_is_represented_by_its_person_in_charge(
    branch: dict[str, Any],
) -> None:
    _, package, agreement, _ = _package(branch)
    for text in (package, agreement):
        assert "负责人周振华" in text
        assert "法定代表人" not in text
    # An entity signs through its agent and seal (签章).
    assert "申请人（债权人）签章" in package and "委托代理人：陈立" in package
    assert "债权人（签章）" in agreement


def test_spc_interpretation_art_354_a_natural_person_lender_in_full_in_the_package(
    lender: dict[str, Any],
) -> None:
    case, package, agreement, _ = _package(lender, lender_kind=LicenceType.PRIVATE_LENDER)
    application = package[: package.index("附：调解协议书及证据材料")]
    # The lender: full identity, acting in person, signing in their own name.
    person = f"证件类型居民身份证证件号码{LENDER_ID}性别男出生日期1968年3月15日民族汉族"
    assert f"申请人（债权人）张建国{person}" in application
    assert f"姓名张建国{person}" in package  # the identity section (四)
    assert "委托代理人无（本人参加）" in application
    assert "申请人（债权人）签名" in application
    assert "申请人（债权人）签章" not in application and "委托代理人：" not in application
    assert "统一社会信用代码" not in application
    # The debtor too: the full number, sex and birth date (民诉法解释 Art. 354).
    assert f"证件号码{DEBTOR_ID}性别女出生日期1949年12月31日" in application
    # No power of attorney is asked of a person who acts in person.
    assert "债权人为自然人，本人参加调解并签名，未委托代理人，无需授权委托书。" in package
    for text in (package, agreement):
        assert "法定代表人" not in text and "负责人" not in text and "经办人" not in text


def test_pipl_art_51_the_agreement_masks_both_ids_and_prints_sex_and_birth_date(
    lender: dict[str, Any],
) -> None:
    """Decision (agreement_terms.natural_person): the agreement every party downloads
    identifies people by name, sex, birth date and the MASKED number."""
    _, _, agreement, _ = _package(lender, lender_kind=LicenceType.PRIVATE_LENDER)
    assert LENDER_ID not in agreement and DEBTOR_ID not in agreement
    assert (
        f"性别男出生日期1968年3月15日民族汉族证件类型及号码居民身份证{LENDER_ID_MASKED}"
        in agreement
    )
    assert f"性别女出生日期1949年12月31日证件类型及号码居民身份证{DEBTOR_ID_MASKED}" in agreement
    assert "债权人（签名）" in agreement and "债权人（签章）" not in agreement


def test_a_natural_person_creditor_is_checked_like_the_debtor_and_needs_no_attorney(
    lender: dict[str, Any],
) -> None:
    """人民调解法 Art. 29: signs in person, so no agent and no power of attorney (CPL Art. 62
    does not apply); capacity by age (民法典 Arts. 17–19) and the same ID on both sides
    (CPL Art. 115) are checked for them as for the debtor."""
    case, agreement = ps.agreement_in_force(lender, lender_kind=LicenceType.PRIVATE_LENDER)
    signatures = list(db.session.query(AgreementSignature).filter_by(agreement_id=agreement.id))
    facts = creditor_facts(case, signatures, has_power_of_attorney=False)
    assert facts.is_natural_person and facts.agent is None
    assert facts.id_number == LENDER_ID
    codes = {f.code for f in check_confirmability(facts_for(case, ps.COURT))}
    assert "confirm.agent_without_authority" not in codes
    assert "confirm.party_minor" not in codes and "confirm.same_person" not in codes

    # The same person on both sides is a staged mediation.
    case.debtor_id_number = LENDER_ID
    codes = {f.code for f in check_confirmability(facts_for(case, ps.COURT))}
    assert "confirm.same_person" in codes
    db.session.rollback()

    # A lender under 16 lacks capacity like a debtor would (民法典 Arts. 19, 145).
    org = case.creditor_org
    org.id_number, org.person_birth_date = "110101201501010011", None
    codes = {f.code for f in check_confirmability(facts_for(case, ps.COURT))}
    assert "confirm.party_minor" in codes
    db.session.rollback()


def test_the_enforcement_application_names_a_natural_person_with_full_identity(
    lender: dict[str, Any],
) -> None:
    case, _ = ps.agreement_in_force(lender, lender_kind=LicenceType.PRIVATE_LENDER)
    party = enforcement_creditor(case, None)  # type: ignore[arg-type]  # a person has no agent
    rows = {row["label"]: row["value"] for row in party["rows"]}
    assert party["name_label"] == "姓名" and party["sign_as"] == "（签名）"
    assert (rows["证件号码"], rows["性别"], rows["出生日期"]) == (
        LENDER_ID,
        "男",
        "1968年3月15日",
    )
    assert "法定代表人" not in rows and "委托代理人" not in rows
