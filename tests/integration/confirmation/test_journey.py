"""Journey 6 through the real services, end to end: the agreement signed into force starts
the clock; the mediator checks, releases; the worker builds the package; both parties sign
it; the mediator records the filing and a confirmed ruling."""

from __future__ import annotations

from typing import Any

from app.cases.lifecycle import today
from app.confirmation import release as confirmation
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.extensions import db
from app.models.confirmation import PackageStatus, Ruling
from app.rules.cases import CaseState
from app.rules.claims import Severity
from tests.agreement_support import draft, people, settled_case, sign
from tests.confirmation_support import (
    COMPLETE_EVIDENCE,
    IPS,
    give_creditor_papers,
    sign_as,
    upload,
)

COURT = "北京市朝阳区人民法院"


def test_from_agreement_in_force_to_a_confirmed_ruling(app: Any) -> None:
    # The release asks for the build job; the test queue runs it inline after the commit.
    who = people()
    case = settled_case(who)
    give_creditor_papers(case.creditor_org)
    for category in COMPLETE_EVIDENCE:
        upload(who, case, category)
    agreement = draft(case, who)
    for role in ("debtor", "creditor", "mediator"):
        sign(case, agreement, who[role], typed_name=who[role].name, ip=IPS[role])

    assert case.state == CaseState.IN_FORCE
    deadline = confirmation.confirmation_deadline_for(case)
    assert deadline is not None and case.next_deadline == deadline.end

    findings = confirmation.run_checks(case, COURT)
    assert [f for f in findings if f.severity is Severity.BLOCK] == []
    warnings = [f.code for f in findings if f.severity is Severity.WARN]
    if warnings:  # e.g. the window closing, or next year's calendar not published yet
        confirmation.acknowledge(who["mediator"], case, warnings)
    package = confirmation.release_package(who["mediator"], case, COURT)
    db.session.refresh(package)
    assert package.status == PackageStatus.SIGNING, package.render_error

    sign_as(who["debtor"], case, package, ip=IPS["debtor"])
    sign_as(who["creditor"], case, package, ip=IPS["creditor"])
    assert package.status == PackageStatus.READY
    report = verify_pdf(documents.read_pdf(package.current_sha256), documents.trust_roots())
    assert report.accepted, report.problem

    confirmation.record_filing(who["mediator"], case, today(), "(2026)京0105民特1号")
    confirmation.record_ruling(who["mediator"], case, Ruling.CONFIRMED, today(), None)
    assert case.state == CaseState.CONFIRMED
