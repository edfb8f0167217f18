"""The parties as the judicial-confirmation package prints them (民诉法解释 Art. 354):
full identity details (the debtor's identity number unmasked: the court package is the one
place it may be, PIPL Arts. 28, 51), the person acting for the creditor (CPL Art. 62), the
two signature fields of the application, and each party's address-for-service
confirmation with e-service consent."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.agreements.content import ID_TYPE_ZH
from app.cases.papers import as_power_of_attorney, current_power_of_attorney
from app.confirmation.package.report import ROLE_ZH
from app.confirmation.package.text import CREDITOR_E_SERVICE_TEXT, LICENCE_ZH, SERVICE_NOTES
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.cases import Case
from app.models.invitations import Consent
from app.models.organisations import LicenceType
from app.models.users import User
from app.rules.case_parties import ROLE_ZH as ROLE_ZH_EXTRA
from app.rules.case_parties import PartyRole, role_label
from app.rules.consents import consent_text
from app.rules.party_kinds import SEX_ZH, date_zh, derived_identity, representative_title
from app.rules.powers_of_attorney import summary_zh

UNRECORDED = "（未登记）"
IN_PERSON = "无（本人参加）"


def power_of_attorney_summary(case: Case) -> list[dict[str, str]] | None:
    """What the creditor's power of attorney says (CPL Art. 62), as recorded with its
    file: principal, agent, powers, special authorisation, period, date signed."""
    record = current_power_of_attorney(case)
    if record is None:
        return None
    rows = summary_zh(as_power_of_attorney(record))
    return [{"label": label, "value": value} for label, value in rows]


# --- parties (sections 1 and 4) ---------------------------------------------------------


def creditor_agent(agreement: Agreement) -> User | None:
    """The person acting for the creditor: the staff member who signed the agreement."""
    signature = db.session.scalar(
        select(AgreementSignature)
        .where(AgreementSignature.agreement_id == agreement.id)
        .where(AgreementSignature.role == "creditor")
        .where(AgreementSignature.version == agreement.version)
    )
    return signature.user if signature else None


def person_facts(
    id_type: str,
    number: str,
    *,
    sex: str | None = None,
    birth_date: date | None = None,
) -> tuple[str, date | None]:
    """Sex (男/女) and birth date: those stored, else those an 18-digit resident ID encodes
    (GB 11643-1999: digits 7–14 are the birth date, the 17th is odd for men and even for
    women); empty when neither tells."""
    identity = derived_identity(id_type, number, sex=sex, birth_date=birth_date)
    return (SEX_ZH[identity.sex] if identity.sex else ""), identity.birth_date


def person_rows(
    id_type: str,
    number: str,
    *,
    address: str | None,
    phone: str | None,
    sex: str | None = None,
    birth_date: date | None = None,
    ethnicity: str | None = None,
) -> list[tuple[str, Any]]:
    """A natural person's FULL identity rows for papers that go only to a court (民诉法解释
    Art. 354: name, sex, age or birth date, ethnicity, occupation, address and contact of a
    natural-person applicant). The ID number is printed unmasked: the court must identify
    the person, and these papers reach no one else (PIPL Arts. 28, 51). The agreement,
    which every party keeps, prints the masked number instead
    (``app.rules.agreement_terms.natural_person``)."""
    gender, born = person_facts(id_type, number, sex=sex, birth_date=birth_date)
    rows: list[tuple[str, Any]] = [
        ("证件类型", ID_TYPE_ZH.get(id_type, id_type or UNRECORDED)),
        ("证件号码", number or UNRECORDED),
        ("性别", gender or UNRECORDED),
        ("出生日期", date_zh(born) if born else UNRECORDED),
    ]
    if ethnicity:
        rows.append(("民族", ethnicity))
    rows += [("住址", address or UNRECORDED), ("联系电话", phone or UNRECORDED)]
    return rows


def debtor_party(case: Case) -> dict[str, Any]:
    """The debtor with FULL identity details: the court package is the one place the
    identity number is not masked (PIPL Arts. 28, 51)."""
    rows = person_rows(
        case.debtor_id_type,
        case.debtor_id_number or "",
        address=case.debtor_address,
        phone=case.debtor_phone,
    )
    rows += [("电子邮箱", case.debtor_email or UNRECORDED), ("委托代理人", IN_PERSON)]
    return {
        "role": "debtor",
        "role_label": "申请人（债务人）",
        "name": case.debtor_name,
        "name_label": "姓名",
        "rows": [{"label": k, "value": v} for k, v in rows],
        "address": case.debtor_address or UNRECORDED,
        "phone": case.debtor_phone or "",
        "email": case.debtor_email or "",
        "in_person": True,
    }


def extra_parties(case: Case) -> list[dict[str, Any]]:
    """The guarantors and co-borrowers, applicants with the debtor and the creditor (all
    the parties to the agreement apply jointly: 民诉法解释 Arts. 353, 354), with the same
    full identity details as the debtor (PIPL Arts. 28, 51: unmasked only here)."""
    out = []
    for party in case.extra_parties:
        label = role_label(party.role, party.guarantee_kind)
        rows = [("当事人地位", label)]
        rows += person_rows(
            party.id_type, party.id_number or "", address=party.address, phone=party.phone
        )
        rows += [("电子邮箱", party.email or UNRECORDED), ("委托代理人", IN_PERSON)]
        out.append(
            {
                "role": party.signer_role,
                "role_label": f"申请人（{ROLE_ZH_EXTRA[PartyRole(party.role)]}）",
                "short_label": ROLE_ZH_EXTRA[PartyRole(party.role)],
                "name": party.name,
                "name_label": "姓名",
                "rows": [{"label": k, "value": v} for k, v in rows],
                "address": party.address or UNRECORDED,
                "phone": party.phone or "",
                "email": party.email or "",
                "user_id": party.user_id,
                "in_person": True,
            }
        )
    return out


def creditor_party(case: Case, agent: User | None) -> dict[str, Any]:
    """The creditor by its kind (:mod:`app.rules.party_kinds`): a natural person appears
    with their full identity and acts in person (民诉法解释 Art. 354); an entity with its
    code, its representative under the title its kind gives (法定代表人, or a branch's
    负责人: 民诉法解释 Art. 52) and the employee acting for it (CPL Art. 61)."""
    org = case.creditor_org
    if org.is_natural_person:
        return _natural_person_creditor(case, agent)
    agent_name = agent.name if agent else UNRECORDED
    rows = [
        ("统一社会信用代码", org.credit_code or UNRECORDED),
        ("住所", org.address or UNRECORDED),
        (representative_title(org.entity_kind), org.legal_representative or UNRECORDED),
        ("机构类型", LICENCE_ZH.get(LicenceType(org.licence_type), UNRECORDED)),
        ("委托代理人", agent_name),
        ("代理人身份", "债权人工作人员"),
        ("代理人联系电话", (agent.phone if agent else None) or UNRECORDED),
        ("代理人电子邮箱", (agent.email if agent else None) or UNRECORDED),
    ]
    return {
        "role": "creditor",
        "role_label": "申请人（债权人）",
        "name": org.name,
        "name_label": "名称",
        "rows": [{"label": k, "value": v} for k, v in rows],
        "address": org.address or UNRECORDED,
        "phone": (agent.phone if agent else None) or "",
        "email": (agent.email if agent else None) or "",
        "agent": agent_name,
        "in_person": False,
    }


def _natural_person_creditor(case: Case, signer: User | None) -> dict[str, Any]:
    """``signer``: the lender's own account, which signed the agreement (its e-mail is
    where the court may serve them electronically)."""
    org = case.creditor_org
    rows = person_rows(
        org.id_type or "",
        org.id_number or "",
        address=org.address,
        phone=org.phone,
        sex=org.person_sex,
        birth_date=org.person_birth_date,
        ethnicity=org.person_ethnicity,
    )
    rows += [("委托代理人", IN_PERSON)]
    return {
        "role": "creditor",
        "role_label": "申请人（债权人）",
        "name": org.name,
        "name_label": "姓名",
        "rows": [{"label": k, "value": v} for k, v in rows],
        "address": org.address or UNRECORDED,
        "phone": org.phone or (signer.phone if signer else None) or "",
        "email": (signer.email if signer else None) or "",
        "agent": org.name,
        "in_person": True,
    }


def signature_blocks(
    parties: dict[str, Any], extras: list[dict[str, Any]] | None = None
) -> list[dict[str, str]]:
    """The fields on the application, one per party: the only signatures the parties put
    on the package (``package.PARTY_FIELDS``, and ``sig-party-<id>`` for each guarantor
    or co-borrower, who apply jointly with them: 民诉法解释 Arts. 353, 354). An entity
    signs by its agent (签章); a natural person signs in their own name, with no agent
    line (人民调解法 Art. 29)."""
    creditor, debtor = parties["creditor"], parties["debtor"]
    in_person = creditor["in_person"]
    extra_blocks = [
        {
            "anchor": f"sig-{e['role']}",
            "caption": f"{e['role_label']}签名",
            "name": e["name"],
            "detail": "",
        }
        for e in extras or []
    ]
    return [
        {
            "anchor": "sig-creditor",
            "caption": "申请人（债权人）签名" if in_person else "申请人（债权人）签章",
            "name": creditor["name"],
            "detail": "" if in_person else f"委托代理人：{creditor['agent']}",
        },
        {
            "anchor": "sig-debtor",
            "caption": "申请人（债务人）签名",
            "name": debtor["name"],
            "detail": "",
        },
        *extra_blocks,
    ]


# --- section 6: address for service -----------------------------------------------------


def e_service_consent(case: Case, user_id: int | None = None) -> Consent | None:
    """The debtor's (or, with ``user_id``, a guarantor's or co-borrower's) standing consent
    to electronic service (CPL Art. 90), if any."""
    user_id = user_id or case.debtor_user_id
    if user_id is None:
        return None
    return db.session.scalar(
        select(Consent)
        .where(Consent.case_id == case.id, Consent.user_id == user_id)
        .where(Consent.kind == "e_service", Consent.withdrawn_at.is_(None))
        .order_by(Consent.id.desc())
        .limit(1)
    )


def _consent_row(consent: Consent | None) -> dict[str, Any]:
    if consent is None:
        return {"given": False, "text": consent_text("e_service").zh}
    return {
        "given": True,
        "at": consent.given_at,
        "version": consent.text_version,
        "text": consent.text,
    }


def service_confirmations(
    case: Case, parties: dict[str, Any], extras: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """送达地址确认书 for each party. The debtor's (and each guarantor's or co-borrower's)
    e-service consent is the one recorded on the platform; the creditor gives it by
    signing the package."""
    debtor_consent = _consent_row(e_service_consent(case))
    creditor_consent = {
        "given": True,
        "at": None,
        "version": None,
        "text": CREDITOR_E_SERVICE_TEXT,
    }
    out = []
    for role, consent_row in (("creditor", creditor_consent), ("debtor", debtor_consent)):
        party = parties[role]
        out.append(
            {
                "role_label": ROLE_ZH[role],
                "party": party["name"],
                "recipient": party["agent"] if role == "creditor" else party["name"],
                "address": party["address"],
                "phone": party["phone"] or UNRECORDED,
                "email": party["email"] or UNRECORDED,
                "consent": consent_row,
                "notes": SERVICE_NOTES,
            }
        )
    for extra in extras or []:
        consent = e_service_consent(case, extra["user_id"]) if extra["user_id"] else None
        out.append(
            {
                "role_label": extra["short_label"],
                "party": extra["name"],
                "recipient": extra["name"],
                "address": extra["address"],
                "phone": extra["phone"] or UNRECORDED,
                "email": extra["email"] or UNRECORDED,
                "consent": _consent_row(consent),
                "notes": SERVICE_NOTES,
            }
        )
    return out
