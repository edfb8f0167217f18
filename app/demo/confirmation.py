"""Demo cases after the agreement took effect (CPL Art. 205): a judicial-confirmation
package released and signed by the debtor (the creditor's signature next), an application
filed with the court, and an agreement the court confirmed.

Each case is taken to "agreement in force" exactly as :mod:`app.demo.stages` takes its
cases, after the creditor has uploaded what the pre-checks require on top of the contract:
the disbursement record (:mod:`app.demo.evidence`) and the power of attorney of its
employee, who acts for it (CPL Art. 62). Then everything goes through the real use cases:
the mediator runs the checks, acknowledges the warnings they raise (an agreement reached
in minutes always raises ``confirm.fast_agreement``) and releases the package to the
court of the debtor's domicile; the worker's task builds and certifies it (the queue runs
inline while seeding); each party asks for a one-time code, read back from the outbox,
and signs; the mediator records the filing and the ruling, both dated today (neither may
be in the future nor before the release). Each step looks at where the case is, so a second run
changes nothing and an interrupted run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.confirmation.package.build import build_package
from app.confirmation.release import (
    ConfirmationError,
    acknowledge,
    current_package,
    package_signed_roles,
    pending_acknowledgements,
    record_filing,
    record_ruling,
    release_package,
    run_checks,
    send_package_code,
    sign_package,
)
from app.confirmation.signing import PACKAGE_SIGNERS
from app.core import clock
from app.demo.cases import DemoCase, start_case
from app.demo.evidence import upload_evidence
from app.demo.papers import upload_identity_papers
from app.demo.stages import (
    SIGN_ORDER,
    StageCase,
    advance,
    case_of,
    code_sent_to,
    demo_user,
    inline_queue,
)
from app.extensions import db
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageStatus, Ruling
from app.models.organisations import MediationOrganisation
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.claims import Severity
from app.signing.flow import SignatureInput

AFTER_AGREEMENT = (CaseState.IN_FORCE, CaseState.FILED, CaseState.CONFIRMED)


class Target(StrEnum):
    """How far a demo case goes."""

    PACKAGE_SIGNING = "package_signing"  # released; the parties in ``package_signers`` signed
    FILED = "filed"
    CONFIRMED = "confirmed"


@dataclass(frozen=True)
class ConfirmationCase:
    stage: StageCase  # taken to "agreement in force" first (all three sign)
    target: Target
    court: str  # one of the competent courts: the debtor's domicile
    court_case_number: str  # the court's number without its "(year)" prefix
    package_signers: tuple[str, ...] = PACKAGE_SIGNERS


def _stage(case: DemoCase, total: str, instalments: int) -> StageCase:
    return StageCase(case, "bank@demo.concord", Decimal(total), instalments, SIGN_ORDER)


CONFIRMATION_CASES = (
    ConfirmationCase(
        _stage(
            DemoCase(
                CaseState.NEGOTIATING,
                "黄磊",
                "110108198604213217",
                "13800138006",
                "debtor6@demo.concord",
                "50000",
                "32000",
                "1850",
                "400",
                contract_number="HT-2024-0921",
                address="北京市海淀区中关村大街 27 号 1 号楼 801 室",
            ),
            "33000.00",
            12,
        ),
        Target.PACKAGE_SIGNING,
        "北京市海淀区人民法院",
        "",
        ("debtor",),
    ),
    ConfirmationCase(
        _stage(
            DemoCase(
                CaseState.NEGOTIATING,
                "林静",
                "110105199009124522",
                "13800138007",
                "debtor7@demo.concord",
                "120000",
                "86000",
                "5160",
                "1500",
                contract_number="HT-2024-0517",
                address="北京市朝阳区望京街 10 号院 2 号楼 1203 室",
            ),
            "88000.00",
            24,
        ),
        Target.FILED,
        "北京市朝阳区人民法院",
        "京0105民特1208号",
    ),
    ConfirmationCase(
        _stage(
            DemoCase(
                CaseState.NEGOTIATING,
                "何军",
                "330106199211034413",
                "13800138008",
                "debtor8@demo.concord",
                "40000",
                "22500",
                "1350",
                "300",
                contract_number="HT-2024-0302",
                address="浙江省杭州市西湖区文三路 90 号 5 幢 302 室",
            ),
            "23000.00",
            12,
        ),
        Target.CONFIRMED,
        "杭州市西湖区人民法院",
        "浙0106民特877号",
    ),
)


def seed_confirmation(org: MediationOrganisation, password: str) -> list[str]:
    """Take each confirmation demo case as far as its spec says; return a line for each
    case that moved (its new stage), or why it could not."""
    notes: list[str] = []
    with inline_queue():
        for spec in CONFIRMATION_CASES:
            notes += _advance_case(spec, org, password)
    return notes


def _advance_case(spec: ConfirmationCase, org: MediationOrganisation, password: str) -> list[str]:
    creditor = demo_user(spec.stage.creditor_email)
    case = case_of(spec.stage.case.email)
    before = _progress(case)
    if case is None:
        case, _ = start_case(creditor, org, spec.stage.case, password)
    upload_evidence(case, creditor)
    moved = advance(spec.stage, org, password)  # to "agreement in force"
    if case.state not in AFTER_AGREEMENT:
        return moved  # stuck before that: its line says why
    upload_identity_papers(case, creditor)  # the debtor has joined by now
    problem = confirm_case(spec, case, creditor, password)
    if problem is not None:
        return [_line(case, problem)]
    return [] if _progress(case) == before else [_line(case)]


def _progress(case: Case | None) -> tuple[object, ...] | None:
    if case is None:
        return None
    package = current_package(case)
    if package is None:
        return (case.state,)
    return (case.state, package.id, package.status, tuple(sorted(package_signed_roles(package))))


# --- confirmation -----------------------------------------------------------------------


def confirm_case(spec: ConfirmationCase, case: Case, creditor: User, password: str) -> str | None:
    """Release (again, after a failed build), sign, file and rule as far as the spec says;
    the reason when the package could not be released or built."""
    mediator = case.mediator
    assert mediator is not None
    package = current_package(case)
    if case.state == CaseState.IN_FORCE and (
        package is None or package.status == PackageStatus.FAILED
    ):
        problem = _release(spec, case, mediator)
        if problem is not None:
            return problem
        package = current_package(case)
    assert package is not None
    if package.status == PackageStatus.RENDERING:
        build_package(package.id)  # the queue was not inline when it was released
    db.session.refresh(package)
    if package.status == PackageStatus.FAILED:
        return f"the package PDF failed ({package.render_error}): run `flask pki init`"
    _sign(spec, case, package, {"debtor": case.debtor_user, "creditor": creditor}, password)
    number = f"({clock.today().year}){spec.court_case_number}"
    if spec.target != Target.PACKAGE_SIGNING and package.status == PackageStatus.READY:
        if case.state == CaseState.IN_FORCE:
            record_filing(mediator, case, clock.today(), number)
        if spec.target == Target.CONFIRMED and case.state == CaseState.FILED:
            record_ruling(mediator, case, Ruling.CONFIRMED, clock.today(), None)
    return None


def _release(spec: ConfirmationCase, case: Case, mediator: User) -> str | None:
    """The mediator acknowledges every warning the checks raise, then releases."""
    warnings = {f.code for f in run_checks(case, None) if f.severity is Severity.WARN}
    waiting = warnings - {a["code"] for a in pending_acknowledgements(case)}
    try:
        if waiting:
            acknowledge(mediator, case, sorted(waiting))
        release_package(mediator, case, spec.court)
    except ConfirmationError as err:
        said = ", ".join(f.code for f in err.findings) or err.detail or ""
        return f"the package was not released ({err.code}{': ' + said if said else ''})"
    return None


def _sign(
    spec: ConfirmationCase,
    case: Case,
    package: ConfirmationPackage,
    people: dict[str, User | None],
    password: str,
) -> None:
    """Each party of the spec signs as they would: a code, then password and code."""
    for role in PACKAGE_SIGNERS:
        signer = people[role]
        if signer is None or role not in spec.package_signers:
            continue
        if package.status != PackageStatus.SIGNING or role in package_signed_roles(package):
            continue
        send_package_code(signer, case, package, None)
        given = SignatureInput(
            version=package.number,
            seen_sha256=package.current_sha256 or "",
            password=password,
            code=code_sent_to(signer),
            method=SignatureMethod.TYPED,
            typed_name=signer.name,
            drawn_png=None,
            ip="127.0.0.1",
            user_agent="flask seed-demo",
        )
        sign_package(signer, case, package, given)
        db.session.refresh(package)


# --- reporting --------------------------------------------------------------------------


def _line(case: Case, problem: str = "") -> str:
    """Like ``demo_cases.case_line``, with the confirmation stages."""
    package = current_package(case)
    stage, detail = _stage_of(case, package)
    extra = "; ".join(part for part in (detail, problem) if part)
    return f"  case {case.reference:<16} {stage} ({case.debtor_name}; {extra})"


def _stage_of(case: Case, package: ConfirmationPackage | None) -> tuple[str, str]:
    if package is None or package.status in (PackageStatus.RENDERING, PackageStatus.FAILED):
        return "agreement in force", "no package yet"
    court = package.court_name
    if case.state == CaseState.CONFIRMED:
        return "confirmed by the court", f"{court} {package.court_case_number}"
    if case.state == CaseState.FILED:
        return "application filed", f"{court} {package.court_case_number}"
    if package.status == PackageStatus.READY:
        return "package signed, ready to file", court
    signed = [r for r in PACKAGE_SIGNERS if r in package_signed_roles(package)]
    by = f"signed by {', '.join(signed)}" if signed else "nobody has signed"
    return "package released, awaiting signatures", f"{court}; {by}"


__all__ = [
    "CONFIRMATION_CASES",
    "ConfirmationCase",
    "Target",
    "confirm_case",
    "seed_confirmation",
]
