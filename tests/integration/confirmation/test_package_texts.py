"""The texts a court clerk reads in the package, read back from the real PDF: the
commitment letters carry the civil-liability sentence (法释〔2011〕5号), the application
is dated (民诉法解释 Art. 354), the agreement says how many originals there are and who
keeps them (人民调解法 Art. 29 para. 3), and the dispute has one name throughout."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from app.confirmation.package import build as service
from app.documents import issued as documents
from app.extensions import db
from app.models.confirmation import PackageStatus
from tests import agreement_support as support
from tests import package_support as ps

LIABILITY = "如因该协议内容给他人造成损害的，愿意承担相应的民事责任。"


@pytest.fixture
def who(app: Flask) -> dict[str, Any]:
    return support.people()


@pytest.fixture
def texts(who: dict[str, Any]) -> tuple[str, str]:
    """The package's text and the signed agreement's, without white space."""
    case, agreement = ps.agreement_in_force(who)
    ps.give_e_service_consent(case, who["debtor"])
    package = ps.released_package(case, agreement, who["mediator"])
    service.build_package(package.id)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error
    return (
        _text(documents.read_pdf(package.current_sha256 or "")),
        _text(documents.read_pdf(agreement.current_sha256 or "")),
    )


def _text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text() for page in pages).split())


def test_judicial_interpretation_2011_5_each_commitment_letter_accepts_civil_liability(
    texts: tuple[str, str],
) -> None:
    """法释〔2011〕5号 and the courts' form of the 承诺书: one letter per party."""
    package, _ = texts
    letters = package[package.index("承诺书") :]
    assert letters.count(LIABILITY) == 2


def test_cpl_interpretation_art_354_the_application_has_a_date_line(
    texts: tuple[str, str],
) -> None:
    package, _ = texts
    application = package[: package.index("附：调解协议书及证据材料")]
    assert "申请日期：2026年12月1日" in application  # released on the frozen day


def test_people_mediation_law_art_29_para_3_originals_and_who_keeps_them(
    texts: tuple[str, str],
) -> None:
    """当事人各执一份，人民调解委员会留存一份: in the agreement and its copy in the package."""
    package, agreement = texts
    for text in (package, agreement):
        assert "本协议一式三份，债权人、债务人各执一份，" in text
        assert "留存一份，各份具有同等法律效力" in text
