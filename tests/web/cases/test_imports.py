"""Bulk import of cases over HTTP: the upload page with its templates and columns, the
progress as JSON, the page of a finished import, the report as XLSX (formulas escaped, in
the reader's language), refusals of a sheet that cannot be imported; and only the
organisation's creditor users reach any of it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.case_imports import CaseImport
from app.models.cases import Case
from app.models.users import Role, User
from app.rules.case_sheet import COLUMNS, HEADERS
from tests.case_import_support import PDF, ROW, evidence_zip, row, sheet_csv
from tests.factories import PASSWORD, make_mediation_org, make_user
from tests.helpers import Browser

URL = "/cases/imports"
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    org = make_mediation_org()
    creditor = make_user(Role.CREDITOR)
    return {"org": org, "creditor": creditor}


def _as(app: Flask, user: User) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(user.email, PASSWORD).status_code == 302
    return browser


def _upload(
    browser: Browser, world: dict[str, Any], data: bytes, archive: bytes | None = None
) -> Any:
    fields: dict[str, Any] = {
        "sheet": (data, "cases.csv"),
        "mediation_org_id": str(world["org"].id),
    }
    if archive is not None:
        fields["evidence"] = (archive, "evidence.zip")
    return browser.upload(URL, fields, page=URL)


def _sheet() -> bytes:
    return sheet_csv(
        [
            row(contract_number="HT-1", evidence="a.pdf"),
            row(contract_number="HT-2", debtor_phone="123", debtor_name=FORMULA),
        ]
    )


def _imported(app: Flask, world: dict[str, Any]) -> tuple[Browser, int]:
    browser = _as(app, world["creditor"])
    response = _upload(browser, world, _sheet(), evidence_zip({"a.pdf": PDF}))
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    return browser, job_id


def test_the_page_documents_the_columns_and_offers_both_templates(
    app: Flask, world: dict[str, Any]
) -> None:
    browser = _as(app, world["creditor"])
    html = browser.get(URL).get_data(as_text=True)
    for key in COLUMNS:
        assert key in html and HEADERS[key] in html
    assert "10,000" in html
    csv_template = browser.get(URL + "/template.csv")
    assert csv_template.status_code == 200 and csv_template.mimetype == "text/csv"
    text = csv_template.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == [HEADERS[k] for k in COLUMNS]
    xlsx = browser.get(URL + "/template.xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert list(header) == [HEADERS[k] for k in COLUMNS]
    keys = [r[0] for r in book["columns"].iter_rows(min_row=2, values_only=True)]
    assert keys == list(COLUMNS)


def test_the_templates_import_as_they_are(app: Flask, world: dict[str, Any]) -> None:
    """The example row of each template is a valid case (its evidence aside)."""
    browser = _as(app, world["creditor"])
    for name in ("template.csv", "template.xlsx"):
        data = browser.get(f"{URL}/{name}").get_data()
        response = browser.upload(
            URL, {"sheet": (data, name), "mediation_org_id": str(world["org"].id)}, page=URL
        )
        assert response.status_code == 302
    jobs = db.session.scalars(select(CaseImport).order_by(CaseImport.id)).all()
    assert [(j.total, j.done) for j in jobs] == [(1, 1), (1, 1)]
    # The example names its contract's PDF but no ZIP came with it: refused with that reason,
    # and the second import of the same contract number ... refused the same way.
    assert all(j.refused == 1 for j in jobs)


def test_an_import_runs_and_reports_each_row(app: Flask, world: dict[str, Any]) -> None:
    browser, job_id = _imported(app, world)
    status = browser.get(f"{URL}/{job_id}/status.json")
    assert status.status_code == 200 and status.headers["Cache-Control"] == "no-store"
    assert status.json is not None
    assert {k: status.json[k] for k in ("status", "total", "done", "created", "refused")} == {
        "status": "done",
        "total": 2,
        "done": 2,
        "created": 1,
        "refused": 1,
    }
    assert status.json["finished"] is True and status.json["label"] == "已完成"
    page = browser.get(f"{URL}/{job_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="row-created"' in html and 'class="row-refused"' in html
    assert "手机号码：" in html  # the reason in the reader's language (Chinese by default)
    case = db.session.scalar(select(Case).where(Case.contract_number == "HT-1"))
    assert case is not None and case.reference in html
    index = browser.get(URL).get_data(as_text=True)
    assert f"{URL}/{job_id}" in index and "cases.csv" in index


def test_the_progress_page_polls_while_the_import_runs(app: Flask, world: dict[str, Any]) -> None:
    from unittest import mock

    from app.core import jobs

    browser = _as(app, world["creditor"])
    with mock.patch.dict(jobs._TASKS, {"run_case_import_task": lambda *_: None}):
        response = _upload(browser, world, _sheet())
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "js/case-import.js" in page and 'data-finished="no"' in page
    assert 'max="2" value="0"' in page
    job_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    assert browser.get(f"{URL}/{job_id}/status.json").json["status"] == "queued"


def test_the_report_is_xlsx_in_the_readers_language_with_formulas_escaped(
    app: Flask, world: dict[str, Any]
) -> None:
    browser, job_id = _imported(app, world)
    response = browser.get(f"{URL}/{job_id}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "行号"
    assert rows[1][1] == "HT-1" and rows[1][3] == "已创建"
    assert rows[2][2] == "'" + FORMULA  # shown, never a formula
    assert rows[2][5].startswith("手机号码：")
    # No cell of the workbook is a formula.
    archive_xml = io.BytesIO(response.get_data())
    import zipfile

    with zipfile.ZipFile(archive_xml) as parts:
        assert "<f>" not in parts.read("xl/worksheets/sheet1.xml").decode()
    downloads = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "case_import:report:download")
    )
    assert downloads == 1
    # In English for a reader who chose English.
    world["creditor"].locale = "en"
    db.session.commit()
    english = _as(app, world["creditor"]).get(f"{URL}/{job_id}/report.xlsx")
    rows = list(load_workbook(io.BytesIO(english.get_data())).worksheets[0].values)
    assert rows[0][0] == "Line" and rows[1][3] == "Created"
    assert rows[2][5].startswith("debtor_phone: Enter an 11-digit")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (sheet_csv([ROW], columns=[c for c in COLUMNS if c != "fees"]), "费用 (fees)"),
        (b"\x00\x01binary", "UTF-8"),
        (sheet_csv([]), "没有"),
    ],
)
def test_a_sheet_that_cannot_be_imported_comes_back_with_the_reason(
    app: Flask, world: dict[str, Any], data: bytes, words: str
) -> None:
    browser = _as(app, world["creditor"])
    page = _upload(browser, world, data)
    assert page.refused_by_redirect and page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'role="alert"' in html and words in html
    assert db.session.scalar(select(func.count()).select_from(CaseImport)) == 0


def test_no_sheet_chosen(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, world["creditor"])
    page = browser.upload(URL, {"mediation_org_id": str(world["org"].id)}, page=URL)
    assert page.refused_by_redirect and "CSV" in page.get_data(as_text=True)


def test_only_the_organisations_creditor_users_reach_an_import(
    app: Flask, world: dict[str, Any]
) -> None:
    _, job_id = _imported(app, world)
    colleague = make_user(Role.CREDITOR, creditor_org_id=world["creditor"].creditor_org_id)
    assert _as(app, colleague).get(f"{URL}/{job_id}/status.json").status_code == 200
    urls = [f"{URL}/{job_id}", f"{URL}/{job_id}/status.json", f"{URL}/{job_id}/report.xlsx"]
    other_creditor = make_user(Role.CREDITOR)
    for url in urls:
        assert _as(app, other_creditor).get(url).status_code == 404, url
    for role in (Role.DEBTOR, Role.MEDIATOR, Role.ADMIN):
        browser = _as(app, make_user(role))
        for url in [URL, URL + "/template.csv", URL + "/template.xlsx", *urls]:
            assert browser.get(url).status_code in (403, 404), (role, url)
    # Another organisation's list shows none of it.
    html = _as(app, other_creditor).get(URL).get_data(as_text=True)
    assert f"{URL}/{job_id}" not in html


def test_a_debtor_cannot_upload(app: Flask, world: dict[str, Any]) -> None:
    browser = _as(app, make_user(Role.DEBTOR))
    response = browser.upload(URL, {"sheet": (_sheet(), "cases.csv")}, page="/account/")
    assert response.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(CaseImport)) == 0


def test_the_page_reads_in_english(app: Flask, world: dict[str, Any]) -> None:
    world["creditor"].locale = "en"
    db.session.commit()
    browser = _as(app, world["creditor"])
    html = browser.get(URL).get_data(as_text=True)
    assert "Import cases" in html and "The term in whole months, from 1 to 600." in html


def test_the_upload_takes_a_sheet_and_a_zip_beyond_the_usual_upload_limit(app: Flask) -> None:
    from app.web.limits import upload_limit_mb

    settings = app.config["SETTINGS"]
    assert upload_limit_mb("case_imports.index") == (
        settings.import_max_sheet_mb + settings.import_max_zip_mb
    )
    assert upload_limit_mb("case_imports.index") > settings.max_upload_mb


def _stopped(app: Flask, world: dict[str, Any]) -> tuple[Browser, int]:
    """An import whose worker failed on line 3 after its retries (the first row kept)."""
    from unittest import mock

    from app.cases import imports
    from app.cases.tasks import run_case_import_task
    from app.queue import huey

    handle = imports._Run.handle

    def failing(run: Any, sheet_row: Any) -> None:
        if sheet_row.line == 3:
            raise RuntimeError("unexpected")
        handle(run, sheet_row)

    with (
        mock.patch.object(imports, "CHUNK_ROWS", 1),
        mock.patch.object(imports._Run, "handle", failing),
    ):
        browser, job_id = _imported(app, world)
        huey.enqueue(run_case_import_task.s(job_id, retries=0))  # the last try
    return browser, job_id


def test_a_stopped_import_shows_why_and_resumes_from_the_rows_not_done(
    app: Flask, world: dict[str, Any]
) -> None:
    browser, job_id = _stopped(app, world)
    status = browser.get(f"{URL}/{job_id}/status.json").json
    assert status is not None
    assert (status["status"], status["error"], status["done"]) == ("failed", "import_error", 1)
    assert "请继续导入其余各行" in status["error_detail"] and status["label"] == "已停止"
    html = browser.get(f"{URL}/{job_id}").get_data(as_text=True)
    assert 'class="import-error"' in html and status["error_detail"] in html
    assert f"{URL}/{job_id}/resume" in html
    response = browser.submit(f"{URL}/{job_id}/resume", page=f"{URL}/{job_id}")
    assert response.status_code == 302
    job = db.session.get(CaseImport, job_id)
    assert job is not None
    db.session.refresh(job)
    assert (job.status.value, job.done, job.created, job.refused) == ("done", 2, 1, 1)
    assert job.error is None
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == str(job_id))
    ).all()
    assert "case_import:resume" in actions


def test_resuming_an_import_not_stopped_is_refused_with_a_303_back_to_the_page(
    app: Flask, world: dict[str, Any]
) -> None:
    browser, job_id = _imported(app, world)  # done
    page = f"{URL}/{job_id}"
    response = browser.submit(f"{page}/resume", page=page, follow_refusal=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    shown = browser.get(page).get_data(as_text=True)
    assert "只有已停止的导入才能继续。" in shown


def test_only_the_organisations_creditor_users_resume_an_import(
    app: Flask, world: dict[str, Any]
) -> None:
    _, job_id = _stopped(app, world)
    for user in (make_user(Role.CREDITOR), make_user(Role.MEDIATOR), make_user(Role.DEBTOR)):
        browser = _as(app, user)
        response = browser.submit(f"{URL}/{job_id}/resume", page="/account/")
        assert response.status_code in (403, 404)
    job = db.session.get(CaseImport, job_id)
    assert job is not None
    db.session.refresh(job)
    assert job.status.value == "failed"
