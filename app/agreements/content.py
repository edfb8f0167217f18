"""What one version of the agreement prints, gathered from the case: the frozen terms
(stored on the version when it is drafted), the parties, the facts and the disputes.
Templates get plain data only (``app.rules.agreements.agreement_context``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.agreements.common import DraftInput
from app.cases.lifecycle import claim_facts
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case, CaseParty
from app.models.negotiation import Objection, ObjectionStatus, Proposal
from app.models.users import User
from app.negotiation.proposals import schedule_of, terms_of
from app.rules import agreements as rules
from app.rules.agreement_key_terms import KeyTerms, key_terms
from app.rules.agreements import ITEM_LABELS
from app.rules.claims import LenderKind
from app.rules.money import format_rate
from app.rules.proposals import Side, claim_amounts

ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照"}


def snapshot_terms(case: Case, proposal: Proposal, data: DraftInput) -> dict[str, Any]:
    """The JSON stored on a new version: the accepted proposal's terms, frozen, and the
    receiving account the mediator entered (``InvalidInput`` names a bad field)."""
    facts = claim_facts(case)
    if facts is None:
        raise ValueError("the case has no complete claim")
    # The organisation's grace period is what a new version states in its default clause;
    # the terms are then frozen, so the agreement's own rule prevails over later changes
    # of the setting (app.rules.repayment_plan).
    terms = rules.terms_from_proposal(
        terms_of(proposal),
        schedule_of(proposal),
        claim_amounts(facts),
        grace_days=case.mediation_org.grace_days,
    )
    account = rules.ReceivingAccount(
        data.account_name.strip(), data.bank.strip(), data.account_number.strip()
    )
    return {
        "terms": rules.terms_to_json(terms),
        "account": {
            "account_name": account.account_name,
            "bank": account.bank,
            "account_number": account.account_number,
        },
    }


def build_draft(
    case: Case, snapshot: dict[str, Any], version: int, drafted_on: date
) -> rules.AgreementDraft:
    """The whole agreement of one version, as the domain describes it."""
    org = case.mediation_org
    account = snapshot.get("account")
    return rules.AgreementDraft(
        reference=case.reference,
        version=version,
        drafted_on=drafted_on,
        organisation=rules.OrganisationDetails(
            org.name, org.registration_number, org.address, org.phone
        ),
        mediator_name=case.mediator.name if case.mediator else "",
        creditor=_creditor(case),
        debtor=rules.natural_person(
            Side.DEBTOR,
            name=case.debtor_name,
            id_type=case.debtor_id_type,
            id_number=case.debtor_id_number or "",
            address=case.debtor_address or "",
            phone=case.debtor_phone or "",
        ),
        facts=facts_text(case),
        disputed_items=tuple(_disputes(case)),
        terms=rules.terms_from_json(snapshot["terms"]),
        account=rules.ReceivingAccount(**account) if account else None,
        mediator_appointment=mediator_appointment_text(case.mediator),
        extra_parties=tuple(_extra(party) for party in case.extra_parties),
    )


def _extra(party: CaseParty) -> rules.ExtraParty:
    """A guarantor or co-borrower, their identity printed like the debtor's (masked)."""
    return rules.ExtraParty(
        signer_role=party.signer_role,
        role=party.role,
        guarantee_kind=party.guarantee_kind,
        person=rules.natural_person(
            Side.DEBTOR,
            name=party.name,
            id_type=party.id_type,
            id_number=party.id_number or "",
            address=party.address or "",
            phone=party.phone or "",
        ),
    )


def mediator_appointment_text(mediator: User | None) -> str:
    """The mediator's appointment as the agreement prints it next to the name (人民调解法
    Arts. 13-14: the committee appoints its mediators); "" without a record."""
    if mediator is None or not mediator.appointment_number or mediator.appointed_on is None:
        return ""
    day = mediator.appointed_on
    by = f"由{mediator.appointed_by}" if mediator.appointed_by else ""
    return (
        f"聘任证书编号{mediator.appointment_number}，{day.year}年{day.month}月{day.day}日{by}聘任"
    )


def agreement_context(case: Case, agreement: Agreement) -> dict[str, Any]:
    drafted_on = clock.day_of(agreement.drafted_at)
    draft = build_draft(case, agreement.terms, agreement.version, drafted_on)
    return rules.agreement_context(draft)


def key_terms_of(case: Case, agreement: Agreement) -> KeyTerms | None:
    """The key terms of this version, from the same frozen snapshot its PDF prints; None
    for a snapshot without a schedule or an account (such a version is never rendered,
    so it has no pages to sign either)."""
    drafted_on = clock.day_of(agreement.drafted_at)
    try:
        return key_terms(build_draft(case, agreement.terms, agreement.version, drafted_on))
    except ValueError:
        return None


def _creditor(case: Case) -> rules.PartyDetails:
    """The creditor by its kind: a natural person with their identity (the number masked,
    ``rules.natural_person``), an entity with its code and its representative under the
    title its kind gives (法定代表人 / 负责人)."""
    org = case.creditor_org
    if org.is_natural_person:
        return rules.natural_person(
            Side.CREDITOR,
            name=org.name,
            id_type=org.id_type or "",
            id_number=org.id_number or "",
            address=org.address or "",
            phone=org.phone or "",
            sex=org.person_sex,
            birth_date=org.person_birth_date,
            ethnicity=org.person_ethnicity or "",
        )
    return rules.organisation_party(
        Side.CREDITOR,
        name=org.name,
        credit_code=org.credit_code or "",
        address=org.address or "",
        phone=org.phone or "",
        entity_kind=org.entity_kind,
        representative=org.legal_representative or "",
    )


def _yuan(amount: Decimal | None) -> str:
    return f"人民币{amount or Decimal('0'):,.2f}元"


def _day(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "(未载明)"


def facts_text(case: Case) -> str:
    """The main facts (人民调解法 Art. 29): the loan, the default and what was claimed."""
    lender = "原债权人" + (case.original_lender or "") if case.is_assignee else "债权人"
    text = (
        f"{lender}与债务人于{_day(case.contract_date)}订立借款合同"
        + (f"(合同编号 {case.contract_number})" if case.contract_number else "")
        + f"，借款本金{_yuan(case.principal_lent)}"
        + (f"，约定年利率{format_rate(case.annual_rate)}" if case.annual_rate is not None else "")
        + (f"，期限{case.term_months}个月" if case.term_months else "")
        + f"。债务人自{_day(case.overdue_since)}起未按约还款。"
        f"债权人申请调解时主张：尚欠{_claimed(case)}，合计{_yuan(case.claim_total)}。"
    )
    if case.is_assignee:
        text += f"原债权人已于{_day(case.assignment_date)}将上述债权转让给债权人" + (
            "，并已通知债务人。" if case.debtor_notified else "。"
        )
    if LenderKind(case.lender_kind.value) == LenderKind.PRIVATE_LENDER:
        text += "本案借款属于民间借贷。"
    return text


def _claimed(case: Case) -> str:
    """本金…、利息…、违约金…、费用…: each claim item by its one name (``ITEM_LABELS``)."""
    amounts = {
        "principal": case.outstanding_principal,
        "interest": case.interest,
        "penalty": case.penalty,
        "fees": case.fees,
    }
    return "、".join(f"{ITEM_LABELS[item]}{_yuan(amount)}" for item, amount in amounts.items())


def _disputes(case: Case) -> list[rules.DisputedItem]:
    rows = db.session.scalars(
        select(Objection).where(Objection.case_id == case.id).order_by(Objection.id)
    )
    items = []
    for row in rows:
        if row.status == ObjectionStatus.WITHDRAWN:
            resolution = "债务人已撤回该异议。"
        elif row.status == ObjectionStatus.RESOLVED:
            resolution = "经调解，双方对该项已达成一致，按本协议约定处理。"
        else:
            resolution = "尚未解决。"
        if row.answer:
            resolution = f"债权人答复：{row.answer} " + resolution
        items.append(rules.DisputedItem(row.item, row.reason, resolution))
    return items
