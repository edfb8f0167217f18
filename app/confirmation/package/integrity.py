"""What goes into the package is exactly what was recorded: each evidence file re-hashed
from the blob store, on the very bytes that are embedded, and the files embedded in a
package PDF read back as they are.

A court must receive exactly what the parties saw (电子签名法 Art. 8; 在线诉讼规则 Art. 16):
a file whose bytes no longer match the hash recorded at upload stops the package and is
named (``PackageError("evidence_changed", detail=<its original name>)``). The release
(:mod:`app.confirmation.release`) runs :func:`check_evidence_integrity` before anything is
written; the worker checks again on the bytes it embeds.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader

from app.cases.evidence import court_evidence
from app.confirmation.errors import PackageError
from app.core.storage import blob_store
from app.models.cases import Case
from app.models.evidence import EvidenceFile


def check_evidence_integrity(case: Case) -> list[EvidenceFile]:
    """Every evidence file of the case, each re-hashed from the store (streamed). A missing
    file or one whose bytes no longer hash to the value recorded at upload raises
    ``PackageError("evidence_changed", detail=<its original name>)``."""
    store = blob_store()
    files = court_evidence(case)
    for evidence in files:
        try:
            intact = store.verify(evidence.sha256)
        except (OSError, ValueError):
            intact = False
        if not intact:
            raise PackageError("evidence_changed", detail=evidence.original_name)
    return files


def read_checked(evidence: EvidenceFile) -> bytes:
    """The bytes to embed, checked against the recorded hash after reading them, so what
    is checked is exactly what goes in."""
    try:
        with blob_store().open(evidence.sha256) as f:
            data = f.read()
    except (OSError, ValueError):
        raise PackageError("evidence_changed", detail=evidence.original_name) from None
    if hashlib.sha256(data).hexdigest() != evidence.sha256:
        raise PackageError("evidence_changed", detail=evidence.original_name)
    return data


def attachments_of(pdf: bytes) -> dict[str, bytes]:
    """The files embedded in a PDF, by attachment name (decoded: the original bytes). Read
    with pyHanko, which signs the package too: no second PDF library in production."""
    root = PdfFileReader(io.BytesIO(pdf), strict=False).root
    found: dict[str, bytes] = {}
    for name, spec in _name_tree(_get(_get(root, "/Names"), "/EmbeddedFiles")):
        stream = _get(_get(spec, "/EF"), "/F")
        if isinstance(stream, StreamObject):
            found.setdefault(name, stream.data)
    return found


def _get(node: Any, key: str) -> Any:
    """``node[key]`` dereferenced, or None when either is missing."""
    if not isinstance(node, DictionaryObject) or key not in node:
        return None
    return node[key]


def _name_tree(node: Any) -> Iterator[tuple[str, Any]]:
    """The (name, value) pairs of a PDF name tree, leaves in order (ISO 32000-1 7.9.6)."""
    pairs = _get(node, "/Names")
    if isinstance(pairs, ArrayObject):
        for i in range(0, len(pairs) - 1, 2):
            key = pairs[i]
            name = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
            yield name, pairs[i + 1]
    kids = _get(node, "/Kids")
    if isinstance(kids, ArrayObject):
        for i in range(len(kids)):
            yield from _name_tree(kids[i])
