"""A stored PDF's pages as PNG images (app/documents/pages.py): one image per page of the
exact file, a phone-friendly width, cached on disk by the file's SHA-256, and never an
image of bytes that no longer match their hash."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from app.core.storage import blob_store
from app.documents import pages

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def three_pages(app: Flask) -> tuple[str, bytes]:
    html = "".join(f'<p style="page-break-after: always">page {n}</p>' for n in (1, 2)) + "<p>3</p>"
    data = HTML(string=html).write_pdf()
    return blob_store().put(io.BytesIO(data), 10 * 1024 * 1024).sha256, data


def test_each_page_of_the_file_is_one_png_at_the_phone_width(three_pages) -> None:
    sha, data = three_pages
    sizes = pages.page_sizes(sha)
    assert len(sizes) == len(PdfReader(io.BytesIO(data)).pages) == 3
    for number, size in enumerate(sizes, start=1):
        png = pages.page_png(sha, number)
        assert png.startswith(PNG_MAGIC)
        image = Image.open(io.BytesIO(png))
        assert image.size == (size.width, size.height) == (pages.PAGE_WIDTH_PX, size.height)
        assert size.height > size.width  # A4, portrait


@pytest.mark.parametrize("number", [0, 4, -1])
def test_there_is_no_page_outside_the_file(three_pages, number: int) -> None:
    with pytest.raises(pages.PageNotFound):
        pages.page_png(three_pages[0], number)


def test_an_unknown_file_or_a_malformed_hash_has_no_pages(app: Flask) -> None:
    for sha in ("0" * 64, "../../etc/passwd", "A" * 64):
        with pytest.raises(pages.PageNotFound):
            pages.page_sizes(sha)


def test_images_are_cached_on_disk_by_the_files_hash(app: Flask, three_pages) -> None:
    sha, _data = three_pages
    first = pages.page_png(sha, 2)
    root = app.config["SETTINGS"].storage_path / "page-images"
    cached = root / f"w{pages.PAGE_WIDTH_PX}" / sha[:2] / sha / "2.png"
    assert cached.read_bytes() == first
    cached.write_bytes(b"\x89PNG\r\n\x1a\nfrom the cache")  # read back, not rendered again
    assert pages.page_png(sha, 2) == b"\x89PNG\r\n\x1a\nfrom the cache"


def test_a_file_that_no_longer_matches_its_hash_is_never_shown(app: Flask, three_pages) -> None:
    sha, data = three_pages
    path = blob_store().path_for(sha)
    path.chmod(0o640)
    path.write_bytes(data + b"\n% appended")
    with pytest.raises(RuntimeError):
        pages.page_sizes(sha)
