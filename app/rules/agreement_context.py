"""What the agreement template prints: plain data and fixed Chinese legal text.

Every sentence of legal text is fixed here; what people typed (names, facts, the
objections) is passed as separate data, and the template's autoescape prints it as text
(:mod:`app.documents.render`; TECH_NOTES "Security of PDF rendering"). No ORM objects
reach the template. The claim items are named with ``ITEM_LABELS`` everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from app.rules.agreement_checks import blocking, validate_for_rendering
from app.rules.agreement_terms import (
    ITEM_LABELS,
    AgreementDraft,
    AgreementTerms,
    DisputedItem,
    ExtraParty,
    OrganisationDetails,
    PartyDetails,
    PartyKind,
)
from app.rules.case_parties import ROLE_ZH as EXTRA_ROLE_ZH
from app.rules.case_parties import GuaranteeKind, PartyRole, liability_clause, role_label
from app.rules.errors import Blocked
from app.rules.numerals import cn_number, rmb_capital
from app.rules.party_kinds import SEX_ZH
from app.rules.proposals import TermsKind
from app.rules.schedules import DOWN_PAYMENT, LUMP_SUM, Instalment

DOCUMENT_TITLE = "调解协议书"
# The one name of the dispute on every paper (民事案件案由规定: 借款合同纠纷, of which
# 金融借款合同纠纷 and 民间借贷纠纷 are the sub-causes); never 债务纠纷 or 借款纠纷.
DISPUTE_NAME = "借款合同纠纷"
SIGNATURE_ANCHORS = {"debtor": "sig-debtor", "creditor": "sig-creditor", "mediator": "sig-mediator"}
ID_TYPE_LABELS = {"resident_id": "居民身份证", "passport": "护照", "other": "身份证件"}

# 人民调解法 Art. 29; cf. 在线调解规则 Art. 19.
EFFECT_TEXT = "本协议自双方当事人签名、调解员签名并加盖调解组织印章之日起生效。"
# 电子签名法 Art. 14: a reliable electronic signature equals a handwritten one or a seal.
ELECTRONIC_TEXT = (
    "本协议以数据电文形式订立，各方以可靠的电子签名签署，与手写签名或者盖章具有同等法律效力。"
)
# 人民调解法 Art. 29 para. 3: each party keeps one original and the committee keeps one.
ORIGINALS_HOLDERS = ("债权人", "债务人")


def originals_text(org_name: str, holders: tuple[str, ...] = ORIGINALS_HOLDERS) -> str:
    """How many originals exist and who keeps them (人民调解法 Art. 29 para. 3): one per
    party and one for the organisation; an electronically signed file is an original
    (电子签名法 Arts. 5, 14)."""
    count = cn_number(len(holders) + 1)
    return (
        f"本协议一式{count}份，{'、'.join(holders)}各执一份，{org_name}留存一份，"
        "各份具有同等法律效力。经各方电子签名的本协议电子文件即为原件，"
        "各方下载保存的文件与调解组织留存的文件一致。"
    )


# 人民调解法 Art. 33(1); 民事诉讼法 Art. 205.
CONFIRMATION_TEXT = "双方当事人可以自本协议生效之日起三十日内共同向有管辖权的人民法院申请司法确认。"
# 人民调解法 Art. 33(2); 民事诉讼法 Art. 206.
ENFORCEMENT_TEXT = (
    "人民法院依法确认本协议有效后，一方当事人拒绝履行或者未全部履行的，"
    "对方当事人可以向人民法院申请强制执行。"
)
# 人民调解法 Arts. 3, 29; 民诉法解释 Art. 358.
VOLUNTARY_TEXT = (
    "双方当事人确认：本协议系在调解员主持下自愿达成，是双方真实意思表示，"
    "不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益。"
)
NO_DISPUTE_TEXT = "双方当事人对上述事实及欠款金额均无异议。"


class AgreementNotRenderable(Blocked):
    """The draft has blocking findings (``agreement_checks``), carried in ``findings``:
    nothing is rendered."""

    default_code = "not_renderable"


def agreement_context(draft: AgreementDraft) -> dict[str, Any]:
    """The template context for one version of the agreement (人民调解法 Art. 29; 民诉法解释
    Art. 358(5)). Refuses (``AgreementNotRenderable``) a draft with any blocking
    finding, so nothing oversized or ambiguous is ever rendered. Dates are ``date`` and
    amounts ``Decimal`` for the ``cn_date`` and ``money`` filters; sentences are final."""
    blocks = blocking(validate_for_rendering(draft))
    if blocks:
        raise AgreementNotRenderable(findings=blocks)
    terms, debtor, creditor = draft.terms, draft.debtor.name, draft.creditor.name
    assert draft.account is not None and terms.perform_by is not None  # checked above
    context: dict[str, Any] = {
        "document_title": DOCUMENT_TITLE,
        "reference": draft.reference,
        "org": _org(draft.organisation),
        "mediator_name": draft.mediator_name,
        "mediator_appointment": draft.mediator_appointment,
        "parties": [
            _party(draft.creditor),
            _party(draft.debtor),
            *(_extra_party(extra) for extra in draft.extra_parties),
        ],
        "liability_clauses": [
            liability_clause(e.role, e.guarantee_kind, e.person.name, debtor)
            for e in draft.extra_parties
        ],
        "preamble": _preamble(draft.organisation),
        "facts_paragraphs": _paragraphs(draft.facts),
        "disputed_items": [_disputed(item) for item in draft.disputed_items],
        "no_dispute_text": NO_DISPUTE_TEXT,
        **_amounts(terms, debtor, creditor),
        **_performance(terms, draft),
        "default_rule_text": _default_rule_text(terms),
        "default_statement": terms.default_rule.statement.strip(),
        "effect_text": EFFECT_TEXT,
        "electronic_text": ELECTRONIC_TEXT,
        "originals_text": originals_text(
            draft.organisation.name, ORIGINALS_HOLDERS + _extra_holders(draft.extra_parties)
        ),
        "confirmation_text": CONFIRMATION_TEXT,
        "enforcement_text": ENFORCEMENT_TEXT,
        "voluntary_text": VOLUNTARY_TEXT,
        "version": draft.version,
        "drafted_on": draft.drafted_on,
        "version_text": _version_text(draft),
        "signatures": _signatures(draft),
    }
    if draft.extra_parties:
        # More than two parties (guarantors, co-borrowers): 各方, not 双方.
        for key in ("preamble", "effect_text", "confirmation_text", "voluntary_text"):
            context[key] = context[key].replace("双方当事人", "各方当事人")
    return context


def _org(org: OrganisationDetails) -> dict[str, str]:
    return {
        "name": org.name,
        "registration_number": org.registration_number,
        "address": org.address,
        "phone": org.phone,
    }


def _party(party: PartyDetails) -> dict[str, Any]:
    """A party as label/value rows, so the template only lays them out."""
    role_label = "债权人" if party.role == "creditor" else "债务人"
    rows: list[tuple[str, str]] = []
    if party.kind == PartyKind.PERSON:
        # The agreement's identity rows for a natural person (decision and reasons at
        # ``agreement_terms.natural_person``): the ID number is already masked.
        id_label = ID_TYPE_LABELS.get(party.id_type, party.id_type.strip() or "身份证件")
        rows += [
            ("性别", SEX_ZH[party.sex] if party.sex else ""),
            ("出生日期", _cn_date(party.birth_date) if party.birth_date else ""),
            ("民族", party.ethnicity),
            ("证件类型及号码", f"{id_label} {party.id_display}"),
            ("住址", party.address),
        ]
    else:
        rows += [("统一社会信用代码", party.credit_code), ("住所", party.address)]
        rows += [(party.representative_title, party.representative)]
    rows += [("联系电话", party.phone), ("委托代理人", party.agent_name)]
    return {
        "role": str(party.role),
        "role_label": role_label,
        "name": party.name,
        "rows": [{"label": label, "value": value} for label, value in rows if value.strip()],
    }


def _extra_party(extra: ExtraParty) -> dict[str, Any]:
    """A guarantor or co-borrower, after the debtor, with the same identity rows (the
    number masked), their role, and a guarantor's form of guarantee (民法典 Art. 686)."""
    row = _party(extra.person)
    rows = row["rows"]
    if extra.role == PartyRole.GUARANTOR:
        form = role_label(extra.role, extra.guarantee_kind or GuaranteeKind.GENERAL)
        rows = [{"label": "保证方式", "value": form[len("保证人（") : -1]}, *rows]
    return {
        **row,
        "role": extra.signer_role,
        "role_label": EXTRA_ROLE_ZH[PartyRole(extra.role)],
        "rows": rows,
    }


def _extra_holders(extras: tuple[ExtraParty, ...]) -> tuple[str, ...]:
    """Each additional party keeps an original too (人民调解法 Art. 29 para. 3)."""
    return tuple(f"{EXTRA_ROLE_ZH[PartyRole(e.role)]}{e.person.name}" for e in extras)


def _preamble(org: OrganisationDetails) -> str:
    return (
        f"上列当事人之间的{DISPUTE_NAME}，经{org.name}主持调解，"
        "双方当事人在平等、自愿、合法的基础上达成如下协议："
    )


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _disputed(item: DisputedItem) -> dict[str, str]:
    return {
        "item_label": ITEM_LABELS.get(item.item, item.item),  # a code, or a label as given
        "objection": item.objection.strip(),
        "resolution": item.resolution.strip(),
    }


def _amounts(terms: AgreementTerms, debtor: str, creditor: str) -> dict[str, Any]:
    parts = [("principal", terms.principal), ("interest", terms.interest)]
    parts += [("penalty", terms.penalty), ("fees", terms.fees)]
    return {
        "amount_rows": [{"label": ITEM_LABELS[k], "amount": v} for k, v in parts],
        "total": terms.total,
        "total_capital": rmb_capital(terms.total),
        "amount_text": (
            f"债务人{debtor}应向债权人{creditor}支付款项共计人民币{_yuan(terms.total)}元"
            f"（大写：{rmb_capital(terms.total)}），其中："
        ),
        "waived_rows": [
            {"label": ITEM_LABELS[w.item], "amount": w.amount} for w in terms.waived if w.amount
        ],
        "waiver_text": "除上述款项外，债权人自愿放弃下列款项，不再向债务人主张：",
    }


def _performance(terms: AgreementTerms, draft: AgreementDraft) -> dict[str, Any]:
    assert draft.account is not None and terms.perform_by is not None
    regular = sum(1 for row in terms.schedule if row.kind != DOWN_PAYMENT)
    if terms.kind == TermsKind.LUMP_SUM:
        plan = f"债务人应于{_cn_date(terms.perform_by)}当日或之前一次性支付上述全部款项。"
    else:
        plan = (
            f"债务人应按下表分{cn_number(regular)}期支付上述款项"
            f"{'（另有首付款一笔）' if regular < len(terms.schedule) else ''}，"
            "每期款项应于该期应还日期当日或之前足额支付，"
            f"最后一期应还日期为{_cn_date(terms.perform_by)}。"
        )
    return {
        "schedule_text": plan,
        "schedule": [_row(row) for row in terms.schedule],
        "schedule_total": terms.total,
        "perform_by": terms.perform_by,
        "account": {
            "payer": draft.debtor.name,
            "payee": draft.creditor.name,
            "account_name": draft.account.account_name,
            "bank": draft.account.bank,
            "account_number": draft.account.grouped,
        },
        "account_text": ("债务人应通过银行转账将各期款项支付至下列账户，以款项到账之日为付款日："),
        "completion_text": (
            "债务人按本协议足额支付全部款项后，本协议即履行完毕，"
            "双方当事人之间因本纠纷产生的债权债务即告结清。"
        ),
    }


def _row(row: Instalment) -> dict[str, Any]:
    label = {DOWN_PAYMENT: "首付款", LUMP_SUM: "一次性付款"}.get(row.kind, f"第{row.number}期")
    return {"number": row.number, "label": label, "due": row.due, "amount": row.amount}


def _default_rule_text(terms: AgreementTerms) -> str:
    """The fixed default rule: an instalment more than N days late makes the
    whole unpaid balance due at once; a confirmed agreement can then be enforced for all
    of it (人民调解法 Art. 33(2); 民事诉讼法 Art. 206)."""
    if terms.kind == TermsKind.LUMP_SUM:
        return (
            "债务人未按本协议约定的期限足额支付上述款项的，本协议经人民法院确认有效后，"
            "债权人可以就尚未支付的款项向人民法院申请强制执行。"
        )
    days = cn_number(terms.default_rule.grace_days)
    return (
        f"债务人未按本协议约定足额支付任何一期款项，且逾期超过{days}日的，"
        "本协议项下尚未支付的全部款项视为全部到期，债务人应当立即一次性支付；"
        "本协议经人民法院确认有效后，债权人可以就尚未支付的全部款项向人民法院申请强制执行。"
    )


def _version_text(draft: AgreementDraft) -> str:
    return (
        f"本协议为第{draft.version}版，拟定于{_cn_date(draft.drafted_on)}。"
        "此前各版本及其上的签名均不再有效。"
        if draft.version > 1
        else f"本协议为第1版，拟定于{_cn_date(draft.drafted_on)}。"
    )


def _signatures(draft: AgreementDraft) -> list[dict[str, str]]:
    """The signature blocks: the parties (the debtor, the creditor, then each guarantor or
    co-borrower, ``sig-party-<id>``) and the mediator last; ``anchor`` is the HTML id
    where the signature field goes."""
    # An institution signs by its agent and seal (签章); a natural-person creditor signs in
    # their own name, as the debtor does (人民调解法 Art. 29).
    creditor_caption = "债权人（签名）" if draft.creditor.signs_in_person else "债权人（签章）"
    blocks = [
        ("debtor", "债务人（签名）", draft.debtor.name),
        ("creditor", creditor_caption, draft.creditor.name),
        *(
            (e.signer_role, f"{EXTRA_ROLE_ZH[PartyRole(e.role)]}（签名）", e.person.name)
            for e in draft.extra_parties
        ),
        ("mediator", "调解员（签名）并加盖调解组织印章", draft.mediator_name),
    ]
    return [
        {
            "role": role,
            "anchor": SIGNATURE_ANCHORS.get(role, f"sig-{role}"),
            "caption": caption,
            "name": name,
        }
        for role, caption, name in blocks
    ]


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
