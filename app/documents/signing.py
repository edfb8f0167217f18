"""PAdES signatures on the agreement and the court package (pyHanko, sync APIs).

Order matters (TECH_NOTES "Signing with pyHanko"): the organisation certifies first
(DocMDP "fill forms") and creates, in the same revision, one empty signature field per
signer; each signer then adds an approval signature into their field with a visible stamp.
A certification signature after approval signatures is refused by pyHanko.

Every signature is made with the organisation's key (the platform signs on the parties'
behalf after re-authenticating them); the signature dictionary's /Name carries the party's
name. Signatures are PAdES (ETSI.CAdES.detached), RSA, SHA-256; with a time-stamping
authority each one carries an RFC 3161 signature timestamp (PAdES B-T).

The sync pyHanko APIs call ``asyncio.run()``: inside a running event loop they run in a worker
thread (``app.documents.sync``).
"""

from __future__ import annotations

import io
import logging
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from fontTools import ttLib
from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.stamp import TextStampStyle
from pylopdf_fonts_zh_cn import sans_path

from app.documents.fonts import stamp_font_with_rare
from app.documents.sync import outside_event_loop

__all__ = [
    "CERTIFICATION_REASON",
    "ORGANISATION_FIELD",
    "FieldSpec",
    "SigningError",
    "certify",
    "sign_field",
    "timestamper_for",
]

ORGANISATION_FIELD = "organisation"
CERTIFICATION_REASON = "调解组织出具"
DIGEST = "sha256"
STAMP_FONT_SIZE = 10
STAMP_LEADING = 14
# Dark blue text, a thin grey frame: legible on paper, distinct from the document's black.
STAMP_TEXT_COLOUR = (0.05, 0.15, 0.45)
STAMP_BORDER_COLOUR = (0.6, 0.6, 0.6)
SEAL_OPACITY = 0.85
MAX_SEAL_PIXELS = 16_000_000
SEAL_MAX_SIDE = 600  # pixels; plenty for a stamp a few centimetres wide


@dataclass(frozen=True)
class FieldSpec:
    """An empty signature field to create: ``page`` counts from 0, ``box`` is
    (x1, y1, x2, y2) in PDF points, origin bottom-left (as ``render.Anchor`` gives)."""

    name: str
    page: int
    box: tuple[float, float, float, float]


def timestamper_for(url: str | None) -> timestamps.HTTPTimeStamper | None:
    """An RFC 3161 client for the configured ``TSA_URL``, or None when none is set."""
    return timestamps.HTTPTimeStamper(url, timeout=10) if url else None


def certify(
    pdf: bytes,
    *,
    signer: signers.Signer,
    fields: Sequence[FieldSpec],
    title: str,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """The organisation's certification signature (invisible, DocMDP "fill forms": later
    changes other than filling the signers' fields break it), made in the same revision
    that creates the empty fields the signers will sign.

    The signature's /Name is the certificate's common name (the organisation), its reason
    "调解组织出具：<title>". Raises ``SigningError`` if the PDF already carries a signature.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for spec in fields:
        _append_field(writer, spec)
    meta = signers.PdfSignatureMetadata(
        field_name=ORGANISATION_FIELD,
        certify=True,
        docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
        name=_certificate_cn(signer),
        reason=f"{CERTIFICATION_REASON}：{title}",
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=timestamper,
        new_field_spec=SigFieldSpec(sig_field_name=ORGANISATION_FIELD),
    )
    return _sign(pdf_signer, writer, existing_fields_only=False)


def sign_field(
    pdf: bytes,
    *,
    field_name: str,
    signer: signers.Signer,
    signer_name: str,
    reason: str,
    stamp_lines: Sequence[str],
    seal_png: bytes | None = None,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """An approval signature into the existing empty field ``field_name``, with a visible
    stamp showing ``stamp_lines`` (one line each; control characters become spaces) and,
    when given, ``seal_png`` drawn over the stamp's right side (the organisation's seal on
    the mediator's signature, or a party's drawn signature).

    Raises ``SigningError`` if the field does not exist or is already signed, and
    ``ValueError`` if the image is unreadable or over 16 megapixels.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm=DIGEST,
        name=signer_name,
        reason=reason,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer, timestamper=timestamper, stamp_style=_stamp_style(stamp_lines, seal_png)
    )
    return _sign(pdf_signer, writer, existing_fields_only=True)


def _append_field(writer: IncrementalPdfFileWriter, spec: FieldSpec) -> None:
    x1, y1, x2, y2 = spec.box
    sig_fields.append_signature_field(
        writer,
        SigFieldSpec(
            sig_field_name=spec.name,
            on_page=spec.page,
            box=(round(x1), round(y1), round(x2), round(y2)),
        ),
    )


def _sign(
    pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter, *, existing_fields_only: bool
) -> bytes:
    output = outside_event_loop(
        pdf_signer.sign_pdf, writer, existing_fields_only=existing_fields_only
    )
    return bytes(output.getbuffer())


def _stamp_style(lines: Sequence[str], seal_png: bytes | None) -> TextStampStyle:
    text = "\n".join(_stamp_line(line) for line in lines)
    return TextStampStyle(
        stamp_text=text,
        text_box_style=TextBoxStyle(
            font=_stamp_font(text),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_LEADING,
            text_color=STAMP_TEXT_COLOUR,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(4),
        ),
        border_width=1,
        border_color=STAMP_BORDER_COLOUR,
        background=_seal_image(seal_png) if seal_png else None,
        background_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MAX,
            y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(2),
        ),
        background_opacity=SEAL_OPACITY,
    )


def _stamp_line(line: str) -> str:
    # One line each (a name with a newline or other control character must not forge an
    # extra stamp line), and pyHanko %-formats the template: a literal % is doubled.
    flat = "".join(" " if unicodedata.category(c).startswith("C") else c for c in line)
    return flat.replace("%", "%%")


@dataclass(frozen=True)
class _InMemoryFontFactory(GlyphAccumulatorFactory):
    """pyHanko's factory opens the font file on every stamp and never closes it; this one
    reads the 8 MB font once per process and hands each stamp an in-memory copy, or the
    font ``data`` made for this stamp (:func:`app.documents.fonts.stamp_font_with_rare`)."""

    data: bytes | None = None

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: object = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(self.data or _font_bytes(self.font_file)),
            font_size=self.font_size,
            obj_stream=obj_stream,
        )


@lru_cache(maxsize=2)
def _font_bytes(path: str) -> bytes:
    """The font without its OpenType layout tables: a stamp of a few short lines needs no
    ligatures or kerning, and fontTools would otherwise decompile GSUB/GPOS for every stamp
    (~0.25 s). Done once per process (~0.2 s); glyphs, metrics and cmap are untouched."""
    font = ttLib.TTFont(path, lazy=True)
    try:
        for tag in _LAYOUT_TABLES:
            if tag in font:
                del font[tag]
        out = io.BytesIO()
        font.save(out, reorderTables=False)
    finally:
        font.close()
    return out.getvalue()


_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE")


class _BuiltFontNotice(logging.Filter):
    """pyHanko warns "No ROS metadata. Assuming identity." for every stamp set in the
    font made for rare characters: that font is name-keyed, and the identity mapping
    pyHanko then assumes is the right one for it (each glyph drawn as the stamp shows,
    tests/documents/test_signing.py). The warning says nothing an operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "No ROS metadata" not in record.getMessage()


logging.getLogger("pyhanko.pdf_utils.font.opentype").addFilter(_BuiltFontNotice())


def _stamp_font(text: str) -> GlyphAccumulatorFactory:
    """Concord Sans, or a font of the stamp's own characters when a name has one it cannot
    draw (a rare character: the stamp would show a box in its place)."""
    return _InMemoryFontFactory(
        str(sans_path()), font_size=STAMP_FONT_SIZE, data=stamp_font_with_rare(text)
    )


def _seal_image(png: bytes) -> PdfImage:
    """The seal (or a drawn signature: user input) checked by its header before decoding,
    so a small PNG that inflates to gigabytes is refused, then scaled down for the stamp."""
    bomb = (Image.DecompressionBombError, Image.DecompressionBombWarning)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(png))
        width, height = image.size
        if width * height > MAX_SEAL_PIXELS:
            raise ValueError(f"seal image too large: {width}x{height} pixels")
        image.load()
    except bomb as exc:
        raise ValueError("seal image too large") from exc
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("seal image is not a readable PNG") from exc
    image.thumbnail((SEAL_MAX_SIDE, SEAL_MAX_SIDE))
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    return PdfImage(image, writer=None)


def _certificate_cn(signer: signers.Signer) -> str:
    cert = signer.signing_cert
    if cert is None:
        return ""
    return str(cert.subject.native.get("common_name", ""))
