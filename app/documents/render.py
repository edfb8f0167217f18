"""HTML templates to PDF/A-3b with WeasyPrint: the only place PDFs are drawn.

Runs without a Flask app (in the Huey worker): a standalone Jinja environment over
``templates/documents/`` with autoescaping always on and undefined values refused, so a
party named ``<link rel="attachment" href="file:///etc/passwd">`` is printed as text.
Resources go through ``fetcher.asset_fetcher()`` (our fonts, static/, ``data:`` only).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from io import BytesIO
from pathlib import Path
from typing import Any

import pydyf
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint import Attachment as WeasyAttachment
from weasyprint.css import ColorProfile
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from app.config import PROJECT_ROOT
from app.core import clock
from app.documents.fetcher import asset_fetcher
from app.documents.fonts import STATIC_DIR, font_face_css
from app.rules.citations import cite
from app.rules.money import format_rate, to_fen

TEMPLATE_DIR = PROJECT_ROOT / "templates" / "documents"
PDF_VARIANT = "pdf/a-3b"
OUTPUT_INTENT = "concord-srgb"
PT_PER_PX = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF points are 1/72 in
_MIME = re.compile(r"[a-z]+/[a-z0-9.+-]+")
_ASCII_NAME = re.compile(r"[A-Za-z0-9._-]+")


class RenderError(Exception):
    """The PDF could not be rendered (a refused or missing resource, a bad anchor)."""


@dataclass(frozen=True)
class Anchor:
    """An element's box in PDF points, origin bottom-left (pyHanko's box order)."""

    page: int  # 0-based
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF. ASCII file name; the Chinese title goes in description."""

    filename: str
    description: str
    data: bytes

    def __post_init__(self) -> None:
        if not _ASCII_NAME.fullmatch(self.filename) or self.filename.startswith("."):
            raise ValueError("attachment file names are ASCII letters, digits, '.', '_', '-'")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    anchors: dict[str, Anchor]
    pages: int


def money(amount: Decimal) -> str:
    """¥12,345.67: a Decimal amount in whole fen (floats and sub-fen amounts refused)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money is Decimal, never {type(amount).__name__}")
    if to_fen(amount) != amount:
        raise ValueError(f"amount {amount} is not in whole fen")
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def _legal_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give an aware instant")
        return clock.day_of(value)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {type(value).__name__}")


def cn_date(value: date | datetime) -> str:
    """2026年11月28日; an instant is read on the legal clock (Asia/Shanghai)."""
    day = _legal_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def cn_datetime(value: datetime) -> str:
    """2026年11月28日 20:15 (Asia/Shanghai)."""
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError("naive datetime: give an aware instant")
    local = clock.local(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def data_url(data: bytes, mime: str) -> str:
    """A ``data:`` URL (base64) for an image such as the organisation's seal."""
    if not _MIME.fullmatch(mime):
        raise ValueError(f"bad MIME type {mime!r}")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@lru_cache(maxsize=8)
def environment(extra_dirs: tuple[str, ...] = ()) -> Environment:
    """The Jinja environment: templates/documents/ first, then ``extra_dirs`` (tests)."""
    loaders = [FileSystemLoader(str(TEMPLATE_DIR)), *(FileSystemLoader(d) for d in extra_dirs)]
    env = Environment(  # noqa: S701 - autoescape is on, for every template name
        loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined
    )
    env.filters.update(money=money, cn_date=cn_date, cn_datetime=cn_datetime, rate=format_rate)
    env.globals["data_url"] = data_url
    env.globals["cite"] = cite  # printed citations come from one table (app.rules.citations)
    return env


def render_html(
    template: str, context: Mapping[str, Any], *, template_dirs: Sequence[Path] = ()
) -> str:
    env = environment(tuple(str(d) for d in template_dirs))
    return env.get_template(template).render(dict(context))


def render_pdf(
    template: str,
    context: Mapping[str, Any],
    *,
    attachments: Sequence[Attachment] = (),
    anchor_prefix: str = "sig-",
    template_dirs: Sequence[Path] = (),
) -> RenderedPdf:
    """Render a template from templates/documents/ to PDF/A-3b bytes.

    Returns the bytes, the boxes of every element whose id starts with ``anchor_prefix``
    (where signature fields go) and the page count. Raises ``RenderError`` when a
    resource is refused or missing (e.g. a font file), never a PDF with empty boxes.
    """
    html = render_html(template, context, template_dirs=template_dirs)
    fetcher = asset_fetcher()
    font_config = FontConfiguration()
    pdf_options = {"pdf_variant": PDF_VARIANT, "output_intent": OUTPUT_INTENT}
    try:
        stylesheet = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
        document = HTML(
            string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher
        ).render(
            font_config=font_config,
            color_profiles=_srgb_profile(),
            stylesheets=[stylesheet],
            **pdf_options,
        )
        anchors = _anchors(document, anchor_prefix)
        data = document.write_pdf(
            **pdf_options,
            attachments=[_weasy_attachment(a) for a in attachments],
            finisher=_finish,
        )
    except FatalURLFetchingError as exc:  # a BaseException: catch it by name
        raise RenderError(f"{exc} ({exc.__cause__})") from exc
    return RenderedPdf(data=data, anchors=anchors, pages=len(document.pages))


def _srgb_profile() -> dict[str, ColorProfile]:
    """WeasyPrint's own sRGB profile as the PDF/A output intent, loaded by us.

    For ``output_intent="srgb"`` WeasyPrint 70 opens this file and never closes it (a
    ResourceWarning at every render, an error under ``-W error``); naming the same profile
    under our own key skips that code path and gives the same output intent.
    """
    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        profile = ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))
    return {OUTPUT_INTENT: profile}


def _weasy_attachment(attachment: Attachment) -> WeasyAttachment:
    return WeasyAttachment(
        file_obj=BytesIO(attachment.data),
        name=attachment.filename,
        description=attachment.description,
    )


def _finish(_document: Document, pdf: pydyf.PDF) -> None:
    """Last touches before the trailer is written."""
    # pyHanko writes its own Producer when it signs; with ours gone, Info and XMP agree.
    pdf.info.pop("Producer", None)
    # WeasyPrint 70's PDF/A-3 step lists every attachment twice in the catalog's /AF.
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))


def _anchors(document: Document, prefix: str) -> dict[str, Anchor]:
    found: dict[str, Anchor] = {}
    for number, page in enumerate(document.pages):
        to_pt = _page_transform(page.height)
        for name, box in page.anchors.items():
            if not name.startswith(prefix):
                continue
            if name in found:
                raise RenderError(f"anchor {name!r} is split across pages")
            found[name] = Anchor(number, *to_pt(box))
    return found


def _page_transform(
    height_px: float,
) -> Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]]:
    """CSS px from the top-left → PDF points from the bottom-left, as (x1, y1, x2, y2)."""

    def convert(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        left, top, right, bottom = box
        return (
            left * PT_PER_PX,
            (height_px - bottom) * PT_PER_PX,
            right * PT_PER_PX,
            (height_px - top) * PT_PER_PX,
        )

    return convert
