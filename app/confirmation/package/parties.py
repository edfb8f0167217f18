"""The parties as the judicial-confirmation package prints them (民诉法解释 Art. 354):
full identity details (the debtor's identity number unmasked: the court package is the one
place it may be, PIPL Arts. 28, 51), the person acting for the creditor (CPL Art. 62), the
two signature fields of the application, and each party's address-for-service
confirmation with e-service consent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.agreements.content import ID_TYPE_ZH
from app.confirmation.package.report import ROLE_ZH
from app.confirmation.package.text import CREDITOR_E_SERVICE_TEXT, LICENCE_ZH, SERVICE_NOTES
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.cases import Case
from app.models.invitations import Consent
from app.models.organisations import LicenceType
from app.models.users import User
from app.rules.consents import consent_text
from app.rules.errors import InvalidInput
from app.rules.identity import parse_resident_id

UNRECORDED = "（未登记）"


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


def person_facts(id_type: str, number: str) -> tuple[str, Any]:
    """Gender and birth date read from an 18-digit resident ID (GB 11643-1999: digits
    7–14 are the birth date, the 17th is odd for men and even for women); empty for any
    other document or a number that does not check."""
    if id_type != "resident_id":
        return "", None
    try:
        parsed = parse_resident_id(number, clock.today())
    except InvalidInput:
        return "", None
    return ("男" if int(parsed.number[16]) % 2 else "女"), parsed.birth_date


def debtor_party(case: Case) -> dict[str, Any]:
    """The debtor with FULL identity details: the court package is the one place the
    identity number is not masked (PIPL Arts. 28, 51)."""
    number = case.debtor_id_number or ""
    gender, born = person_facts(case.debtor_id_type, number)
    rows = [
        ("证件类型", ID_TYPE_ZH.get(case.debtor_id_type, case.debtor_id_type)),
        ("证件号码", number or UNRECORDED),
        ("性别", gender or UNRECORDED),
        ("出生日期", born or UNRECORDED),
        ("住址", case.debtor_address or UNRECORDED),
        ("联系电话", case.debtor_phone or UNRECORDED),
        ("电子邮箱", case.debtor_email or UNRECORDED),
        ("委托代理人", "无（本人参加）"),
    ]
    return {
        "role": "debtor",
        "role_label": "申请人（债务人）",
        "name": case.debtor_name,
        "name_label": "姓名",
        "rows": [{"label": k, "value": v} for k, v in rows],
        "address": case.debtor_address or UNRECORDED,
        "phone": case.debtor_phone or "",
        "email": case.debtor_email or "",
    }


def creditor_party(case: Case, agent: User | None) -> dict[str, Any]:
    """The creditor organisation and the employee acting for it (CPL Art. 61)."""
    org = case.creditor_org
    agent_name = agent.name if agent else UNRECORDED
    rows = [
        ("统一社会信用代码", org.credit_code),
        ("住所", org.address or UNRECORDED),
        ("法定代表人", org.legal_representative or UNRECORDED),
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
    }


def signature_blocks(parties: dict[str, Any]) -> list[dict[str, str]]:
    """The two fields on the application, one per party: the only signatures the parties
    put on the package (``package.PARTY_FIELDS``)."""
    creditor, debtor = parties["creditor"], parties["debtor"]
    return [
        {
            "anchor": "sig-creditor",
            "caption": "申请人（债权人）签章",
            "name": creditor["name"],
            "detail": f"委托代理人：{creditor['agent']}",
        },
        {
            "anchor": "sig-debtor",
            "caption": "申请人（债务人）签名",
            "name": debtor["name"],
            "detail": "",
        },
    ]


# --- section 6: address for service -----------------------------------------------------


def e_service_consent(case: Case) -> Consent | None:
    """The debtor's standing consent to electronic service (CPL Art. 90), if any."""
    if case.debtor_user_id is None:
        return None
    return db.session.scalar(
        select(Consent)
        .where(Consent.case_id == case.id, Consent.user_id == case.debtor_user_id)
        .where(Consent.kind == "e_service", Consent.withdrawn_at.is_(None))
        .order_by(Consent.id.desc())
        .limit(1)
    )


def service_confirmations(case: Case, parties: dict[str, Any]) -> list[dict[str, Any]]:
    """送达地址确认书 for each party. The debtor's e-service consent is the one recorded on
    the platform; the creditor gives it by signing the package."""
    consent = e_service_consent(case)
    debtor_consent = (
        {
            "given": True,
            "at": consent.given_at,
            "version": consent.text_version,
            "text": consent.text,
        }
        if consent
        else {"given": False, "text": consent_text("e_service").zh}
    )
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
    return out
