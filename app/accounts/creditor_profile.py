"""The creditor organisation's own profile, kept by its administrator (a creditor user with
``is_creditor_admin``): its identity and qualification papers and its seal.

The papers are uploaded once and attached to the court package of every case of the
creditor (法释〔2011〕5号 Art. 3: 身份证明、资格证明): an institution's business licence and
financial licence, with an optional expiry date; a natural-person lender's ID copy, front
and back. They are stored like evidence (by content hash, type checked by the bytes, size
limited while streaming) and never replaced: a newer file of the same kind is used for the
packages built from then on, the older one stays on record for the packages that hold it.

The seal (or e-seal image) is a PNG with transparency, applied with the agent's signature
on the agreement and the court application (:mod:`app.signing.flow`).
"""

from __future__ import annotations

import io
from datetime import date
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from app import audit
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core.storage import blob_store, max_upload_bytes
from app.core.transaction import use_case
from app.extensions import db
from app.models.organisations import (
    CreditorOrganisation,
    CreditorPaper,
    CreditorPaperKind,
)
from app.models.users import User

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SEAL_BYTES = 2 * 1024 * 1024
SEAL_PIXELS = (100, 2000)  # each side, in pixels: legible, and not a poster
MAX_NAME = 255

PAPER_KINDS_INSTITUTION = (CreditorPaperKind.BUSINESS_LICENCE, CreditorPaperKind.FINANCIAL_LICENCE)
PAPER_KINDS_PERSON = (CreditorPaperKind.LENDER_ID_FRONT, CreditorPaperKind.LENDER_ID_BACK)
PAPER_KIND_ZH = {
    CreditorPaperKind.BUSINESS_LICENCE: "营业执照",
    CreditorPaperKind.FINANCIAL_LICENCE: "金融许可证（或金融业务经营许可文件）",
    CreditorPaperKind.LENDER_ID_FRONT: "出借人身份证复印件（人像面）",
    CreditorPaperKind.LENDER_ID_BACK: "出借人身份证复印件（国徽面）",
}


def is_natural_person(org: CreditorOrganisation) -> bool:
    """A natural-person creditor has no licences and no seal; their ID copy instead."""
    return org.is_natural_person


def paper_kinds_for(org: CreditorOrganisation) -> tuple[CreditorPaperKind, ...]:
    return PAPER_KINDS_PERSON if is_natural_person(org) else PAPER_KINDS_INSTITUTION


def current_papers(org: CreditorOrganisation) -> dict[CreditorPaperKind, CreditorPaper]:
    """The newest file of each kind on the creditor's profile."""
    rows = db.session.scalars(
        select(CreditorPaper)
        .where(CreditorPaper.creditor_org_id == org.id)
        .order_by(CreditorPaper.id)
    )
    return {row.kind: row for row in rows}


def seal_of(org: CreditorOrganisation) -> bytes | None:
    """The seal to apply, or None (none stored, or a natural person, who has no seal)."""
    return org.seal_png


@use_case
def add_creditor_paper(
    actor: User | None,
    org: CreditorOrganisation,
    kind: CreditorPaperKind,
    stream: BinaryIO,
    original_name: str,
    expires_on: date | None = None,
) -> CreditorPaper:
    """Store one paper (PDF, JPEG or PNG by content, within the upload limit). A refused
    file records nothing (``StorageRefused``)."""
    if kind not in paper_kinds_for(org):
        raise AccountInvalid("paper_kind", "kind")
    blob = blob_store().put(stream, max_upload_bytes())
    paper = CreditorPaper(
        creditor_org_id=org.id,
        kind=kind,
        original_name=(original_name or kind.value).strip()[:MAX_NAME],
        media_type=blob.media_type,
        size=blob.size,
        sha256=blob.sha256,
        expires_on=expires_on,
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(paper)
    db.session.flush()
    audit.record(
        AuditAction.CREDITOR_ORG_PAPER_UPLOAD,
        actor=actor,
        object_type="creditor_organisation",
        object_id=org.id,
        data={
            "paper": paper.id,
            "kind": kind.value,
            "sha256": blob.sha256,
            "size": blob.size,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return paper


def check_seal(data: bytes) -> None:
    """A PNG (by its bytes), under 2 MB, 100–2000 pixels a side, with transparency (an
    alpha channel or a transparent colour): a seal on a white box would hide the text
    and the signature it is stamped over."""
    if not data.startswith(PNG_MAGIC):
        raise AccountInvalid("seal_not_png", "seal")
    if len(data) > MAX_SEAL_BYTES:
        raise AccountInvalid("seal_too_large", "seal")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            size, mode, info = image.size, image.mode, dict(image.info)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise AccountInvalid("seal_not_png", "seal") from None
    low, high = SEAL_PIXELS
    if not all(low <= side <= high for side in size):
        raise AccountInvalid("seal_dimensions", "seal")
    if mode not in ("RGBA", "LA", "PA") and "transparency" not in info:
        raise AccountInvalid("seal_not_transparent", "seal")


@use_case
def set_creditor_seal(actor: User | None, org: CreditorOrganisation, data: bytes) -> None:
    """Store the creditor's seal image (checked by :func:`check_seal`); a natural person
    has no seal."""
    if is_natural_person(org):
        raise AccountInvalid("seal_natural_person", "seal")
    check_seal(data)
    replaced = org.seal_image is not None
    org.seal_image = data
    org.seal_mime = "image/png"
    audit.record(
        AuditAction.CREDITOR_ORG_SEAL_SET,
        actor=actor,
        object_type="creditor_organisation",
        object_id=org.id,
        data={"bytes": len(data), "replaced": replaced},
    )
