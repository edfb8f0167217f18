"""Closed cases for the certificates' tests: one declined by the debtor (through the real
use case, so the certificate is issued by the worker the way production issues it)."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from app.cases.invitations import create_invitation
from app.cases.joining import decline_mediation
from app.core import clock
from app.extensions import db
from app.models import Case
from app.models.invitations import Invitation
from app.models.users import User
from app.rules.cases import CaseState
from tests.factories import make_case

ARTIFACTS = Path(__file__).parent / "artifacts"
DECLINE_REASON = "借款早已还清，债权人另有图谋"  # the debtor's own words: never on the certificate


def declined_case(who: dict[str, User], **kw: Any) -> Case:
    """Submitted five days ago, accepted and invited four days ago, declined today."""
    now = clock.now()
    case = make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.INVITED,
        submitted_at=now - timedelta(days=5),
        accepted_at=now - timedelta(days=4),
        **kw,
    )
    create_invitation(case, now - timedelta(days=4))
    invitation = db.session.scalars(select(Invitation).where(Invitation.case_id == case.id)).one()
    decline_mediation(invitation, DECLINE_REASON)
    db.session.expire_all()
    return case


def pdf_text(data: bytes) -> str:
    """The text of every page without whitespace (the title is letter-spaced, lines wrap)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return "".join(text.split())


def pdf_fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def page_images(data: bytes, name: str) -> list[Path]:
    """The pages as PNG at 60 dpi in tests/artifacts/ (to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}*.png"))
