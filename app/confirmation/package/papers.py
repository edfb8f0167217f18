"""The creditor's identity and qualification papers in the judicial-confirmation package
(法释〔2011〕5号 Art. 3: 身份证明、资格证明): the files on the creditor's profile
(:mod:`app.accounts.creditor_profile`) — an institution's business licence and financial
licence, a natural-person lender's ID copy — embedded byte for byte after the evidence and
listed in section 4 with name, size and SHA-256.

The package refers to the very file it embedded (by the paper's id in the attachment's
name): a newer licence uploaded later does not change a package already built, and the
archive checks each embedded file against the paper it names.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from app.accounts.creditor_profile import PAPER_KIND_ZH, current_papers, paper_kinds_for
from app.confirmation.errors import PackageError
from app.confirmation.package.report import AGREEMENT_NUMBER, EXTENSION, size_text
from app.core.storage import blob_store
from app.extensions import db
from app.models.cases import Case
from app.models.organisations import CreditorPaper

PAPER_NAME = re.compile(r"(\d+)-creditor-[a-z_]+-(\d+)\.[a-z]+")


def creditor_papers(case: Case) -> list[CreditorPaper]:
    """The creditor's current papers this package carries, in the order they are asked."""
    papers = current_papers(case.creditor_org)
    return [papers[kind] for kind in paper_kinds_for(case.creditor_org) if kind in papers]


def paper_filename(number: int, paper: CreditorPaper) -> str:
    """``07-creditor-business_licence-3.pdf``: order in the package, kind, paper id."""
    extension = EXTENSION.get(paper.media_type, "bin")
    return f"{number:02d}-creditor-{paper.kind.value}-{paper.id}.{extension}"


def paper_title(paper: CreditorPaper) -> str:
    return f"债权人资格证明：{PAPER_KIND_ZH[paper.kind]}（{paper.original_name}）"


def first_number(evidence_count: int) -> int:
    """The creditor's papers follow the agreement and the evidence."""
    return AGREEMENT_NUMBER + evidence_count + 1


def read_paper(paper: CreditorPaper) -> bytes:
    """The bytes to embed, checked against the hash recorded at upload."""
    try:
        with blob_store().open(paper.sha256) as f:
            data = f.read()
    except (OSError, ValueError):
        raise PackageError("evidence_changed", detail=paper.original_name) from None
    if hashlib.sha256(data).hexdigest() != paper.sha256:
        raise PackageError("evidence_changed", detail=paper.original_name)
    return data


def check_papers_integrity(case: Case) -> None:
    """Every paper the package will embed is still intact in the store."""
    for paper in creditor_papers(case):
        read_paper(paper)


def paper_rows(papers: list[CreditorPaper], start: int) -> list[dict[str, Any]]:
    """Section 4's list of the creditor's papers."""
    return [
        {
            "title": PAPER_KIND_ZH[p.kind],
            "name": p.original_name,
            "size": size_text(p.size),
            "sha256": p.sha256,
            "filename": paper_filename(n, p),
            "expires_on": p.expires_on,
            "uploaded_at": p.uploaded_at,
        }
        for n, p in enumerate(papers, start=start)
    ]


def checked_paper_entry(name: str, data: bytes, case: Case) -> tuple[str, bytes] | None:
    """For the archive: the title of an embedded creditor paper, checked against the paper
    its name refers to; None when ``name`` is not a creditor paper's."""
    match = PAPER_NAME.fullmatch(name)
    if match is None:
        return None
    paper = db.session.get(CreditorPaper, int(match.group(2)))
    if paper is None or paper.creditor_org_id != case.creditor_org_id:
        raise PackageError("unknown_attachment", detail=name)
    if hashlib.sha256(data).hexdigest() != paper.sha256:
        raise PackageError("evidence_changed", detail=paper.original_name)
    return paper_title(paper), data
