"""The evidence a demo creditor uploads so its case can go to court (民诉法解释 Art. 354):
the loan contract, the record that the money was paid out (it proves the debt: a loan
between natural persons exists only once the money is provided, 民法典 Art. 679) and the
power of attorney of the employee who acts for the creditor (CPL Art. 62). Each is a
small generated PDF in the documents' own fonts, marked as demo material."""

from __future__ import annotations

import io
from html import escape

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from app.cases.evidence import add_evidence, evidence_of
from app.documents.fetcher import asset_fetcher
from app.documents.fonts import SERIF_FAMILY, font_face_css
from app.models.cases import Case
from app.models.evidence import EvidenceCategory
from app.models.users import User

DISBURSED_ON = "2024年8月15日"  # the contract date every demo case's intake records


def upload_evidence(case: Case, creditor: User) -> None:
    """The creditor uploads each file the checks require that the case lacks (the intake
    already gave it the contract), as generated one-page PDFs."""
    present = {e.category for e in evidence_of(case)}
    for category, name, title, paragraphs in _evidence_files(case, creditor):
        if category not in present:
            data = evidence_pdf(title, paragraphs)
            add_evidence(creditor, case, io.BytesIO(data), name, category, f"{title}（演示）")


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
                f"借款本金：{principal}，年利率{case.annual_rate}%，借款期限24个月。",
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
                f"委托人：{lender.name}，法定代表人：{lender.legal_representative or '—'}",
                f"受托人：{creditor.name}，系委托人员工，联系电话：{creditor.phone or '—'}",
                f"委托事项：就与{case.debtor_name}的借款合同纠纷（合同编号"
                f"{case.contract_number}）参加人民调解，签署调解协议，共同申请司法确认并"
                "签署申请书、送达地址确认书及承诺书。",
                "代理权限：特别授权。",
            ],
        ),
    ]


def evidence_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small one-page PDF as a creditor would upload it (our fonts; marked as demo)."""
    fonts, fetcher = FontConfiguration(), asset_fetcher()
    style = f'body {{ font-family: "{SERIF_FAMILY}"; font-size: 12pt; line-height: 1.8; }}'
    css = CSS(string=font_face_css() + style, font_config=fonts, url_fetcher=fetcher)
    body = "".join(f"<p>{escape(p)}</p>" for p in [*paragraphs, "（演示材料，不具法律效力）"])
    html = f'<html lang="zh-CN"><body><h1>{escape(title)}</h1>{body}</body></html>'
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=fonts)


__all__ = ["evidence_pdf", "upload_evidence"]
