"""The evidence a demo creditor uploads so its case can go to court (民诉法解释 Art. 354):
the loan contract, the record that the money was paid out (it proves the debt: a loan
between natural persons exists only once the money is provided, 民法典 Art. 679) and the
power of attorney of the employee who acts for the creditor (CPL Art. 62). Each is a
small generated PDF in the documents' own fonts, marked as demo material."""

from __future__ import annotations

import io
from datetime import date
from html import escape

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from app.cases.evidence import add_evidence, evidence_of
from app.cases.papers import needs_power_of_attorney, record_power_of_attorney
from app.documents.fetcher import asset_fetcher
from app.documents.fonts import FONT_STACK, font_face_css
from app.models.cases import Case
from app.models.evidence import EvidenceCategory
from app.models.users import User
from app.rules.money import format_rate
from app.rules.party_kinds import representative_title
from app.rules.powers_of_attorney import Power, PowerOfAttorney

DISBURSED_ON = "2024年8月15日"  # the contract date every demo case's intake records
POA_FROM = date(2025, 1, 2)  # the demo creditor's power of attorney, signed and in effect


def upload_evidence(case: Case, creditor: User) -> None:
    """The creditor uploads each file the checks require that the case lacks (the intake
    already gave it the contract), as generated one-page PDFs."""
    present = {e.category for e in evidence_of(case)}
    for category, name, title, paragraphs in _evidence_files(case, creditor):
        if category == EvidenceCategory.ATTORNEY and not needs_power_of_attorney(case):
            continue  # a natural-person lender signs in person (人民调解法 Art. 29)
        if category not in present:
            data = evidence_pdf(title, paragraphs)
            if category == EvidenceCategory.ATTORNEY:
                poa = demo_power_of_attorney(case, creditor)
                record_power_of_attorney(creditor, case, io.BytesIO(data), name, poa)
            else:
                add_evidence(creditor, case, io.BytesIO(data), name, category, f"{title}（演示）")


def demo_power_of_attorney(case: Case, creditor: User) -> PowerOfAttorney:
    """What the demo's power of attorney says (its PDF says the same): the employee may
    do everything the mediation and the confirmation need, with special authorisation."""
    return PowerOfAttorney(
        principal=case.creditor_org.name,
        agent_name=creditor.name,
        agent_id_number=None,
        agent_position="委托人员工",
        powers=frozenset(Power),
        valid_from=POA_FROM,
        valid_until=None,
        signed_on=POA_FROM,
    )


def _evidence_files(
    case: Case, creditor: User
) -> list[tuple[EvidenceCategory, str, str, list[str]]]:
    lender = case.creditor_org
    principal = f"人民币{case.principal_lent:,.2f}元"
    return [
        (
            EvidenceCategory.CONTRACT,
            "借款合同.pdf",
            "借款合同",
            [
                f"合同编号：{case.contract_number}",
                f"贷款人：{lender.name}",
                f"借款人：{case.debtor_name}",
                f"借款本金：{principal}，年利率{format_rate(case.annual_rate)}，借款期限24个月。",
            ],
        ),
        (
            EvidenceCategory.DISBURSEMENT,
            "放款凭证.pdf",
            "贷款发放凭证",
            [
                f"合同编号：{case.contract_number}",
                f"借款人：{case.debtor_name}",
                f"发放金额：{principal}",
                f"发放日期：{DISBURSED_ON}",
                f"发放机构：{lender.name}（已划入借款人账户）",
            ],
        ),
        (
            EvidenceCategory.ATTORNEY,
            "授权委托书.pdf",
            "授权委托书",
            [
                f"委托人：{lender.name}，{representative_title(lender.entity_kind) or '代表人'}："
                f"{lender.legal_representative or '—'}",
                f"受托人：{creditor.name}，系委托人员工，联系电话：{creditor.phone or '—'}",
                f"委托事项：就与{case.debtor_name}的借款合同纠纷（合同编号"
                f"{case.contract_number}）参加人民调解，签署调解协议，共同申请司法确认并"
                "签署申请书、送达地址确认书及承诺书。",
                "代理权限：特别授权。",
                "授权期限：自2025年1月2日起至本案调解及司法确认事项办结之日止。",
            ],
        ),
    ]


def evidence_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small one-page PDF as a creditor would upload it (our fonts; marked as demo)."""
    fonts, fetcher = FontConfiguration(), asset_fetcher()
    style = f"body {{ font-family: {FONT_STACK}; font-size: 12pt; line-height: 1.8; }}"
    css = CSS(string=font_face_css() + style, font_config=fonts, url_fetcher=fetcher)
    body = "".join(f"<p>{escape(p)}</p>" for p in [*paragraphs, "（演示材料，不具法律效力）"])
    html = f'<html lang="zh-CN"><body><h1>{escape(title)}</h1>{body}</body></html>'
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=fonts)


__all__ = ["evidence_pdf", "upload_evidence"]
