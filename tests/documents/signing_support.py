"""Helpers for the signing and verification tests: input PDFs made with WeasyPrint directly
(pdf/a-3b, /Producer dropped, as ``render.py`` makes them), a seal image, and the full
certify-then-three-signatures flow an agreement goes through."""

from __future__ import annotations

import gc
import io
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers, timestamps
from pylopdf_fonts_zh_cn import sans_path
from weasyprint import HTML, Attachment

from app.documents.signing import FieldSpec, certify, sign_field

ORGANISATION = "和衷调解中心(开发)"
# Rare characters on purpose: 䶮 is CJK Ext-A (in Noto Sans SC).
DEBTOR = "王䶮"
CREDITOR = "某某银行股份有限公司"
MEDIATOR = "李四"
EVIDENCE = bytes(range(256)) * 40  # a binary attachment that must survive byte for byte

FIELDS = (
    FieldSpec("sig-debtor", 0, (56.0, 150.0, 276.0, 230.0)),
    FieldSpec("sig-creditor", 0, (316.0, 150.0, 536.0, 230.0)),
    FieldSpec("sig-mediator", 0, (56.0, 50.0, 276.0, 130.0)),
)
SIGNERS = (
    ("sig-debtor", f"债务人 {DEBTOR}", False),
    ("sig-creditor", f"债权人 {CREDITOR}", False),
    ("sig-mediator", f"调解员 {MEDIATOR}", True),
)


def make_pdf(body: str = "", *, attach: bool = True) -> bytes:
    """A one-page Chinese PDF/A-3b document, optionally with a binary attachment."""
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
    @font-face {{ font-family: Sans; src: url({Path(sans_path()).as_uri()}); }}
    body {{ font-family: Sans; font-size: 11pt; }}
    </style></head><body><h1>调解协议书</h1>
    <p>债务人 {DEBTOR} 与 债权人 {CREDITOR} 经 {ORGANISATION} 主持调解，自愿达成如下协议。</p>
    {body}</body></html>"""
    attachments = (
        [Attachment(string=EVIDENCE, name="evidence-1.bin", description="证据一")] if attach else []
    )
    with warnings.catch_warnings():
        # WeasyPrint 70 opens its sRGB profile for PDF/A and never closes it.
        warnings.simplefilter("ignore", ResourceWarning)
        data = HTML(string=html).write_pdf(
            pdf_variant="pdf/a-3b", attachments=attachments, finisher=_drop_producer
        )
        gc.collect()
    return data


def _drop_producer(document: Any, pdf: Any) -> None:
    pdf.info.pop("Producer", None)


def seal_png() -> bytes:
    """A red ring with a star: enough to see the seal is drawn in the mediator's stamp."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(200, 20, 20, 255), width=12)
    draw.regular_polygon((120, 120, 50), 5, fill=(200, 20, 20, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def stamp_lines(role_and_name: str) -> list[str]:
    return [role_and_name, "签署时间 2026年11月28日 20:15", "文档 SHA-256 1a2b3c4d…"]


def sign_all(
    pdf: bytes,
    signer: signers.Signer,
    *,
    timestamper: timestamps.TimeStamper | None = None,
    fields: Sequence[FieldSpec] = FIELDS,
) -> list[bytes]:
    """Certified, then signed by debtor, creditor and mediator (with the seal): every
    revision, the final one last."""
    revisions = [
        certify(pdf, signer=signer, fields=fields, title="调解协议书", timestamper=timestamper)
    ]
    for field_name, name, sealed in SIGNERS:
        revisions.append(
            sign_field(
                revisions[-1],
                field_name=field_name,
                signer=signer,
                signer_name=name,
                reason="签署调解协议书",
                stamp_lines=stamp_lines(name),
                seal_png=seal_png() if sealed else None,
                timestamper=timestamper,
            )
        )
    return revisions


def add_page_content(pdf: bytes) -> bytes:
    """An attacker's incremental update that draws over page 1 (e.g. a changed amount)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 700 200 40 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
