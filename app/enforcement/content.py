"""The facts an enforcement application and a summary of claim print: the parties, the
court's ruling, the agreement, the repayment record and the amounts still owed. The
documents are in Chinese whatever the reader's language: they are filed with a court."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.confirmation.package.parties import UNRECORDED, creditor_agent, person_rows
from app.enforcement.common import Enforceability
from app.models.cases import Case, CaseParty
from app.models.repayments import COUNTED, PaymentChannel
from app.rules.case_parties import PartyRole, enforceable_with_the_debtor, role_label
from app.rules.citations import cite
from app.rules.enforcement import EnforcementClaim
from app.rules.numerals import rmb_capital
from app.rules.party_kinds import representative_title
from app.rules.repayment_plan import ZERO, Split

CHANNEL_ZH = {
    PaymentChannel.BANK_TRANSFER: "银行转账",
    PaymentChannel.CASH: "现金",
    PaymentChannel.ALIPAY: "支付宝",
    PaymentChannel.WECHAT_PAY: "微信支付",
    PaymentChannel.OTHER: "其他方式",
}
PARTS_ZH = (("principal", "本金"), ("interest", "利息"), ("penalty", "违约金"), ("fees", "费用"))


def _rows(pairs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"label": k, "value": v} for k, v in pairs]


def creditor_party(case: Case, enf: Enforceability) -> dict[str, Any]:
    """The creditor by its kind, as in the confirmation package: a natural person with
    their full identity, acting in person (民诉法解释 Art. 354); an entity with its code,
    its representative under the title its kind gives (法定代表人, or a branch's 负责人:
    民诉法解释 Art. 52) and the staff member who signed the agreement, acting for it (CPL
    Art. 61)."""
    org = case.creditor_org
    if org.is_natural_person:
        rows = person_rows(
            org.id_type or "",
            org.id_number or "",
            address=org.address,
            phone=org.phone,
            sex=org.person_sex,
            birth_date=org.person_birth_date,
            ethnicity=org.person_ethnicity,
        )
        return {"name": org.name, "name_label": "姓名", "sign_as": "（签名）", "rows": _rows(rows)}
    agent = creditor_agent(enf.performance.agreement)
    return {
        "name": org.name,
        "name_label": "名称",
        "sign_as": "（盖章）",
        "rows": _rows(
            [
                ("统一社会信用代码", org.credit_code or UNRECORDED),
                ("住所", org.address or UNRECORDED),
                (representative_title(org.entity_kind), org.legal_representative or UNRECORDED),
                ("委托代理人", agent.name if agent else UNRECORDED),
                ("联系电话", (agent.phone if agent else None) or UNRECORDED),
            ]
        ),
    }


def debtor_party(case: Case) -> dict[str, Any]:
    """The debtor with FULL identity details, as in the confirmation package: the
    application goes to the court, which must identify the person it enforces against
    (PIPL Arts. 28, 51)."""
    rows = person_rows(
        case.debtor_id_type,
        case.debtor_id_number or "",
        address=case.debtor_address,
        phone=case.debtor_phone,
    )
    return {"name": case.debtor_name, "role_label": "债务人", "rows": _rows(rows)}


def respondents(case: Case) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Who the application is against: the debtor, then each co-borrower and joint
    guarantor who signed the confirmed agreement, with the same full identity; and the
    general guarantors, named apart (not respondents in a first application:
    :func:`app.rules.case_parties.enforceable_with_the_debtor`)."""
    named, deferred = [debtor_party(case)], []
    for party in case.extra_parties:
        if enforceable_with_the_debtor(party.role, party.guarantee_kind):
            named.append(_extra_party(party))
        else:
            deferred.append({"name": party.name, "role_label": _role_label(party)})
    return named, deferred


def _role_label(party: CaseParty) -> str:
    return role_label(party.role, party.guarantee_kind)


def _extra_party(party: CaseParty) -> dict[str, Any]:
    """A guarantor or co-borrower with the FULL identity details, as the debtor's."""
    rows = person_rows(
        party.id_type, party.id_number or "", address=party.address, phone=party.phone
    )
    return {"name": party.name, "role_label": _role_label(party), "rows": _rows(rows)}


def defendants(case: Case) -> list[dict[str, Any]]:
    """Whom the creditor may sue on an agreement the court did not confirm: the debtor,
    then every co-borrower and guarantor who signed it, with the same full identity, and
    what each answers for (``liability``, ``law``): a co-borrower the whole debt jointly
    (民法典 Art. 518); a guarantor is sued together with the debtor (民诉法解释 Art. 66),
    a general one answering only for what enforcement against the debtor's property
    cannot recover, which the judgment says (民法典 Art. 687; 担保制度解释 Art. 26)."""
    out = [{**debtor_party(case), "liability": None, "law": ""}]
    for party in case.extra_parties:
        if party.role == PartyRole.CO_BORROWER:
            liability, law = "co_borrower", cite("civil_code.518")
        elif enforceable_with_the_debtor(party.role, party.guarantee_kind):
            liability, law = "joint", cite("cpl_interp.66")
        else:
            liability, law = "general", cite("civil_code.687", "guarantee_interp.26")
        out.append({**_extra_party(party), "liability": liability, "law": law})
    return out


def split_rows(split: Split) -> list[dict[str, Any]]:
    """The parts of an amount that are not zero, then the total."""
    rows = [
        {"label": zh, "amount": split.part(part)}
        for part, zh in PARTS_ZH
        if split.part(part) != ZERO
    ]
    return [*rows, {"label": "合计", "amount": split.total}]


def instalment_rows(enf: Enforceability) -> list[dict[str, Any]]:
    """Each instalment on its agreed date (acceleration moves the due date of the later
    ones to the breach date; the record shows what the agreement said)."""
    status = enf.performance.status
    return [
        {
            "number": p.number,
            "due": p.instalment.agreed_due,
            "amount": p.instalment.split.total,
            "paid": p.paid.total,
            "outstanding": p.outstanding,
            "days_late": (status.on - p.instalment.due).days
            if p.outstanding and p.instalment.due < status.on
            else 0,
        }
        for p in status.positions
    ]


def payment_rows(enf: Enforceability) -> list[dict[str, Any]]:
    """The payments that count (recorded by the creditor or confirmed by it)."""
    return [
        {
            "paid_on": row.paid_on,
            "amount": Decimal(row.amount),
            "channel": CHANNEL_ZH.get(row.channel, str(row.channel)),
            "reference": row.reference,
        }
        for row in enf.performance.payments
        if row.status in COUNTED
    ]


def agreement_facts(case: Case, enf: Enforceability) -> dict[str, Any]:
    agreement = enf.performance.agreement
    status = enf.performance.status
    return {
        "reference": case.reference,
        "version": agreement.version,
        "effective_on": agreement.effective_at,
        "mediation_org": case.mediation_org.name,
        "total": status.plan.total,
        "count": len(status.positions),
        "last_due": status.plan.last_due,
        "paid": status.paid.total,
        "balance": status.balance.total,
    }


def application_context(
    case: Case, enf: Enforceability, claim: EnforcementClaim, issued_on: date
) -> dict[str, Any]:
    """Everything the 强制执行申请书 template prints."""
    named, deferred = respondents(case)
    ruling = enf.ruling
    assert ruling is not None and ruling.ruling_on is not None
    status = enf.performance.status
    breach = status.breach
    assert breach is not None
    return {
        "document_title": "强制执行申请书",
        "reference": case.reference,
        "applicant": creditor_party(case, enf),
        "respondents": named,
        "deferred_guarantors": deferred,
        "court": ruling.court_name,
        "ruling_number": ruling.court_case_number or UNRECORDED,
        "ruling_on": ruling.ruling_on,
        "agreement": agreement_facts(case, enf),
        "claim": claim,
        "claim_capital": rmb_capital(claim.amount),
        "claim_rows": split_rows(claim.split),
        "instalments_claimed": claim.instalments,
        "breach": breach,
        "instalments": instalment_rows(enf),
        "payments": payment_rows(enf),
        "deadline": claim.deadline,
        "issued_on": issued_on,
    }


def claim_summary(case: Case, enf: Enforceability, on: date) -> dict[str, Any]:
    """The facts of a statement of claim (起诉状) on the agreement as a civil contract
    (人民调解法 Art. 31; 民法典 Art. 577): the parties, what is owed and the evidence."""
    status = enf.performance.status
    overdue = [p for p in status.positions if p.outstanding and p.due < on]
    due_split = sum((p.instalment.split - p.paid for p in overdue), Split())
    return {
        "plaintiff": creditor_party(case, enf),
        "defendants": defendants(case),
        "agreement": agreement_facts(case, enf),
        "breach": status.breach,
        "overdue_rows": split_rows(due_split),
        "balance_rows": split_rows(status.balance),
        "instalments": instalment_rows(enf),
        "payments": payment_rows(enf),
        "deadline": enf.deadline,
        "on": on,
    }
