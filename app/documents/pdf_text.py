"""The text layer of an uploaded PDF, for checks that compare what the evidence states
with what the case says (a scanned PDF has none: then nothing is known).

PDFium (pypdfium2, a runtime dependency) reads it; only the first pages are read and
large files are skipped, so a pre-check never stalls on a big upload.
"""

from __future__ import annotations

import pypdfium2 as pdfium

from app.documents.pages import PDFIUM_LOCK

MAX_PAGES = 5
MAX_BYTES = 20 * 1024 * 1024


def pdf_text(data: bytes, max_pages: int = MAX_PAGES) -> str:
    """The text of the first ``max_pages`` pages; empty for an unreadable or large file."""
    if len(data) > MAX_BYTES:
        return ""
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return ""
        try:
            parts = []
            for i in range(min(len(pdf), max_pages)):
                textpage = pdf[i].get_textpage()
                parts.append(textpage.get_text_range())
                textpage.close()
            return "\n".join(parts)
        finally:
            pdf.close()
