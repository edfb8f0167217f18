"""Every download of the judicial-confirmation package is in the audit log: who took which
file (the PDF or the ZIP), with its SHA-256 (PIPL Art. 51: the package holds full identity
numbers, so each copy that leaves the platform is recorded)."""

from __future__ import annotations

from app import audit
from app.audit import AuditAction
from app.confirmation.common import PACKAGE_OBJECT
from app.core.transaction import use_case
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage
from app.models.users import User


@use_case
def record_download(
    actor: User, case: Case, package: ConfirmationPackage, sha256: str, kind: str
) -> None:
    """``kind`` is the format taken: ``pdf`` or ``zip``."""
    audit.record(
        AuditAction.CASE_PACKAGE_DOWNLOAD,
        actor=actor,
        object_type=PACKAGE_OBJECT,
        object_id=package.id,
        case_id=case.id,
        data={"number": package.number, "sha256": sha256, "format": kind},
    )
