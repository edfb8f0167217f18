"""A demo bulk import (the cases feature's sheet of cases): the bank's creditor user
uploads a five-row sheet with a ZIP of two contracts through the real use case; the
worker (inline in the seeder) creates and submits two cases and refuses three rows, each
with its reason (a repeated contract number, a phone that is no mobile number, an
evidence file the ZIP lacks). Seeded once: a second run finds the import and adds nothing."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from app.cases.imports import start_import
from app.cases.presenters import mediation_orgs
from app.demo.evidence import evidence_pdf
from app.demo.stages import demo_user
from app.extensions import db
from app.models.case_imports import CaseImport
from app.rules.case_sheet import COLUMNS, HEADERS

CREDITOR = "bank@demo.concord"
SHEET = "demo-cases.csv"
_BASE = {
    "debtor_id_type": "resident_id",
    "contract_date": "2024-05-10",
    "principal_lent": "40000",
    "annual_rate": "10",
    "term_months": "12",
    "outstanding_principal": "25000",
    "interest": "800",
    "penalty": "200",
    "fees": "0",
    "overdue_since": "2025-07-10",
    "is_assignee": "no",
}
ROWS = (
    {"debtor_name": "冯涛", "debtor_id_number": "11010519491231002X",
     "debtor_phone": "13700000001", "contract_number": "DEMO-IMP-001",
     "evidence": "DEMO-IMP-001.pdf"},
    {"debtor_name": "韩雪", "debtor_id_number": "11010519491231002X",
     "debtor_phone": "13700000002", "contract_number": "DEMO-IMP-002",
     "evidence": "DEMO-IMP-002.pdf"},
    {"debtor_name": "冯涛", "debtor_id_number": "11010519491231002X",
     "debtor_phone": "13700000001", "contract_number": "demo-imp-001"},
    {"debtor_name": "曹宇", "debtor_id_number": "11010519491231002X",
     "debtor_phone": "1370000", "contract_number": "DEMO-IMP-004"},
    {"debtor_name": "许静", "debtor_id_number": "11010519491231002X",
     "debtor_phone": "13700000005", "contract_number": "DEMO-IMP-005",
     "evidence": "DEMO-IMP-005.pdf"},
)  # fmt: skip


def seed_import() -> list[str]:
    """The demo import, unless the bank has one already; a line for it."""
    creditor = demo_user(CREDITOR)
    if db.session.scalar(
        select(CaseImport.id).where(CaseImport.creditor_org_id == creditor.creditor_org_id)
    ):
        return []
    orgs = mediation_orgs()
    if not orgs:
        return []
    job = start_import(
        creditor, io.BytesIO(_sheet()), SHEET, orgs[0].id, io.BytesIO(_zip()), "demo-evidence.zip"
    )
    db.session.refresh(job)
    return [
        f"  import {SHEET:<16} {job.status.value}: {job.created} cases created, "
        f"{job.refused} rows refused (see /cases/imports/{job.id})"
    ]


def _sheet() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([HEADERS[c] for c in COLUMNS])
    for row in ROWS:
        values = _BASE | row
        writer.writerow([values.get(c, "") for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in ("DEMO-IMP-001", "DEMO-IMP-002"):
            archive.writestr(
                f"{number}.pdf",
                evidence_pdf("借款合同", [f"合同编号：{number}", "（演示材料）"]),
            )
    return out.getvalue()
