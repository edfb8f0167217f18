"""Reaching a built judicial-confirmation package through the real services: an agreement
in force (``agreement_support``), evidence uploaded as real PDF and PNG files, a released
package row, and the worker's build."""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import dataclass
from typing import Any

from PIL import Image

from app.cases.evidence import add_evidence
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus
from app.models.evidence import EvidenceCategory, EvidenceFile
from app.models.invitations import Consent
from app.models.users import User
from tests import agreement_support as support
from tests.papers_support import record_poa

COURT = "北京市朝阳区人民法院"
# User text that would embed a server file if it reached the HTML unescaped.
HOSTILE = '<link rel="attachment" href="file:///etc/passwd">'
DIVISION = "110105"


def minimal_pdf(payload: bytes = b"", text: str = "Evidence") -> bytes:
    """A small valid one-page PDF; ``payload`` (e.g. random bytes) rides in a stream."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png(size: int = 0, seed: int = 1) -> bytes:
    """A real PNG; with ``size`` it is padded to about that many bytes of noise."""
    if not size:
        image = Image.new("RGB", (40, 30), (seed * 40 % 256, 120, 200))
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
    side = int((size / 3) ** 0.5) + 1
    raw = os.urandom(side * side * 3)
    image = Image.frombytes("RGB", (side, side), raw)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def random_pdf(size: int) -> bytes:
    """About ``size`` bytes: random (incompressible) data inside a minimal valid PDF."""
    return minimal_pdf(os.urandom(max(size - 700, 0)))


def add_file(
    user: User, case: Case, data: bytes, name: str, category: EvidenceCategory, note: str = ""
) -> EvidenceFile:
    return add_evidence(user, case, io.BytesIO(data), name, category, note)


def standard_evidence(who: dict[str, User], case: Case) -> list[EvidenceFile]:
    """Three files: the contract (PDF), a bank statement (PNG), the power of attorney."""
    creditor = who["creditor"]
    return [
        add_file(
            creditor,
            case,
            minimal_pdf(b"contract"),
            "借款合同.pdf",
            EvidenceCategory.CONTRACT,
            "原件扫描",
        ),
        add_file(creditor, case, png(), "银行流水.png", EvidenceCategory.STATEMENT, HOSTILE),
        record_poa(creditor, case, minimal_pdf(zlib.compress(b"attorney")), "授权委托书.pdf"),
    ]


def agreement_in_force(who: dict[str, User], **case_kw: Any) -> tuple[Case, Agreement]:
    case = support.settled_case(who, count=6, **case_kw)
    agreement = support.draft(case, who)
    support.sign_all(case, agreement, who)
    db.session.refresh(case)
    return case, agreement


def give_e_service_consent(case: Case, debtor: User) -> Consent:
    from app.rules.consents import consent_text

    text = consent_text("e_service")
    consent = Consent(
        user_id=debtor.id,
        case_id=case.id,
        kind="e_service",
        text_version=text.version,
        text=text.zh,
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def released_package(case: Case, agreement: Agreement, mediator: User, number: int = 1):
    package = ConfirmationPackage(
        case_id=case.id,
        agreement_id=agreement.id,
        number=number,
        status=PackageStatus.RENDERING,
        court_name=COURT,
        court_division=DIVISION,
        findings=[],
        acknowledged=[],
        released_by_id=mediator.id,
    )
    db.session.add(package)
    db.session.commit()
    return package


@dataclass
class Built:
    case: Case
    agreement: Agreement
    package: ConfirmationPackage
    evidence: list[EvidenceFile]

    def ids(self) -> tuple[int, int, int, tuple[int, ...]]:
        return (
            self.case.id,
            self.agreement.id,
            self.package.id,
            tuple(e.id for e in self.evidence),
        )

    @classmethod
    def load(cls, ids: tuple[int, int, int, tuple[int, ...]]) -> Built:
        """The same world, read in the running test's session."""
        case, agreement, package, evidence = ids
        return cls(
            db.session.get_one(Case, case),
            db.session.get_one(Agreement, agreement),
            db.session.get_one(ConfirmationPackage, package),
            [db.session.get_one(EvidenceFile, e) for e in evidence],
        )
