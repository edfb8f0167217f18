"""What a supplementary agreement (补充协议) prints, as plain data for the template: the
original agreement it amends (number, version, date in force, file hash), what was paid
under it, the remaining balance by part, the new schedule with its default rule, that
the rest of the original agreement stays in force, and the legal basis (民法典 Art. 543).
The parties and the organisation are printed exactly as the original agreement prints
them (:func:`app.rules.agreements.agreement_context`), and everyone who signed it signs
the change: a guarantor or co-borrower agrees to it in a clause of their own
(:func:`app.rules.case_parties.consent_clause`; 民法典 Arts. 543, 695)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.agreements.content import build_draft
from app.core import clock
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.restructuring import SupplementaryAgreement
from app.rules import agreements as rules
from app.rules.agreements import ITEM_LABELS
from app.rules.case_parties import ROLE_ZH as EXTRA_ROLE_ZH
from app.rules.case_parties import PartyRole, consent_clause
from app.rules.citations import cite
from app.rules.numerals import rmb_capital
from app.rules.repayment_plan import Item
from app.rules.restructuring import split_from_json
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _yuan(amount: Decimal) -> str:
    return f"人民币{amount:,.2f}元"


def _parts(split_json: dict[str, str]) -> list[dict[str, Any]]:
    split = split_from_json(split_json)
    return [
        {"label": ITEM_LABELS[item.value], "amount": split.part(item)}
        for item in (Item.PRINCIPAL, Item.INTEREST, Item.PENALTY, Item.FEES)
    ]


def _schedule(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, k = [], 0
    for row in rows:
        if row["kind"] == DOWN_PAYMENT:
            label = "首付款"
        elif row["kind"] == LUMP_SUM:
            label = "一次性付清"
        else:
            k += 1
            label = f"第{k}期"
        out.append(
            {
                "label": label,
                "due": date.fromisoformat(row["due"]),
                "amount": Decimal(row["amount"]),
            }
        )
    return out


def _ranges(numbers: list[int]) -> list[str]:
    """第3期至第24期 for a run of instalments, 第7期 for one alone."""
    out: list[str] = []
    start = prev = None
    for n in [*numbers, None]:
        if n is not None and prev is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(f"第{start}期" if start == prev else f"第{start}期至第{prev}期")
        start = prev = n
    return out


def _superseded(basis: dict[str, Any]) -> str:
    """Which instalments the new schedule replaces: the unpaid rest of a partly paid one
    (with its amount) and the unpaid ones, as runs."""
    kept = {int(row["number"]) for row in basis["kept"]}
    parts = [
        f"第{row['number']}期尚未支付的{_yuan(Decimal(row['amount']))}"
        for row in basis["superseded"]
        if int(row["number"]) in kept
    ]
    whole = [int(row["number"]) for row in basis["superseded"] if int(row["number"]) not in kept]
    if whole:
        parts.append("、".join(_ranges(whole)) + "各期")
    return "及".join(parts)


def _default_rule(terms: dict[str, Any]) -> str:
    if not terms["rules"]["accelerates"]:
        return (
            "债务人未在上述日期前足额支付的，即构成违约，债权人可就未付款项依法申请强制执行"
            "或提起诉讼。"
        )
    days = terms["rules"]["grace_days"]
    return (
        f"债务人任何一期款项逾期超过{days}日仍未足额支付的，即构成违约，本补充协议项下"
        "全部未付款项于违约之日全部到期，债权人可就全部未付款项依法申请强制执行或提起诉讼。"
        "约定的应还日期如遇法定节假日不予顺延；宽限期最后一日为法定休假日的，以休假日结束"
        f"的次日为最后一日（{cite('civil_code.203')}）。"
    )


def _signers_text(draft: rules.AgreementDraft) -> str:
    """Who signs, in the order of the signature blocks: 债务人签名、债权人签章 (签名 for a
    natural-person creditor)、保证人张三签名…、调解员."""
    creditor = "债权人签名" if draft.creditor.signs_in_person else "债权人签章"
    extras = [f"{EXTRA_ROLE_ZH[PartyRole(e.role)]}{e.person.name}签名" for e in draft.extra_parties]
    return "、".join(["债务人签名", creditor, *extras, "调解员"])


def supplementary_context(
    case: Case, original: Agreement, supplement: SupplementaryAgreement
) -> dict[str, Any]:
    """The template context of one version of the supplementary agreement."""
    terms = supplement.terms
    basis = terms["basis"]
    drafted_on = clock.day_of(supplement.drafted_at)
    draft = build_draft(case, original.terms, original.version, drafted_on)
    base = rules.agreement_context(draft)
    # 双方 for the debtor and the creditor alone; 各方 once a guarantor or co-borrower is
    # a party too (as the agreement says it).
    both = "各方" if draft.extra_parties else "双方"
    paid = split_from_json(basis["paid"]).total
    remaining = split_from_json(basis["remaining"]).total
    schedule = _schedule(terms["schedule"])
    ref = terms["original"]
    effective_on = date.fromisoformat(ref["effective_on"])
    return {
        "document_title": "补充协议",
        "reference": case.reference,
        "org": base["org"],
        "mediator_name": base["mediator_name"],
        "parties": base["parties"],
        "original_text": (
            f"{base['org']['name']}主持调解，{both}当事人于{_cn(effective_on)}达成的"
            f"《调解协议书》（案件编号 {case.reference}，第{ref['version']}版，"
            f"以下简称“原协议”）已经各方签署生效。"
        ),
        "original_sha256": ref["sha256"],
        "reason_text": (
            "债务人以其情况发生变化、无法按原协议约定的还款计划履行为由，申请就原协议尚未"
            "履行的款项重新约定履行方式，陈述的理由如下："
        ),
        "reason": terms["reason"],
        "preamble": (
            f"经{base['org']['name']}主持调解，{both}当事人在平等、自愿、合法的基础上，"
            f"依照{cite('civil_code.543')}（当事人协商一致，可以变更合同）"
            "的规定，就原协议的履行达成如下补充协议："
        ),
        "paid_text": (
            f"截至{_cn(date.fromisoformat(basis['on']))}，债务人已按原协议支付"
            f"{_yuan(paid)}，{both}确认该款项的支付及其抵充不因本补充协议而改变，"
            "已付款项不再重复计收。"
        ),
        "paid_rows": _parts(basis["paid"]),
        "paid_total": paid,
        "remaining_text": (
            f"截至同日，原协议项下尚未支付的款项共计{_yuan(remaining)}"
            f"（大写：{rmb_capital(remaining)}），分项如下："
        ),
        "remaining_rows": _parts(basis["remaining"]),
        "remaining_total": remaining,
        "remaining_capital": rmb_capital(remaining),
        "superseded_text": (
            f"原协议第四条所列还款计划中{_superseded(basis)}，自本补充协议生效之日起不再按原"
            "还款计划履行，由下列新的还款计划代替；已经支付的各期不受影响。"
        ),
        "schedule_text": (
            f"上述未付款项{_yuan(remaining)}，由债务人按下列计划支付至原协议约定的收款账户："
        ),
        "account": terms["account"],
        "schedule": schedule,
        "schedule_total": sum((row["amount"] for row in schedule), Decimal("0.00")),
        "default_rule_text": _default_rule(terms),
        "rest_in_force_text": (
            "除本补充协议变更的履行方式外，原协议的其他条款继续有效，"
            f"{both}继续遵守。"
            "本补充协议与原协议约定不一致的，以本补充协议为准。"
        ),
        "consent_clauses": [
            consent_clause(e.role, e.guarantee_kind, e.person.name, draft.debtor.name)
            for e in draft.extra_parties
        ],
        "effect_text": (
            f"本补充协议经{_signers_text(draft)}签名并加盖调解组织印章后生效。"
            f"各方以可靠的电子签名签署（{cite('esig_law.13', 'esig_law.14')}），"
            "与手写签名或者盖章具有同等的法律效力。"
        ),
        "originals_text": base["originals_text"].replace("本协议", "本补充协议"),
        "version_text": f"补充协议第{supplement.version}版，起草于{_cn(drafted_on)}。",
        "signatures": base["signatures"],
    }
