"""The PDF renderer: Chinese text with real embedded fonts, escaped user text, a fetcher that
reads only our fonts / static/ / data:, attachments kept byte for byte, signature anchors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import jinja2
import pytest
from pypdf import PdfReader

from app.documents import fetcher as fetcher_module
from app.documents import fonts, render
from app.documents.fetcher import AssetFetcher, RefusedURL, asset_fetcher
from app.documents.fonts import FONT_FILES, STATIC_DIR, font_face_css, missing_glyphs
from app.documents.render import (
    Attachment,
    RenderedPdf,
    RenderError,
    cn_date,
    cn_datetime,
    data_url,
    money,
    render_pdf,
)

TEMPLATES = [Path(__file__).parent / "templates"]
A4_PT = (595.28, 841.89)
HOSTILE = (
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="file:///etc/passwd">',
    "<style>body{background:url(file:///etc/passwd)}</style>",
    "url(http://example.com/x)",
)
ORG = {
    "name": "和衷金融纠纷调解中心",
    "registration_number": "12310000MB0000000X",
    "address": "上海市黄浦区中山东一路1号",
    "phone": "021-12345678",
}


def context(**overrides: Any) -> dict[str, Any]:
    rows = [
        {"due": date(2027, 1 + i // 28, i % 28 + 1), "amount": Decimal("1234.56")}
        for i in range(24)
    ]
    base = {
        "org": ORG,
        "reference": "（2026）和调字第00042号",
        "document_title": "调解协议书",
        "creditor": "某某银行股份有限公司",
        "debtor": "张䶮",
        "note": "无",
        "rows": rows,
        "total": Decimal("29629.44"),
        "signed_at": datetime(2026, 11, 28, 12, 15, tzinfo=UTC),
        "paragraphs": ["本协议自各方当事人签名、调解员签名并加盖调解组织印章之日起生效。" * 4] * 12,
    }
    return base | overrides


def sample(**overrides: Any) -> RenderedPdf:
    return render_pdf("sample.html", context(**overrides), template_dirs=TEMPLATES)


def raw(markup: str) -> RenderedPdf:
    return render_pdf("raw_markup.html", context(markup=markup), template_dirs=TEMPLATES)


def read(pdf: RenderedPdf) -> PdfReader:
    return PdfReader(BytesIO(pdf.data))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def all_text(pdf: RenderedPdf) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def font_names(pdf: RenderedPdf) -> set[str]:
    """Embedded font programs, subset tag removed: {"Concord-Serif", ...}."""
    names = set()
    for page in read(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font["/DescendantFonts"]:
                descriptor = descendant.get_object()["/FontDescriptor"]
                assert "/FontFile3" in descriptor  # the font program is in the file
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
    return names


@pytest.fixture(scope="module")
def document() -> RenderedPdf:
    return sample()


class RecordingFetcher(AssetFetcher):
    def __init__(self) -> None:
        real = asset_fetcher()
        super().__init__(allowed_files=real._files, allowed_dirs=real._dirs)
        self.asked: list[str] = []

    def fetch(self, url: str, headers: object = None) -> Any:
        self.asked.append(url)
        return super().fetch(url, headers)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingFetcher]:
    spy = RecordingFetcher()
    monkeypatch.setattr(render, "asset_fetcher", lambda: spy)
    yield spy


# --- the document -----------------------------------------------------------------------


def test_chinese_text_comes_back_out_of_the_pdf(document: RenderedPdf) -> None:
    text = squeeze(all_text(document))
    for expected in (
        "调解协议书",
        "和衷金融纠纷调解中心",
        "甲方（债权人）：某某银行股份有限公司",
        "乙方（债务人）：张䶮",
        "2027年1月24日",
        "¥1,234.56",
        "合计：¥29,629.44",
        "签订时间：2026年11月28日20:15",
        "案号：（2026）和调字第00042号",
    ):
        assert expected in text


def test_the_cjk_regular_and_bold_faces_are_embedded_and_no_system_font(
    document: RenderedPdf,
) -> None:
    assert font_names(document) == {"Concord-Serif", "Concord-Serif-Bold"}


def test_a_three_page_document_has_the_page_footer_and_running_header_on_every_page(
    document: RenderedPdf,
) -> None:
    pages = read(document).pages
    assert document.pages == len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页共3页" in squeeze(page.extract_text())
    running_header = "和衷金融纠纷调解中心案号：（2026）和调字第00042号"
    assert all(running_header in squeeze(page.extract_text()) for page in pages[1:])


def test_the_producer_is_removed_from_the_info_dictionary(document: RenderedPdf) -> None:
    info = read(document).metadata
    assert info is not None and info.title == "调解协议书"
    assert "/Producer" not in info


def test_the_pdf_is_pdf_a_3b_in_chinese(document: RenderedPdf) -> None:
    reader = read(document)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    assert reader.pdf_header == "%PDF-1.7"


def test_signature_anchors_are_boxes_in_points_inside_the_page(document: RenderedPdf) -> None:
    assert set(document.anchors) == {"sig-creditor", "sig-debtor"}
    creditor, debtor = document.anchors["sig-creditor"], document.anchors["sig-debtor"]
    mediabox = read(document).pages[creditor.page].mediabox
    assert (float(mediabox.width), float(mediabox.height)) == pytest.approx(A4_PT, abs=0.01)
    for anchor in (creditor, debtor):
        assert anchor.page == document.pages - 1
        assert 0 < anchor.x1 < anchor.x2 < A4_PT[0] and 0 < anchor.y1 < anchor.y2 < A4_PT[1]
        # .sig-box is 220 x 90 CSS px = 165 x 67.5 pt, at the 28 mm left margin
        assert (anchor.x2 - anchor.x1, anchor.y2 - anchor.y1) == pytest.approx((165, 67.5))
        assert anchor.x1 == pytest.approx(28 / 25.4 * 72)
    assert creditor.y1 > debtor.y2  # y grows upwards: the first box is higher on the page


def test_another_anchor_prefix_selects_other_ids() -> None:
    assert (
        render_pdf(
            "sample.html", context(), anchor_prefix="nothing-", template_dirs=TEMPLATES
        ).anchors
        == {}
    )


def test_attachments_come_back_byte_identical() -> None:
    blobs = [
        Attachment("evidence-1.bin", "借款合同（扫描件）", bytes(range(256)) * 40),
        Attachment("schedule.csv", "还款计划", "期数,金额\n1,100.00\n".encode()),
    ]
    pdf = render_pdf(
        "sample.html", context(paragraphs=[]), attachments=blobs, template_dirs=TEMPLATES
    )
    reader = read(pdf)
    assert {name: data for name, (data,) in reader.attachments.items()} == {
        a.filename: a.data for a in blobs
    }
    related = [spec.get_object() for spec in reader.trailer["/Root"]["/AF"]]
    assert sorted(spec["/F"] for spec in related) == ["evidence-1.bin", "schedule.csv"]
    assert [spec["/Desc"] for spec in related] == ["借款合同（扫描件）", "还款计划"]


@pytest.mark.parametrize("name", ["协议.pdf", "a b.txt", "../x.txt", "a/b.txt", ".hidden", ""])
def test_an_attachment_name_must_be_plain_ascii(name: str) -> None:
    with pytest.raises(ValueError, match="ASCII"):
        Attachment(name, "说明", b"x")


# --- hostile text and the fetcher --------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_user_text_is_printed_as_text_and_nothing_is_fetched_or_embedded(
    value: str, recorder: RecordingFetcher
) -> None:
    pdf = sample(debtor=value, note=value, creditor=value, paragraphs=[])
    reader = read(pdf)
    assert squeeze(value) in squeeze(all_text(pdf))
    assert "/EmbeddedFiles" not in reader.trailer["/Root"]["/Names"]
    assert "/AF" not in reader.trailer["/Root"] and reader.attachments == {}
    assert "root:" not in all_text(pdf)
    font_uris = {Path(p).resolve().as_uri() for p in FONT_FILES.values()}
    assert recorder.asked and set(recorder.asked) <= font_uris


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="attachment" href="file:///etc/passwd">',
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
        '<img src="file:///etc/passwd">',
        "<style>body{background:url(file:///etc/passwd)}</style>",
        '<img src="http://example.com/x.png">',
        '<div style="background: url(https://example.com/x)">x</div>',
        '<img src="../../../../../../etc/passwd">',
    ],
)
def test_markup_that_escaped_escaping_still_cannot_read_anything(markup: str) -> None:
    """The second wall: a template that wrongly marks user text |safe fails, never leaks."""
    with pytest.raises(RenderError, match="not allowed"):
        raw(markup)


def test_a_data_url_image_renders(recorder: RecordingFetcher) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    raw(f'<img class="seal" src="{data_url(svg, "image/svg+xml")}">')
    assert any(url.startswith("data:image/svg+xml;base64,") for url in recorder.asked)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x",
        "https://example.com/x",
        "ftp://example.com/x",
        "javascript:alert(1)",
        (STATIC_DIR / "css").as_uri() + "/../../app/config.py",
        (STATIC_DIR / "css").as_uri() + "/%2e%2e/%2e%2e/app/config.py",
        "file://example.com" + (STATIC_DIR / "css" / "app.css").as_posix(),
        (STATIC_DIR / "css" / "app.css").as_uri() + "?x=1",
        STATIC_DIR.as_uri(),
        "file:static/css/app.css",
    ],
)
def test_the_fetcher_refuses_everything_but_our_assets(url: str) -> None:
    with pytest.raises(RefusedURL):
        asset_fetcher().fetch(url)


def test_the_fetcher_refuses_a_symlink_out_of_the_allowed_directory(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.txt").write_text("ok")
    (static / "escape.txt").symlink_to("/etc/passwd")
    fetcher = AssetFetcher(allowed_files=(), allowed_dirs=(static,))
    assert fetcher.fetch((static / "ok.txt").as_uri()).read() == b"ok"
    with pytest.raises(RefusedURL):
        fetcher.fetch((static / "escape.txt").as_uri())


@pytest.mark.parametrize("key", sorted(FONT_FILES))
def test_the_fetcher_allows_the_font_files(key: str) -> None:
    response = asset_fetcher().fetch(Path(FONT_FILES[key]).as_uri())
    assert response.read(4) == b"OTTO"  # OpenType with CFF outlines


def test_the_fetcher_allows_static_files_and_data_urls() -> None:
    assert asset_fetcher().fetch((STATIC_DIR / "img" / "logo.svg").as_uri()).read(200)
    response = asset_fetcher().fetch(data_url("印章".encode(), "text/plain"))
    assert (response.read(), response.content_type) == ("印章".encode(), "text/plain")


def test_a_missing_font_file_is_an_error_not_empty_boxes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gone = tmp_path / "missing.otf"
    monkeypatch.setattr(fonts, "FONT_FILES", dict(FONT_FILES, serif=gone))
    assert gone.as_uri() in font_face_css()
    with pytest.raises(RenderError, match="missing.otf"):
        sample()
    assert fetcher_module.fonts.FONT_FILES["serif"] == gone


# --- filters and the template environment -----------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("12345.67"), "¥12,345.67"),
        (Decimal("0"), "¥0.00"),
        (Decimal("1000000"), "¥1,000,000.00"),
        (Decimal("10050.05"), "¥10,050.05"),
        (Decimal("-5.5"), "-¥5.50"),
    ],
)
def test_money_writes_yuan_with_fen(amount: Decimal, text: str) -> None:
    assert money(amount) == text


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (12.5, TypeError),
        (12, TypeError),
        ("12.50", TypeError),
        (None, TypeError),
        (Decimal("1.005"), ValueError),
        (Decimal("NaN"), ValueError),
    ],
)
def test_money_refuses_floats_and_anything_not_in_whole_fen(value: Any, error: type) -> None:
    with pytest.raises(error):
        money(value)


@pytest.mark.parametrize(
    ("value", "day", "minute"),
    [
        (datetime(2026, 11, 28, 12, 15, tzinfo=UTC), "2026年11月28日", "2026年11月28日 20:15"),
        # 16:30 UTC is already the next day in Beijing
        (datetime(2026, 11, 28, 16, 30, tzinfo=UTC), "2026年11月29日", "2026年11月29日 00:30"),
        (
            datetime(2026, 3, 5, 9, 5, tzinfo=timezone(timedelta(hours=8))),
            "2026年3月5日",
            "2026年3月5日 09:05",
        ),
    ],
)
def test_dates_are_written_on_the_beijing_clock(value: datetime, day: str, minute: str) -> None:
    assert (cn_date(value), cn_datetime(value)) == (day, minute)


def test_a_plain_date_is_written_as_is_and_naive_instants_are_refused() -> None:
    assert cn_date(date(2026, 11, 28)) == "2026年11月28日"
    with pytest.raises(ValueError):
        cn_date(datetime(2026, 11, 28, 12, 0))
    with pytest.raises(ValueError):
        cn_datetime(datetime(2026, 11, 28, 12, 0))
    with pytest.raises(TypeError):
        cn_datetime(date(2026, 11, 28))


@pytest.mark.parametrize("mime", ["image/png; x", 'image/png"', "", "IMAGE"])
def test_data_url_refuses_a_malformed_mime_type(mime: str) -> None:
    with pytest.raises(ValueError):
        data_url(b"x", mime)


def test_templates_are_always_escaped_and_strict() -> None:
    env = render.environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    missing_org = {k: v for k, v in context().items() if k != "org"}
    with pytest.raises(jinja2.UndefinedError):
        render_pdf("sample.html", missing_org, template_dirs=TEMPLATES)


def test_test_templates_are_not_in_the_documents_directory() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        render.environment().get_template("sample.html")


# --- fonts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("张三", set()),
        ("䶮", set()),  # U+4DAE, CJK Ext-A: present in Noto Serif SC
        ("𠮷", set()),  # U+20BB7, CJK Ext-B: drawn by the rare face (static/fonts/)
        ("𠀀", {"𠀀"}),  # U+20000, CJK Ext-B: in neither face (checked, 2026-12)
        ("王 𠀀　䶮\n", {"𠀀"}),  # whitespace (also U+3000) is ignored
        ("Zhang San", set()),
        ("\x07", {"\x07"}),
    ],
)
def test_missing_glyphs_reads_the_serif_font(text: str, missing: set[str]) -> None:
    assert missing_glyphs(text) == missing


def test_the_bold_font_covers_gb2312_and_stays_small() -> None:
    from fontTools.ttLib import TTFont

    path = Path(FONT_FILES["serif_bold"])
    assert path.is_relative_to(STATIC_DIR / "fonts")
    assert path.stat().st_size < 3_500_000
    with TTFont(str(path), lazy=True) as font:
        assert "CFF " in font and font["name"].getDebugName(1) == "Noto Serif CJK SC"
        cmap = font.getBestCmap()
    for ch in "调解协议书第条甲乙方当事人还款计划签名盖章日期一二三四五六七八九十（）：，。":
        assert ord(ch) in cmap
    assert (STATIC_DIR / "fonts" / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") == 1
