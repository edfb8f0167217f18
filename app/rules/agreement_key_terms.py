"""The agreement's key terms, for the box above the pages a signer reads: who pays whom,
how much (in figures and in capital numerals), when, into which account, and what
happens on default. Taken from the same frozen draft the PDF is rendered from, so the
box and the document cannot disagree (民诉法解释 Art. 358(5): the terms are fixed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.rules.agreement_terms import AgreementDraft
from app.rules.case_parties import role_label
from app.rules.numerals import rmb_capital
from app.rules.proposals import TermsKind
from app.rules.schedules import DOWN_PAYMENT


@dataclass(frozen=True)
class KeyTerms:
    debtor: str
    creditor: str
    total: Decimal
    total_capital: str  # 人民币…元整 (《支付结算办法》附件一)
    lump_sum: bool
    first_due: date
    first_amount: Decimal
    instalments: int  # regular instalments, the down payment not counted
    down_payment: Decimal | None
    last_due: date
    payee_account_name: str
    payee_bank: str
    payee_account_number: str  # in groups of four, as printed
    grace_days: int  # an instalment later than this makes the balance due (not lump sums)
    # Who else answers for the debt (guarantors, co-borrowers), as the agreement names them:
    # "赵某（保证人（连带责任保证））" (:mod:`app.rules.case_parties`).
    also_liable: tuple[str, ...] = ()


def key_terms(draft: AgreementDraft) -> KeyTerms:
    """The key terms of a draft that has a schedule and a receiving account (every
    rendered version has both: ``agreement_checks`` blocks a draft without them)."""
    terms, account = draft.terms, draft.account
    if not terms.schedule or account is None:
        raise ValueError("the draft has no schedule or no receiving account")
    first, last = terms.schedule[0], terms.schedule[-1]
    down = next((row.amount for row in terms.schedule if row.kind == DOWN_PAYMENT), None)
    return KeyTerms(
        debtor=draft.debtor.name,
        creditor=draft.creditor.name,
        total=terms.total,
        total_capital=rmb_capital(terms.total),
        lump_sum=terms.kind == TermsKind.LUMP_SUM,
        first_due=first.due,
        first_amount=first.amount,
        instalments=sum(1 for row in terms.schedule if row.kind != DOWN_PAYMENT),
        down_payment=down,
        last_due=last.due,
        payee_account_name=account.account_name,
        payee_bank=account.bank,
        payee_account_number=account.grouped,
        grace_days=terms.default_rule.grace_days,
        also_liable=tuple(
            f"{e.person.name}（{role_label(e.role, e.guarantee_kind)}）"
            for e in draft.extra_parties
        ),
    )
