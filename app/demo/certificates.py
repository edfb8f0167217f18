"""The demo's closed cases carry their certificates: the case 孙伟 declined the
certificate that mediation ended, a performed case its settlement certificate. Issued once:
a case that has its certificate is left alone, so seeding again changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.certificates.issuing import certificate_of, issue_certificate
from app.demo.cases import case_line
from app.extensions import db
from app.models.cases import Case
from app.rules.cases import CaseState

CLOSED = (CaseState.CLOSED_NOT_MEDIATED, CaseState.PERFORMED)


def seed_certificates() -> list[str]:
    """Issue the missing certificate of every closed case; a line for each one issued."""
    notes = []
    cases = db.session.scalars(select(Case).where(Case.state.in_(CLOSED)).order_by(Case.id))
    for case in list(cases):
        if certificate_of(case) is not None:
            continue
        sha = issue_certificate(case.id)
        if sha:
            notes.append(case_line(case, f"certificate issued, sha256 {sha[:12]}…"))
    return notes
