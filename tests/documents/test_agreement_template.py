"""The agreement template rendered through the real renderer and read back with pypdf:
names with rare characters, a hostile name printed as text, every instalment, the total in
capital numerals, the articles and the three signature anchors (人民调解法 Art. 29; issue 5)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.documents.fonts import missing_glyphs
from app.documents.render import RenderedPdf, render_pdf
from app.rules.agreements import (
    AgreementDraft,
    ReceivingAccount,
    agreement_context,
    validate_for_rendering,
)
from tests.unit.test_agreements import make_draft, make_terms

HOSTILE = '<link rel="attachment" href="file:///etc/passwd">'
RARE_DEBTOR = "张𠮷䶮"  # 𠮷 is CJK Ext-B (U+20BB7), 䶮 Ext-A (U+4DAE)


def hostile_draft() -> AgreementDraft:
    draft = make_draft(terms=make_terms(agreed="11999.99"))
    return replace(
        draft,
        debtor=replace(draft.debtor, name=RARE_DEBTOR),
        creditor=replace(draft.creditor, name=HOSTILE),
        account=ReceivingAccount(HOSTILE, "示例银行北京分行", "6222021234567890123"),
        facts=f"债务人{RARE_DEBTOR}于2024年3月1日借款。{HOSTILE}",
    )


def render(draft: AgreementDraft) -> RenderedPdf:
    return render_pdf("agreement.html", agreement_context(draft))


def read(pdf: RenderedPdf) -> PdfReader:
    return PdfReader(BytesIO(pdf.data))


def text_of(pdf: RenderedPdf) -> str:
    """All pages' text with whitespace removed (pypdf spaces CJK text unpredictably)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in read(pdf).pages))


def font_names(pdf: RenderedPdf) -> set[str]:
    names = set()
    for page in read(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.fixture(scope="module")
def pdf() -> RenderedPdf:
    return render(hostile_draft())


def test_the_names_come_back_and_the_hostile_one_as_literal_text(pdf: RenderedPdf) -> None:
    text = text_of(pdf)
    assert RARE_DEBTOR in text
    assert re.sub(r"\s+", "", HOSTILE) in text
    assert "root:" not in text


def test_nothing_is_attached_or_embedded(pdf: RenderedPdf) -> None:
    reader = read(pdf)
    names = reader.trailer["/Root"].get("/Names", {})
    assert "/EmbeddedFiles" not in names
    assert reader.attachments == {}


def test_every_instalment_is_printed_with_its_date_and_amount(pdf: RenderedPdf) -> None:
    text = text_of(pdf)
    schedule = hostile_draft().terms.schedule
    assert len(schedule) == 24
    for row in schedule:
        day = f"{row.due.year}年{row.due.month}月{row.due.day}日"
        assert f"第{row.number}期{day}¥{row.amount:,.2f}" in text
    assert schedule[-1].amount == Decimal("500.22")  # the remainder row is there too
    assert "合计¥11,999.99" in text


def test_the_total_is_in_figures_and_capital_numerals(pdf: RenderedPdf) -> None:
    text = text_of(pdf)
    assert "人民币11,999.99元（大写：人民币壹万壹仟玖佰玖拾玖元玖角玖分）" in text
    assert "合计（大写）人民币壹万壹仟玖佰玖拾玖元玖角玖分" in text


def test_the_articles_and_the_legal_sentences_are_there(pdf: RenderedPdf) -> None:
    text = text_of(pdf)
    for heading in ("第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条"):
        assert heading in text
    assert "双方当事人可以自本协议生效之日起三十日内共同向有管辖权的人民法院申请司法确认" in text
    assert "本协议自双方当事人签名、调解员签名并加盖调解组织印章之日起生效" in text
    assert "逾期超过十五日" in text
    assert "110105********002X" in text and "11010519491231002X" not in text
    assert "本协议为第1版，拟定于2026年11月28日" in text


def test_people_mediation_law_art_29_para_3_the_agreement_says_who_keeps_the_originals(
    pdf: RenderedPdf,
) -> None:
    """人民调解法 Art. 29 para. 3: 当事人各执一份，人民调解委员会留存一份."""
    org = make_draft().organisation.name
    assert f"本协议一式三份，债权人、债务人各执一份，{org}留存一份" in text_of(pdf)


def test_the_three_signature_boxes_become_anchors_on_the_last_page(pdf: RenderedPdf) -> None:
    assert set(pdf.anchors) == {"sig-debtor", "sig-creditor", "sig-mediator"}
    assert {a.page for a in pdf.anchors.values()} == {pdf.pages - 1}
    debtor, creditor = pdf.anchors["sig-debtor"], pdf.anchors["sig-creditor"]
    assert debtor.x2 <= creditor.x1  # side by side, not overlapping
    assert pdf.anchors["sig-mediator"].y2 <= debtor.y1  # the mediator below the parties
    text = text_of(pdf)
    for caption in ("债务人（签名）", "债权人（签章）", "调解员（签名）并加盖调解组织印章"):
        assert caption in text


def test_a_24_instalment_agreement_fits_on_five_a4_pages(pdf: RenderedPdf) -> None:
    assert pdf.pages <= 5  # 4 with ordinary names; the long hostile name wraps in 3 tables
    width, height = (float(x) for x in read(pdf).pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)


def test_common_names_are_set_in_the_project_fonts_only() -> None:
    """Without Ext-B characters, nothing falls back to a system font; the bold face is
    used for the fixed headings (WeasyPrint never fakes bold)."""
    pdf = render(make_draft())
    assert font_names(pdf) == {"Concord-Serif", "Concord-Serif-Bold"}


def test_a_lump_sum_agreement_renders_one_payment() -> None:
    from app.rules.proposals import TermsKind
    from app.rules.schedules import Instalment

    terms = make_terms(
        kind=TermsKind.LUMP_SUM,
        schedule=(Instalment(1, date(2026, 12, 31), Decimal("12000.00"), "lump_sum"),),
    )
    text = text_of(render(make_draft(terms=terms, disputed_items=())))
    assert "一次性付款2026年12月31日¥12,000.00" in text
    assert "双方当事人对上述事实及欠款金额均无异议" in text


def test_the_font_check_flags_an_ext_b_character_no_shipped_face_has() -> None:
    """𠮷 (U+20BB7) is drawn by the rare face; 𠀀 (U+20000) by none: only it is flagged."""
    draft = hostile_draft()
    draft = replace(draft, debtor=replace(draft.debtor, name="张𠀀𠮷䶮"))
    found = validate_for_rendering(draft, missing_glyphs=missing_glyphs)
    assert [(f.code, f.severity) for f in found] == [("glyph_missing", "warn")]
    assert "𠀀" in found[0].message_zh
    assert "𠮷" not in found[0].message_zh
    assert validate_for_rendering(hostile_draft(), missing_glyphs=missing_glyphs) == []
