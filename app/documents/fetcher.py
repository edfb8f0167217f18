"""The only way a PDF being rendered may read a resource: our font files, static/, data:.

WeasyPrint's default fetcher follows ``file://``, ``http(s)://`` and redirects, so markup
that reached the HTML could embed any server file in a PDF (``<link rel="attachment"
href="file:///…">``) or call out to the network. Escaping every value (render.py) is the
first wall; this fetcher is the second: it reads only

* ``data:`` URLs (seal images are passed that way), and
* ``file://`` URLs whose real path (symlinks resolved) is one of the exact font files or a
  regular file under the project's ``static/`` directory, with no ``..`` segment.

Everything else raises ``RefusedURL``. The fetcher is built with ``fail_on_errors=True``,
so WeasyPrint turns a refusal or a missing file into ``FatalURLFetchingError`` and stops,
instead of printing empty boxes or leaving an image out silently.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.documents import fonts


class RefusedURL(ValueError):
    """A URL the PDF renderer may not read."""


class AssetFetcher(URLFetcher):
    """Fetch ``data:`` URLs and allowed local files; refuse everything else."""

    def __init__(self, *, allowed_files: Iterable[Path], allowed_dirs: Iterable[Path]) -> None:
        super().__init__(
            allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True
        )
        self._files = frozenset(os.path.realpath(p) for p in allowed_files)
        self._dirs = tuple(os.path.realpath(d) for d in allowed_dirs)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return _fetch_data(url)
        if scheme == "file":
            path = self.allowed_path(url)
            return URLFetcherResponse(url, body=Path(path).read_bytes(), headers=_type(path))
        raise RefusedURL(f"scheme not allowed: {url[:80]!r}")

    def allowed_path(self, url: str) -> str:
        """The real path a ``file://`` URL may be read from, or ``RefusedURL``."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
            raise RefusedURL(f"file URL with a host, query or fragment: {url[:80]!r}")
        path = unquote(parts.path)
        if "\x00" in path or not path.startswith("/") or ".." in path.split("/"):
            raise RefusedURL(f"file URL with a relative or '..' path: {url[:80]!r}")
        real = os.path.realpath(path)
        if real in self._files:
            return real
        inside = any(os.path.commonpath((real, d)) == d for d in self._dirs)
        if inside and os.path.isfile(real):
            return real
        raise RefusedURL(f"file not allowed: {url[:80]!r}")


def asset_fetcher() -> AssetFetcher:
    """The fetcher for document rendering: the font files and static/ only."""
    return AssetFetcher(allowed_files=fonts.FONT_FILES.values(), allowed_dirs=(fonts.STATIC_DIR,))


def _fetch_data(url: str) -> URLFetcherResponse:
    # urllib's own RFC 2397 parser, called directly: no opener, so no other handler runs.
    response = request.DataHandler().data_open(request.Request(url))  # noqa: S310 - data: only
    with response:
        body = response.read()
    return URLFetcherResponse(
        url, body=body, headers={"Content-Type": response.headers["Content-Type"]}
    )


def _type(path: str) -> dict[str, str]:
    mime = mimetypes.guess_type(path)[0]
    return {"Content-Type": mime} if mime else {}
