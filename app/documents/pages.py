"""The pages of an issued PDF as PNG images, so that a phone shows exactly what is signed.

Mobile browsers do not display a PDF inside a page, so the signing pages show each page
as an image rendered here from the stored bytes (checked against their SHA-256 first:
the picture is of the file whose hash the page states, 电子签名法 Art. 13). Images are
cached on this machine's disk (``STORAGE_PATH/page-images``, whichever backend holds the
PDFs: a cache each web server may rebuild), keyed by the file's SHA-256 and the width, and
never change: a signed revision is another file with another hash.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from flask import current_app

from app.documents import issued

# 360 CSS px at a device pixel ratio of 2: sharp on a phone, light enough for mobile data.
PAGE_WIDTH_PX = 720
# PDFium is not thread-safe: one rendering at a time per process.
_PDFIUM = threading.Lock()
PDFIUM_LOCK = _PDFIUM  # shared with app.documents.pdf_text


class PageNotFound(LookupError):
    """No such page in this file (or no such file)."""


@dataclass(frozen=True)
class PageSize:
    width: int
    height: int


def page_sizes(sha256: str) -> list[PageSize]:
    """Each page's image size in pixels, in order (its length is the page count)."""
    manifest = _cache_dir(sha256) / "pages.json"
    if manifest.exists():
        return [PageSize(w, h) for w, h in json.loads(manifest.read_text())]
    with _PDFIUM:
        pdf = pdfium.PdfDocument(_exact_bytes(sha256))
        try:
            sizes = [_size(pdf[i].get_size()) for i in range(len(pdf))]
        finally:
            pdf.close()
    _write(manifest, json.dumps([[s.width, s.height] for s in sizes]).encode())
    return sizes


def page_png(sha256: str, number: int) -> bytes:
    """Page ``number`` (from 1) as a PNG ``PAGE_WIDTH_PX`` wide; ``PageNotFound`` when
    the file has no such page."""
    if not 1 <= number <= len(page_sizes(sha256)):
        raise PageNotFound(number)
    cached = _cache_dir(sha256) / f"{number}.png"
    if cached.exists():
        return cached.read_bytes()
    with _PDFIUM:
        pdf = pdfium.PdfDocument(_exact_bytes(sha256))
        try:
            page = pdf[number - 1]
            width_pt, _height = page.get_size()
            image = page.render(scale=PAGE_WIDTH_PX / width_pt).to_pil()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    data = out.getvalue()
    _write(cached, data)
    return data


def _exact_bytes(sha256: str) -> bytes:
    try:
        data = issued.read_pdf(sha256)
    except (FileNotFoundError, ValueError) as exc:
        raise PageNotFound(sha256) from exc
    if issued.sha256_of(data) != sha256:
        raise RuntimeError("the stored file no longer matches its hash")  # never show it
    return data


def _size(points: tuple[float, float]) -> PageSize:
    """The rendered image's size, computed as PDFium's renderer does (rounded up)."""
    width_pt, height_pt = points
    scale = PAGE_WIDTH_PX / width_pt
    return PageSize(math.ceil(width_pt * scale), math.ceil(height_pt * scale))


def _cache_dir(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise PageNotFound(sha256)
    root = current_app.config["SETTINGS"].storage_path / "page-images" / f"w{PAGE_WIDTH_PX}"
    return root / sha256[:2] / sha256


def _write(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename: a reader never sees half an image, and
    two requests rendering the same page at once both leave a whole one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".page-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
