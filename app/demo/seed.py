"""Demo data: enough organisations and people to click through every role, and cases at
every stage (:mod:`app.demo.cases` up to negotiation, :mod:`app.demo.stages` the agreement
stages, :mod:`app.demo.confirmation` the judicial-confirmation stages,
:mod:`app.demo.repayments` and :mod:`app.demo.performance` the agreements being performed:
on track, late, in breach with the enforcement application, performed with its
certificate).

The cast (the organisation, the creditors, the people) is one use case; each later step
is the application's own use case, committed one after the other, so the PDFs a step
asks the worker for are made (inline) before the next step signs them. Every step looks
at what exists first: a second run changes nothing, an interrupted one resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app import audit
from app.accounts.organisations import (
    MediationOrgDetails,
    NewAccount,
    PersonDetails,
    create_creditor_org,
    create_user,
    set_person_identity,
    update_mediation_org,
)
from app.audit import AuditAction
from app.core.transaction import use_case
from app.demo.api_token import seed_api_token
from app.demo.cases import seed_cases
from app.demo.certificates import seed_certificates
from app.demo.confirmation import seed_confirmation
from app.demo.contacts import seed_contacts
from app.demo.imports import seed_import
from app.demo.minutes import seed_minutes
from app.demo.papers import seed_creditor_profile
from app.demo.performance import seed_performance
from app.demo.repayments import seed_repayments
from app.demo.seal import seal_png
from app.demo.sessions import seed_sessions
from app.demo.stages import inline_queue, party_accounts, seed_stages
from app.demo.webhooks import seed_webhook
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.party_kinds import EntityKind

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
    credit_code: str  # "" for a natural person
    licence: LicenceType
    address: str  # printed in the agreement (it refuses to render without it)
    legal_representative: str  # the 法定代表人 or the branch's 负责人; "" for a person
    kind: EntityKind = EntityKind.LEGAL_PERSON
    phone: str = ""
    person: PersonDetails | None = None
    # What an earlier seed stored (an older demo had the lender as an organisation with a
    # made-up code): that row is brought up to date instead of a second one being made.
    legacy_credit_code: str = ""


CREDITORS = (
    # A bank's branch is a party in its own name, represented by its 负责人 (民诉法解释 Art. 52).
    DemoCreditor(
        "华信银行股份有限公司北京分行",
        "91110000100000589A",
        LicenceType.BANK,
        "北京市西城区金融大街 17 号",
        "周振华",
        kind=EntityKind.BRANCH,
        phone="010-6600 1717",
    ),
    # A private lender is a natural person: identity, no code, signs in person.
    DemoCreditor(
        "张建国",
        "",
        LicenceType.PRIVATE_LENDER,
        "上海市徐汇区漕溪北路 398 弄 5 号 1201 室",
        "",
        kind=EntityKind.NATURAL_PERSON,
        phone="13900000005",
        person=PersonDetails("resident_id", "310104196803150135", ethnicity="汉族"),
        legacy_credit_code="91310000MA1FL0000N",
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
    (Role.DEBTOR, "高峰", "debtor9@demo.concord", "13800138011", None),
    (Role.DEBTOR, "罗敏", "debtor10@demo.concord", "13800138012", None),
    (Role.DEBTOR, "宋佳", "debtor11@demo.concord", "13800138013", None),
)


def seed() -> tuple[list[tuple[str, str, str]], bool, list[str]]:
    """Create what is missing; return the demo accounts, whether anything changed and
    the lines worth printing (each new case and its stage, the invitation link)."""
    org, accounts, created = _seed_cast()
    bank_user = db.session.scalars(select(User).where(User.email == "bank@demo.concord")).one()
    with inline_queue():  # the declined case's certificate is rendered at once
        notes = seed_cases(bank_user, org, DEMO_PASSWORD)
    notes += seed_stages(org, DEMO_PASSWORD)
    accounts += party_accounts()  # the guarantor's account is made as they join
    notes += seed_confirmation(org, DEMO_PASSWORD)
    notes += seed_repayments()
    notes += seed_performance(org, DEMO_PASSWORD)
    notes += seed_certificates()
    notes += seed_contacts()
    notes += seed_sessions()
    notes += seed_minutes(DEMO_PASSWORD)
    notes += seed_api_token()
    with inline_queue():  # the import's rows are handled at once
        notes += seed_import()
    notes += seed_webhook()  # last: the seeded history sends nothing
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
        created |= seed_creditor_profile(creditor)
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
                # each demo creditor's one user keeps its profile (papers and seal)
                is_creditor_admin=cred_index is not None,
            ),
        )
        created = True
    _appoint_mediators(org)
    return org, accounts, created


# The demo mediators' appointments by the committee (人民调解法 Arts. 13-14), printed in
# the court package's proof that the organisation presided.
APPOINTMENTS = {
    "mediator1@demo.concord": ("和衷调聘字〔2024〕第007号", date(2024, 3, 1)),
    "mediator2@demo.concord": ("和衷调聘字〔2025〕第012号", date(2025, 6, 16)),
}


def _appoint_mediators(org: MediationOrganisation) -> None:
    for email, (number, day) in APPOINTMENTS.items():
        mediator = db.session.scalars(select(User).where(User.email == email)).one()
        if mediator.appointment_number is None:
            mediator.appointment_number = number
            mediator.appointed_on = day
            mediator.appointed_by = org.name


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
    """The demo creditor; one seeded by an older demo (no address, no kind, the lender as
    an organisation) is brought up to date."""
    cred = _find_creditor(spec)
    if cred is None:
        created = create_creditor_org(
            None,
            spec.name,
            spec.credit_code,
            spec.licence,
            address=spec.address,
            legal_representative=spec.legal_representative,
            entity_kind=spec.kind,
            phone=spec.phone,
            person=spec.person,
        )
        return created, True
    if cred.address and cred.entity_kind == spec.kind:
        return cred, False
    cred.name, cred.entity_kind, cred.address = spec.name, spec.kind, spec.address
    cred.phone = spec.phone or None
    if spec.kind is EntityKind.NATURAL_PERSON:
        set_person_identity(cred, spec.person)
    else:
        cred.legal_representative = spec.legal_representative
    audit.record(
        AuditAction.CREDITOR_ORG_UPDATE,
        actor=None,
        object_type="creditor_organisation",
        object_id=cred.id,
        data={
            "entity_kind": spec.kind.value,
            "address": spec.address,
            "legal_representative": cred.legal_representative,
            "id_masked": cred.id_masked,
            "source": "seed-demo",
        },
    )
    return cred, True


def _find_creditor(spec: DemoCreditor) -> CreditorOrganisation | None:
    codes = [c for c in (spec.credit_code, spec.legacy_credit_code) if c]
    if codes:
        found = db.session.scalar(
            select(CreditorOrganisation).where(CreditorOrganisation.credit_code.in_(codes))
        )
        if found is not None:
            return found
    if spec.kind is not EntityKind.NATURAL_PERSON:
        return None
    return db.session.scalar(
        select(CreditorOrganisation).where(
            CreditorOrganisation.name == spec.name,
            CreditorOrganisation.entity_kind == EntityKind.NATURAL_PERSON,
        )
    )
