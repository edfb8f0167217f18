"""Bulk import of cases on a real database: every row through the case form's parser,
the evidence checks and the claim check; a bad row never stops the good ones; the same
file twice creates nothing twice; and the bad inputs a real sheet or ZIP brings."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import audit
from app.cases import imports
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case_imports import CaseImport, CaseImportOutcome, CaseImportRow, CaseImportStatus
from app.models.cases import Case
from app.models.evidence import EvidenceFile
from app.models.organisations import LicenceType
from app.models.users import Role, User
from app.rules.case_sheet import REQUIRED_COLUMNS, RowRefused, SheetRefused
from app.rules.cases import CaseState
from tests.case_import_support import PDF, ROW, evidence_zip, row, sheet_csv, sheet_xlsx
from tests.factories import make_case, make_mediation_org, make_user


@pytest.fixture
def creditor(app: Flask) -> User:
    return make_user(Role.CREDITOR)


@pytest.fixture
def org_id(app: Flask) -> int:
    return make_mediation_org().id


def _import(
    creditor: User, org_id: int, data: bytes, zip_data: bytes | None = None, name: str = "cases.csv"
) -> CaseImport:
    job = imports.start_import(
        creditor,
        io.BytesIO(data),
        name,
        org_id,
        io.BytesIO(zip_data) if zip_data is not None else None,
        "evidence.zip" if zip_data is not None else None,
    )
    db.session.refresh(job)  # the worker ran inline (tests: Huey immediate)
    return job


def _rows(job: CaseImport) -> list[CaseImportRow]:
    return list(
        db.session.scalars(
            select(CaseImportRow)
            .where(CaseImportRow.import_id == job.id)
            .order_by(CaseImportRow.line)
        )
    )


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_required_columns_are_the_forms() -> None:
    from app.cases.intake import REQUIRED

    assert REQUIRED_COLUMNS == REQUIRED


def test_good_rows_become_submitted_cases_and_a_bad_row_never_stops_them(
    creditor: User, org_id: int
) -> None:
    data = sheet_csv(
        [
            row(contract_number="HT-1", evidence="a.pdf"),
            row(contract_number="HT-2", debtor_phone="12345"),  # not a mobile
            row(contract_number="HT-3", debtor_name="王芳"),
        ]
    )
    job = _import(creditor, org_id, data, evidence_zip({"a.pdf": PDF}))
    assert job.status is CaseImportStatus.DONE
    assert (job.total, job.done, job.created, job.refused) == (3, 3, 2, 1)
    rows = _rows(job)
    assert [r.outcome for r in rows] == [
        CaseImportOutcome.CREATED,
        CaseImportOutcome.REFUSED,
        CaseImportOutcome.CREATED,
    ]
    assert rows[1].code == "invalid_mobile" and rows[1].field == "debtor_phone"
    assert rows[1].reason_zh.startswith("手机号码：") and "11" in rows[1].reason_zh
    assert rows[1].reason_en.startswith("debtor_phone: Enter an 11-digit")
    case = db.session.get(Case, rows[0].case_id)
    assert case is not None and case.state is CaseState.SUBMITTED
    assert case.creditor_org_id == creditor.creditor_org_id and case.mediation_org_id == org_id
    assert case.claim_total == Decimal("31800.00") and case.debtor_id_masked.endswith("002X")
    files = db.session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id)).all()
    assert [(f.original_name, f.media_type) for f in files] == [("a.pdf", "application/pdf")]
    import hashlib

    assert files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    actions = set(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id))
    )
    assert {"case:create", "case:evidence:upload", "case:submit"} <= actions
    assert audit.verify_chain().intact


def test_the_claim_check_refuses_a_row_as_it_refuses_the_forms_submission(
    app: Flask, org_id: int
) -> None:
    creditor = make_user(Role.CREDITOR)
    creditor.creditor_org.licence_type = LicenceType.PRIVATE_LENDER
    db.session.commit()
    job = _import(creditor, org_id, sheet_csv([row(annual_rate="99")]))
    (refused,) = _rows(job)
    assert refused.outcome is CaseImportOutcome.REFUSED and refused.code == "claim_blocked"
    assert "LPR" in refused.reason_en or "rate" in refused.reason_en.lower()
    assert refused.reason_zh and refused.reason_zh != refused.reason_en
    assert _count(Case) == 0  # nothing half-written: not even a draft
    assert audit.verify_chain().intact  # the draft's event went with its savepoint


def test_the_same_file_twice_creates_nothing_twice(creditor: User, org_id: int) -> None:
    data = sheet_csv([row(contract_number="HT-9"), row(contract_number="HT-10")])
    first = _import(creditor, org_id, data)
    assert first.created == 2
    again = _import(creditor, org_id, data)
    assert (again.created, again.refused) == (0, 2)
    rows = _rows(again)
    assert {r.outcome for r in rows} == {CaseImportOutcome.ALREADY}
    created = {r.case_id for r in _rows(first)}
    assert {r.case_id for r in rows} == created
    reference = db.session.get(Case, rows[0].case_id).reference
    assert rows[0].reason_en == f"Already imported (case {reference})."
    assert reference in rows[0].reason_zh
    assert _count(Case) == 2


def test_a_contract_number_typed_differently_or_already_in_a_form_case_is_the_same(
    creditor: User, org_id: int
) -> None:
    existing = make_case(creditor, contract_number="HT-77")
    data = sheet_csv([row(contract_number="ｈｔ-77 "), row(contract_number="ht-78")])
    job = _import(creditor, org_id, data)
    first, second = _rows(job)
    assert first.outcome is CaseImportOutcome.ALREADY and first.case_id == existing.id
    assert second.outcome is CaseImportOutcome.CREATED


def test_another_organisations_contract_number_is_not_ours(creditor: User, org_id: int) -> None:
    make_case(make_user(Role.CREDITOR), contract_number="HT-1")
    job = _import(creditor, org_id, sheet_csv([row(contract_number="HT-1")]))
    assert job.created == 1


def test_a_contract_number_repeated_in_the_file_refuses_the_second_row(
    creditor: User, org_id: int
) -> None:
    data = sheet_csv(
        [row(contract_number="HT-5"), row(contract_number="HT-6"), row(contract_number="ht-5")]
    )
    job = _import(creditor, org_id, data)
    rows = _rows(job)
    assert [r.outcome for r in rows][:2] == [CaseImportOutcome.CREATED] * 2
    assert rows[2].outcome is CaseImportOutcome.REFUSED and rows[2].code == "row_repeated"
    assert rows[2].reason_en == "This contract number is repeated in the file (first on line 2)."


def test_a_csv_with_a_byte_order_mark(creditor: User, org_id: int) -> None:
    job = _import(creditor, org_id, sheet_csv([ROW], bom=True))
    assert job.encoding == "utf-8-sig" and job.created == 1


def test_a_gbk_csv_with_chinese_headers(creditor: User, org_id: int) -> None:
    data = sheet_csv([row(debtor_name="欧阳娜娜")], chinese=True, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    job = _import(creditor, org_id, data)
    assert job.encoding == "gb18030" and job.created == 1
    case = db.session.get(Case, _rows(job)[0].case_id)
    assert case.debtor_name == "欧阳娜娜"


def test_an_xlsx_with_chinese_headers_and_typed_cells(creditor: User, org_id: int) -> None:
    from datetime import datetime

    data = sheet_xlsx(
        [
            row(debtor_id_type="居民身份证", is_assignee="否")
            | {
                "contract_date": datetime(2024, 3, 1),
                "principal_lent": 50000,
                "annual_rate": 12.5,
                "term_months": 24,
                "debtor_phone": 13800138001,
            }
        ]
    )
    job = _import(creditor, org_id, data, name="cases.xlsx")
    assert job.sheet_kind == "xlsx" and job.created == 1, _rows(job)[0].reason_en
    case = db.session.get(Case, _rows(job)[0].case_id)
    assert case.annual_rate == Decimal("12.5") and case.debtor_phone == "13800138001"


def test_a_formula_is_only_text(creditor: User, org_id: int) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    data = sheet_xlsx([row(debtor_name=formula, contract_number="HT-F")])
    job = _import(creditor, org_id, data, name="cases.xlsx")
    (only,) = _rows(job)
    assert only.debtor_name == formula  # as written, never evaluated
    case = db.session.get(Case, only.case_id)
    assert case.debtor_name == formula


@pytest.mark.parametrize(
    ("columns", "code", "named"),
    [
        (
            [c for c in ROW if c not in ("debtor_phone", "fees")],
            "sheet_columns_missing",
            "手机号码 (debtor_phone)、费用 (fees)",
        ),
        ([*ROW, "colour", "尺码"], "sheet_columns_unknown", "colour、尺码"),
        ([*ROW, "合同编号"], "sheet_columns_repeated", "合同编号 (contract_number)"),
    ],
)
def test_missing_unknown_or_repeated_columns_are_named(
    app: Flask, creditor: User, org_id: int, columns: list[str], code: str, named: str
) -> None:
    with pytest.raises(SheetRefused) as refused:
        _import(creditor, org_id, sheet_csv([ROW], columns=columns))
    assert refused.value.code == code and refused.value.params["columns"] == named
    with app.test_request_context():
        assert named in refused.value.message
    assert _count(CaseImport) == 0


def test_a_row_with_cells_beyond_the_header_is_refused(creditor: User, org_id: int) -> None:
    data = sheet_csv([ROW]) + b"x" + b",x" * 30 + b"\r\n"
    job = _import(creditor, org_id, data)
    assert job.created == 1 and _rows(job)[1].code == "row_extra_cells"


def test_one_row_over_the_limit_is_refused_up_front(creditor: User, org_id: int) -> None:
    data = sheet_csv([row(contract_number=f"HT-{n}") for n in range(10_001)])
    with pytest.raises(SheetRefused) as refused:
        _import(creditor, org_id, data)
    assert refused.value.code == "sheet_too_many_rows"
    assert refused.value.params == {"max": "10,000"}
    assert _count(CaseImport) == 0 and _count(Case) == 0


def test_a_zip_member_climbing_out_is_refused_and_its_row_says_so(
    creditor: User, org_id: int
) -> None:
    archive = evidence_zip({"../evil.pdf": PDF, "ok/good.pdf": PDF})
    data = sheet_csv(
        [
            row(contract_number="HT-1", evidence="evil.pdf"),
            row(contract_number="HT-2", evidence="../evil.pdf"),
            row(contract_number="HT-3", evidence="good.pdf"),
        ]
    )
    job = _import(creditor, org_id, data, archive)
    rows = _rows(job)
    assert [r.code for r in rows] == ["evidence_name_unsafe", "evidence_name_unsafe", None]
    assert "evil.pdf" in rows[0].reason_en and rows[2].outcome is CaseImportOutcome.CREATED


def test_an_evidence_name_the_zip_lacks_refuses_the_row(creditor: User, org_id: int) -> None:
    data = sheet_csv([row(evidence="a.pdf；missing.pdf")])
    job = _import(creditor, org_id, data, evidence_zip({"a.pdf": PDF}))
    (only,) = _rows(job)
    assert only.code == "evidence_not_in_zip"
    assert only.reason_en == "The ZIP archive has no file named missing.pdf."
    assert _count(Case) == 0 and _count(EvidenceFile) == 0  # the row is one transaction


def test_evidence_that_is_not_a_document_refuses_the_row(creditor: User, org_id: int) -> None:
    data = sheet_csv([row(evidence="a.exe")])
    job = _import(creditor, org_id, data, evidence_zip({"a.exe": b"MZ\x90\x00" * 100}))
    (only,) = _rows(job)
    assert only.code == "evidence_type" and "a.exe" in only.reason_en
    assert _count(Case) == 0


def test_a_zip_bomb_member_is_refused_while_the_others_are_read(
    creditor: User, org_id: int
) -> None:
    bomb = PDF + b"\x00" * (5 * 1024 * 1024)  # deflates over a thousand times
    archive = evidence_zip({"bomb.pdf": bomb, "a.pdf": PDF})
    data = sheet_csv(
        [
            row(contract_number="HT-1", evidence="bomb.pdf"),
            row(contract_number="HT-2", evidence="a.pdf"),
        ]
    )
    job = _import(creditor, org_id, data, archive)
    rows = _rows(job)
    assert rows[0].code == "evidence_ratio" and rows[1].outcome is CaseImportOutcome.CREATED


def test_a_member_is_checked_again_while_it_streams(app: Flask) -> None:
    """A ZIP's directory can lie: the stream of a member stops as soon as its bytes pass
    the limits, whatever the directory said."""
    from app.rules.case_sheet import ZipLimits, index_evidence

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.pdf", PDF + b"\x00" * 400_000)
    limits = ZipLimits(max_ratio=100, max_member_bytes=100_000)
    evidence = index_evidence(io.BytesIO(out.getvalue()), limits)
    assert evidence.members["a.pdf"] == "evidence_too_large"  # by its directory
    stream = evidence.open(evidence.archive.getinfo("a.pdf"), "a.pdf")  # read regardless
    with pytest.raises(RowRefused) as stopped:
        while stream.read(65536):
            pass
    assert stopped.value.code == "evidence_ratio" and stopped.value.params == {"name": "a.pdf"}
    assert evidence.unpacked <= 65536  # stopped after its first chunk
    budget = index_evidence(
        io.BytesIO(out.getvalue()), ZipLimits(max_total_bytes=500_000, max_ratio=10_000)
    )
    budget.unpacked = 490_000  # what the rows before read
    with pytest.raises(RowRefused) as spent:
        budget.open(budget.find("a.pdf"), "a.pdf").read(65536)
    assert spent.value.code == "evidence_budget"


def test_a_zip_unpacking_beyond_the_total_limit_is_refused_whole(
    app: Flask, creditor: User, org_id: int
) -> None:
    import dataclasses

    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], import_max_unzipped_mb=1)
    archive = evidence_zip(
        {f"{n}.pdf": PDF + b"\x00" * 600_000 for n in range(2)}, compression=zipfile.ZIP_STORED
    )
    with pytest.raises(SheetRefused) as refused:
        _import(creditor, org_id, sheet_csv([ROW]), archive)
    assert refused.value.code == "zip_too_large_unpacked"
    assert _count(CaseImport) == 0


def test_a_worker_stopped_half_way_resumes_after_the_last_line(creditor: User, org_id: int) -> None:
    from unittest import mock

    from app.core import jobs

    data = sheet_csv([row(contract_number=f"HT-{n}") for n in range(4)])
    with mock.patch.dict(jobs._TASKS, {"run_case_import_task": lambda *_: None}):
        job = _import(creditor, org_id, data)
    assert job.status is CaseImportStatus.QUEUED and job.done == 0
    real = imports._Run.handle
    calls = []

    def stop_after_two(self: Any, sheet_row: Any) -> None:
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(sheet_row.line)
        real(self, sheet_row)

    with (
        mock.patch.object(imports._Run, "handle", stop_after_two),
        mock.patch.object(imports, "CHUNK_ROWS", 1),  # a commit after each row
        pytest.raises(KeyboardInterrupt),
    ):
        imports.run_import(job.id)
    db.session.refresh(job)
    assert (job.status, job.done, job.last_line) == (CaseImportStatus.RUNNING, 2, 3)
    imports.run_import(job.id)
    db.session.refresh(job)
    assert (job.status, job.done, job.created, job.refused) == (CaseImportStatus.DONE, 4, 4, 0)
    assert [r.line for r in _rows(job)] == [2, 3, 4, 5]


def test_job_status_is_the_organisations_only(creditor: User, org_id: int) -> None:
    job = _import(creditor, org_id, sheet_csv([ROW]))
    status = imports.job_status(creditor, job.id)
    assert status | {"id": 0} == {
        "id": 0,
        "status": "done",
        "total": 1,
        "done": 1,
        "created": 1,
        "refused": 0,
        "percent": 100,
        "finished": True,
        "error": None,
    }
    colleague = make_user(Role.CREDITOR, creditor_org_id=creditor.creditor_org_id)
    assert imports.job_status(colleague, job.id)["done"] == 1
    for stranger in (make_user(Role.CREDITOR), make_user(Role.DEBTOR), make_user(Role.MEDIATOR)):
        with pytest.raises(imports.ImportNotFound):
            imports.job_status(stranger, job.id)


def test_a_mediation_organisation_that_does_not_exist_is_refused(creditor: User) -> None:
    from app.core.errors import InvalidInput

    make_mediation_org()
    with pytest.raises(InvalidInput) as refused:
        _import(creditor, 999_999, sheet_csv([ROW]))
    assert refused.value.field == "mediation_org_id"


def test_a_contract_number_taken_meanwhile_by_another_import_is_already_imported(
    creditor: User, org_id: int
) -> None:
    """Two imports of the same row at once: the second's savepoint meets the unique key
    and its row reads "already imported", nothing created twice."""
    from unittest import mock

    first = _import(creditor, org_id, sheet_csv([row(contract_number="HT-R")]))
    (created,) = _rows(first)
    real = imports._Run.handle

    def blind(self: Any, sheet_row: Any) -> None:
        self.known.clear()  # as if the other import had not committed when this one began
        real(self, sheet_row)

    with mock.patch.object(imports._Run, "handle", blind):
        second = _import(creditor, org_id, sheet_csv([row(contract_number="HT-R")]))
    (again,) = _rows(second)
    assert again.outcome is CaseImportOutcome.ALREADY and again.case_id == created.case_id
    assert _count(Case) == 1 and _count(EvidenceFile) == 0


def test_the_audit_chain_holds_across_a_row_rolled_back_between_good_ones(
    creditor: User, org_id: int
) -> None:
    """The refused row's draft and evidence events go with its savepoint; the next row's
    events link to the last event kept (app.audit remembers the heads per transaction and
    forgets them on any rollback)."""
    data = sheet_csv(
        [
            row(contract_number="HT-A", evidence="a.pdf"),
            row(contract_number="HT-B", evidence="a.pdf", contract_date="2030-01-01"),
            row(contract_number="HT-C", evidence="a.pdf; b.exe"),  # evidence refused late
            row(contract_number="HT-D", evidence="a.pdf"),
        ]
    )
    archive = evidence_zip({"a.pdf": PDF, "b.exe": b"MZ" * 50})
    job = _import(creditor, org_id, data, archive)
    assert [r.outcome for r in _rows(job)] == [
        CaseImportOutcome.CREATED,
        CaseImportOutcome.REFUSED,
        CaseImportOutcome.REFUSED,
        CaseImportOutcome.CREATED,
    ]
    assert audit.verify_chain().intact
