"""Checks on a draft agreement before it is rendered.

A court confirms only an agreement whose content is clear (民诉法解释 Art. 358(5)): a
fixed total, every instalment with its date and amount, the receiving account, both
parties named and located, and no open terms. ``validate_for_rendering`` lists what is
wrong; any BLOCK stops rendering, so an oversized or ambiguous draft never reaches the
PDF engine. This is a screening aid for the mediator, not legal advice.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Iterator
from decimal import Decimal
from itertools import pairwise

from stdnum.cn import uscc

from app.rules.agreement_terms import (
    FIRST_VERSION,
    PARTIES,
    WAIVABLE_ITEMS,
    AgreementDraft,
    AgreementTerms,
    PartyDetails,
    PartyKind,
)
from app.rules.citations import cite
from app.rules.claims import Finding, Severity
from app.rules.money import FEN, to_fen
from app.rules.proposals import Side, TermsKind
from app.rules.schedules import DOWN_PAYMENT, KINDS, MAX_INSTALMENTS

SOURCE_CONTENT = cite("mediation_law.29")
SOURCE_CLEAR = cite("cpl_interp.358.5")
SOURCE_CONTENT_CLEAR = cite("mediation_law.29", "cpl_interp.358.5")
SOURCE_PRIVACY = cite("pipl.28", "pipl.51")
SOURCE_PLATFORM = "本平台规则（非法律规定）"

# Words that leave a term open ("per contract", "to be agreed"): a court cannot confirm
# what the agreement leaves to later (民诉法解释 Art. 358(5)). Matched after NFKC, case folding and
# removing whitespace, so "按 合同约定" and full-width "ＴＢＤ" are caught too.
OPEN_WORDING = (
    "按合同约定",
    "依合同约定",
    "按原合同约定",
    "另行协商",
    "另行约定",
    "另行商定",
    "双方再议",
    "待定",
    "percontract",
    "tobeagreed",
    "tobedetermined",
    "tbd",
)
MAX_GRACE_DAYS = 90
MAX_DISPUTED_ITEMS = 20
# Longest text each field may hold: rendering time grows with text (TECH_NOTES).
LIMITS = {"name": 100, "short": 40, "address": 300, "facts": 3000, "item": 500}
_ALLOWED_CONTROLS = {"\n", "\t"}
_UNPRINTABLE = {"Cc", "Cf", "Co", "Cs", "Cn"}


def validate_for_rendering(
    draft: AgreementDraft, *, missing_glyphs: Callable[[str], Collection[str]] | None = None
) -> list[Finding]:
    """Every finding about a draft agreement, blocks first. Blocks: more than
    ``MAX_INSTALMENTS`` instalments (plus one down payment); a schedule that is empty, out
    of order, not in whole fen or not summing exactly to the total; parts not summing to
    the total; a missing receiving account; a party without name, address or identity;
    an unmasked identity number; open wording in free text; the last due date before the
    agreement date; text too long or with invisible control characters. Warnings: the
    account holder is not the creditor; a payment due before the agreement date; with
    ``missing_glyphs`` (the renderer's font check, passed in so the domain stays pure),
    characters the document font cannot draw. No disputed items is fine."""
    found = [
        *_schedule_findings(draft.terms, draft),
        *_amount_findings(draft.terms),
        *_party_findings(draft.creditor, Side.CREDITOR),
        *_party_findings(draft.debtor, Side.DEBTOR),
        *_organisation_findings(draft),
        *_account_findings(draft),
        *_text_findings(draft),
        *_glyph_findings(draft, missing_glyphs),
    ]
    return sorted(found, key=lambda f: f.severity != Severity.BLOCK)


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.BLOCK]


def _block(code: str, zh: str, en: str, source: str = SOURCE_CONTENT_CLEAR) -> Finding:
    return Finding(code, Severity.BLOCK, zh, en, source)


def _schedule_findings(terms: AgreementTerms, draft: AgreementDraft) -> Iterator[Finding]:
    rows = terms.schedule
    if not rows:
        yield _block("schedule_empty", "协议没有还款计划。", "The agreement has no schedule.")
        return
    regular = [r for r in rows if r.kind != DOWN_PAYMENT]
    if len(regular) > MAX_INSTALMENTS or len(rows) - len(regular) > 1:
        yield _block(
            "instalment_count",
            f"还款计划有{len(regular)}期，超过{MAX_INSTALMENTS}期的上限（另可有一笔首付款）。",
            f"The schedule has {len(regular)} instalments; the limit is {MAX_INSTALMENTS} "
            "(plus one down payment).",
            SOURCE_PLATFORM,
        )
    yield from _row_findings(terms)
    if terms.kind == TermsKind.LUMP_SUM and len(rows) != 1:
        yield _block("lump_sum_rows", "一次性付款只能有一笔。", "A lump sum is one payment.")
    yield from _date_findings(terms, draft)


def _row_findings(terms: AgreementTerms) -> Iterator[Finding]:
    rows = terms.schedule
    if any(not _whole_fen(r.amount) or r.amount < FEN for r in rows):
        yield _block(
            "schedule_amount",
            "还款计划中有金额不是以分为单位的正数。",
            "A schedule amount is not a positive amount in whole fen.",
        )
    elif sum(r.amount for r in rows) != terms.total:
        yield _block(
            "schedule_sum",
            "各期金额之和不等于协议总额。",
            "The instalments do not add up exactly to the total.",
        )
    numbers = [r.number for r in rows]
    ordered = all(a.due <= b.due for a, b in pairwise(rows))
    if not ordered or len(set(numbers)) != len(numbers) or numbers != sorted(numbers):
        yield _block(
            "schedule_order",
            "还款计划的期数或日期顺序有误。",
            "The schedule's numbers or dates are out of order.",
        )
    if any(r.kind not in KINDS for r in rows):
        yield _block("schedule_kind", "还款计划有未知的款项类型。", "Unknown payment kind.")


def _date_findings(terms: AgreementTerms, draft: AgreementDraft) -> Iterator[Finding]:
    last, first = terms.perform_by, min(r.due for r in terms.schedule)
    if last is not None and last < draft.drafted_on:
        yield _block(
            "last_due_past",
            "最后一期应还日期早于协议日期，协议无法按期履行。",
            "The last due date is before the agreement's date.",
        )
    elif first < draft.drafted_on:
        yield Finding(
            "first_due_past",
            Severity.WARN,
            "有款项的应还日期早于协议日期，请确认该款项已经支付或调整日期。",
            "A payment falls due before the agreement's date: check it was paid, or move it.",
            SOURCE_CLEAR,
        )
    if not 1 <= terms.default_rule.grace_days <= MAX_GRACE_DAYS:
        yield _block(
            "grace_days",
            f"违约宽限期须为1至{MAX_GRACE_DAYS}日。",
            f"The grace period must be 1 to {MAX_GRACE_DAYS} days.",
            SOURCE_PLATFORM,
        )


def _amount_findings(terms: AgreementTerms) -> Iterator[Finding]:
    parts = [terms.principal, terms.interest, terms.penalty, terms.fees, terms.total]
    parts += [w.amount for w in terms.waived]
    if any(not _whole_fen(x) or x < 0 for x in parts) or terms.total < FEN:
        yield _block(
            "money_precision",
            "协议金额须为以分为单位的非负数，总额须大于零。",
            "Amounts must be non-negative whole fen and the total above zero.",
        )
    elif terms.principal + terms.interest + terms.penalty + terms.fees != terms.total:
        yield _block(
            "parts_sum",
            "本金、利息、违约金和费用之和不等于协议总额。",
            "Principal, interest, penalty and fees do not add up to the total.",
        )
    if any(w.item not in WAIVABLE_ITEMS for w in terms.waived):
        yield _block("waived_item", "放弃的款项类型未知。", "Unknown waived item.")


def _party_findings(party: PartyDetails, role: Side) -> Iterator[Finding]:
    label, label_en = ("债权人", "creditor") if role == Side.CREDITOR else ("债务人", "debtor")
    if party.role != role or party.role not in PARTIES:
        yield _block("party_role", f"{label}信息错位。", f"The {label_en} is in the wrong place.")
    if not party.name.strip() or not party.address.strip():
        yield _block(
            f"{role}_details",
            f"缺少{label}的姓名（名称）或住所。",
            f"The {label_en}'s name or address is missing.",
        )
    if party.kind == PartyKind.PERSON:
        yield from _person_id_findings(party, label, label_en)
    elif not uscc.is_valid(party.credit_code):
        yield _block(
            f"{role}_credit_code",
            f"{label}的统一社会信用代码缺失或无效。",
            f"The {label_en}'s unified social credit code is missing or invalid (GB 32100).",
        )


def _person_id_findings(party: PartyDetails, label: str, label_en: str) -> Iterator[Finding]:
    if not party.id_type or not party.id_display.strip():
        yield _block(
            f"{party.role}_identity",
            f"缺少{label}的身份证件信息。",
            f"The {label_en}'s identity document is missing.",
        )
    elif "*" not in party.id_display:
        yield _block(
            "id_not_masked",
            f"{label}的证件号码未作遮蔽处理，协议中只能显示遮蔽后的号码。",
            f"The {label_en}'s identity number is not masked; the agreement prints it masked.",
            SOURCE_PRIVACY,
        )


def _organisation_findings(draft: AgreementDraft) -> Iterator[Finding]:
    org = draft.organisation
    if not all(x.strip() for x in (org.name, org.registration_number, org.address)):
        yield _block(
            "organisation_details",
            "缺少调解组织的名称、登记号或地址。",
            "The mediation organisation's name, registration or address is missing.",
        )
    if not draft.mediator_name.strip():
        yield _block("mediator_name", "缺少调解员姓名。", "The mediator's name is missing.")
    if draft.version < FIRST_VERSION or not draft.reference.strip():
        yield _block("agreement_version", "协议编号或版本有误。", "Bad reference or version.")


def _account_findings(draft: AgreementDraft) -> Iterator[Finding]:
    if draft.account is None:
        yield _block(
            "account_missing",
            "缺少收款账户：协议须写明债务人向哪个账户付款。",
            "The receiving account is missing: the agreement must say where the debtor pays.",
        )
    elif _normal(draft.account.account_name) != _normal(draft.creditor.name):
        yield Finding(
            "account_holder_differs",
            Severity.WARN,
            "收款账户户名与债权人名称不一致，请确认债权人同意向该账户付款即视为向其付款。",
            "The account holder is not the creditor: check the creditor accepts payment "
            "into this account as payment to it.",
            SOURCE_CLEAR,
        )


def _text_findings(draft: AgreementDraft) -> Iterator[Finding]:
    printed = _printed_text(draft)
    for label, text, _, free in printed:
        hits = [phrase for phrase in OPEN_WORDING if free and phrase in _normal(text)]
        for phrase in hits:
            yield _block(
                "open_wording",
                f"{label}含有不确定的表述“{phrase}”，协议内容须明确，请写明具体内容。",
                f"{label} leaves a term open ('{phrase}'); state it in full.",
                SOURCE_CLEAR,
            )
    too_many = len(draft.disputed_items) > MAX_DISPUTED_ITEMS
    if too_many or any(len(text) > limit for _, text, limit, _ in printed):
        yield _block("text_too_long", "协议文字过长。", "Some text is too long.", SOURCE_PLATFORM)
    if any(_unprintable(text) for _, text, _, _ in printed):
        yield _block(
            "text_unprintable",
            "文字中含有不可见的控制字符（可能改变文字的显示顺序），请删除。",
            "Some text holds invisible control characters (they can reorder what is "
            "displayed); remove them.",
            SOURCE_PLATFORM,
        )


def _glyph_findings(
    draft: AgreementDraft, missing_glyphs: Callable[[str], Collection[str]] | None
) -> Iterator[Finding]:
    """Rare characters that no shipped face has (the Ext-B ones beyond the rare face's
    2,300, e.g. 𠀀 U+20000) would print as empty boxes: warn before rendering."""
    if missing_glyphs is None:
        return
    text = "".join(text for _, text, _, _ in _printed_text(draft))
    missing = "".join(sorted(set(missing_glyphs(text))))
    if missing:
        yield Finding(
            "glyph_missing",
            Severity.WARN,
            f"协议字体缺少以下字符：{missing}。请核对PDF中这些字符显示是否正确。",
            f"The document font lacks these characters: {missing}. Check how they print.",
            SOURCE_PLATFORM,
        )


def _printed_text(draft: AgreementDraft) -> list[tuple[str, str, int, bool]]:
    """Every text a person typed that the agreement prints: (label, text, length limit,
    free text that may hold open wording)."""
    rows = [("纠纷事实", draft.facts, LIMITS["facts"], True)]
    for n, item in enumerate(draft.disputed_items, start=1):
        rows += [(f"争议事项{n}", item.objection, LIMITS["item"], True)]
        rows += [(f"争议事项{n}的处理结果", item.resolution, LIMITS["item"], True)]
    rows += [("违约条款补充约定", draft.terms.default_rule.statement, LIMITS["item"], True)]
    name, short, address = LIMITS["name"], LIMITS["short"], LIMITS["address"]
    for p in (draft.creditor, draft.debtor):
        rows += [("当事人", t, name, False) for t in (p.name, p.representative, p.agent_name)]
        rows += [("当事人", t, short, False) for t in (p.phone, p.id_display, p.credit_code)]
        rows += [("住所", p.address, address, False)]
    org = draft.organisation
    rows += [("调解组织", t, name, False) for t in (org.name, draft.mediator_name)]
    rows += [("调解组织", t, short, False) for t in (org.registration_number, org.phone)]
    rows += [("调解组织", org.address, address, False), ("编号", draft.reference, short, False)]
    if draft.account is not None:
        acc = draft.account
        rows += [("收款账户", t, name, False) for t in (acc.account_name, acc.bank)]
    return rows


def _unprintable(text: str) -> bool:
    return any(
        ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in _UNPRINTABLE for ch in text
    )


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _whole_fen(amount: object) -> bool:
    return isinstance(amount, Decimal) and amount.is_finite() and amount == to_fen(amount)
