"""Demo data: enough organisations and people to click through every role, and cases at
every stage (:mod:`app.demo.cases` up to negotiation, :mod:`app.demo.stages` the agreement
stages, :mod:`app.demo.confirmation` the judicial-confirmation stages).

The cast (the organisation, the creditors, the people) is one use case; each later step
is the application's own use case, committed one after the other, so the PDFs a step
asks the worker for are made (inline) before the next step signs them. Every step looks
at what exists first: a second run changes nothing, an interrupted one resumes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app import audit
from app.accounts.organisations import (
    MediationOrgDetails,
    NewAccount,
    create_creditor_org,
    create_user,
    update_mediation_org,
)
from app.audit import AuditAction
from app.core.transaction import use_case
from app.demo.cases import seed_cases
from app.demo.certificates import seed_certificates
from app.demo.confirmation import seed_confirmation
from app.demo.repayments import seed_repayments
from app.demo.seal import seal_png
from app.demo.stages import inline_queue, seed_stages
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User

DEMO_PASSWORD = "concord-demo-2026"  # noqa: S105 (printed by make run, demo only)

MEDIATION_ORG = {
    "name": "北京市朝阳区金融纠纷人民调解委员会",
    "registration_number": "BJCY-TJ-2021-0086",
    "address": "北京市朝阳区建国路 88 号 6 层",
    "phone": "010-6500 8899",
}


@dataclass(frozen=True)
class DemoCreditor:
    name: str
    credit_code: str
    licence: LicenceType
    address: str  # printed in the agreement (it refuses to render without it)
    legal_representative: str


CREDITORS = (
    DemoCreditor(
        "华信银行股份有限公司北京分行",
        "91110000100000589A",
        LicenceType.BANK,
        "北京市西城区金融大街 17 号",
        "周振华",
    ),
    DemoCreditor(
        "张建国（个人出借人）",
        "91310000MA1FL0000N",
        LicenceType.PRIVATE_LENDER,
        "上海市徐汇区漕溪北路 398 号",
        "张建国",
    ),
)
# (role, name, email, phone, creditor index or None)
PEOPLE = (
    (Role.ADMIN, "周文静", "admin@demo.concord", "13900000001", None),
    (Role.MEDIATOR, "李明华", "mediator1@demo.concord", "13900000002", None),
    (Role.MEDIATOR, "王晓燕", "mediator2@demo.concord", "13900000003", None),
    (Role.CREDITOR, "陈立", "bank@demo.concord", "13900000004", 0),
    (Role.CREDITOR, "张建国", "lender@demo.concord", "13900000005", 1),
    (Role.DEBTOR, "刘强", "debtor1@demo.concord", "13800138001", None),
    (Role.DEBTOR, "赵丽", "debtor2@demo.concord", "13800138002", None),
    (Role.DEBTOR, "孙伟", "debtor3@demo.concord", "13800138003", None),
    (Role.DEBTOR, "钱芳", "debtor4@demo.concord", "13800138004", None),
    (Role.DEBTOR, "郑浩", "debtor5@demo.concord", "13800138005", None),
    (Role.DEBTOR, "黄磊", "debtor6@demo.concord", "13800138006", None),
    (Role.DEBTOR, "林静", "debtor7@demo.concord", "13800138007", None),
    (Role.DEBTOR, "何军", "debtor8@demo.concord", "13800138008", None),
)


def seed() -> tuple[list[tuple[str, str, str]], bool, list[str]]:
    """Create what is missing; return the demo accounts, whether anything changed and
    the lines worth printing (each new case and its stage, the invitation link)."""
    org, accounts, created = _seed_cast()
    bank_user = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    with inline_queue():  # the declined case's certificate is rendered at once
        notes = seed_cases(bank_user, org, DEMO_PASSWORD)
    notes += seed_stages(org, DEMO_PASSWORD)
    notes += seed_confirmation(org, DEMO_PASSWORD)
    notes += seed_repayments()
    notes += seed_certificates()
    return accounts, created or bool(notes), notes


@use_case
def _seed_cast() -> tuple[MediationOrganisation, list[tuple[str, str, str]], bool]:
    """The organisation with its seal, the creditors and the people, as one transaction."""
    org, created = _mediation_org()
    creditors = []
    for spec in CREDITORS:
        creditor, changed = _creditor(spec)
        creditors.append(creditor)
        created |= changed
    accounts = []
    for role, name, email, phone, cred_index in PEOPLE:
        accounts.append((role.value, name, email))
        if db.session.scalar(select(User.id).where(User.email == email)):
            continue
        create_user(
            None,
            NewAccount(
                role=role,
                name=name,
                email=email,
                phone=phone,
                password=DEMO_PASSWORD,
                mediation_org_id=org.id if role in (Role.ADMIN, Role.MEDIATOR) else None,
                creditor_org_id=creditors[cred_index].id if cred_index is not None else None,
            ),
        )
        created = True
    return org, accounts, created


def _mediation_org() -> tuple[MediationOrganisation, bool]:
    """The demo organisation, with its seal (drawn once: an existing seal is kept). The
    platform registers its one organisation at installation: no use case creates one."""
    created = False
    org = db.session.scalar(
        select(MediationOrganisation).where(
            MediationOrganisation.registration_number == MEDIATION_ORG["registration_number"]
        )
    )
    if org is None:
        org = MediationOrganisation(**MEDIATION_ORG)
        db.session.add(org)
        db.session.flush()
        audit.record(
            AuditAction.ORGANISATION_CREATE,
            actor=None,
            object_type="mediation_organisation",
            object_id=org.id,
            data={"name": org.name, "source": "seed-demo"},
        )
        created = True
    if org.seal_image is None:
        details = MediationOrgDetails(org.name, org.registration_number, org.address, org.phone)
        update_mediation_org(None, org, details, seal_png=seal_png(org.name))
        created = True
    return org, created


def _creditor(spec: DemoCreditor) -> tuple[CreditorOrganisation, bool]:
    """The demo creditor; one seeded before it had an address gets its address now."""
    cred = db.session.scalar(
        select(CreditorOrganisation).where(CreditorOrganisation.credit_code == spec.credit_code)
    )
    if cred is None:
        created = create_creditor_org(
            None,
            spec.name,
            spec.credit_code,
            spec.licence,
            address=spec.address,
            legal_representative=spec.legal_representative,
        )
        return created, True
    if cred.address:
        return cred, False
    cred.address = spec.address
    cred.legal_representative = spec.legal_representative
    audit.record(
        AuditAction.CREDITOR_ORG_UPDATE,
        actor=None,
        object_type="creditor_organisation",
        object_id=cred.id,
        data={
            "address": spec.address,
            "legal_representative": spec.legal_representative,
            "source": "seed-demo",
        },
    )
    return cred, True
