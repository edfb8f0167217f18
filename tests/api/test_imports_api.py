"""``/api/v1/imports``: a sheet of cases (and its ZIP of evidence) uploaded with a token,
imported by the worker (immediate mode), followed as the page's progress bar follows it,
each row's outcome paged by cursor; every refusal a problem (413, 415, 422, 403, 404);
and a stopped import shown with its reason and resumed from the rows not yet done."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from typing import Any
from unittest import mock

from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.cases import imports
from app.extensions import db
from app.models.case_imports import CaseImport, CaseImportStatus
from app.models.cases import Case
from app.models.organisations import MediationOrganisation
from app.models.users import User
from tests.api.conftest import Caller
from tests.case_import_support import PDF, evidence_zip, row, sheet_csv, sheet_xlsx

URL = "/api/v1/imports"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:concord:problem:{code}" and body["detail"]
    return body


def _post(
    caller: Caller,
    sheet: bytes | None,
    archive: bytes | None = None,
    *,
    key: str = "imp-1",
    name: str = "cases.csv",
    **fields: Any,
) -> Any:
    data: dict[str, Any] = dict(fields)
    if sheet is not None:
        data["sheet"] = FileStorage(io.BytesIO(sheet), name)
    if archive is not None:
        data["evidence"] = FileStorage(io.BytesIO(archive), "evidence.zip")
    # Encoded in memory: the test client would spool a large body to a temporary file.
    boundary, body = encode_multipart(data)
    return caller.client.post(
        URL,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=caller.headers(key),
    )


def _sheet() -> bytes:
    return sheet_csv(
        [
            row(contract_number="HT-1", evidence="a.pdf"),
            row(contract_number="HT-2", debtor_phone="123"),
            row(contract_number="HT-3"),
        ]
    )


def _imports() -> int:
    return db.session.scalar(select(func.count()).select_from(CaseImport)) or 0


def test_an_import_runs_and_is_followed_row_by_row(caller: Caller) -> None:
    response = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF}))
    assert response.status_code == 202, response.get_data(as_text=True)
    job = response.get_json()
    assert job["sheet_name"] == "cases.csv" and job["zip_name"] == "evidence.zip"
    location = response.headers["Location"]
    assert location.endswith(f"{URL}/{job['id']}")
    # The worker ran (immediate mode): the job resource has the page's figures.
    status = caller.get(location)
    assert status.status_code == 200
    body = status.get_json()
    assert {k: body[k] for k in ("status", "total", "done", "created", "refused")} == {
        "status": "done",
        "total": 3,
        "done": 3,
        "created": 2,
        "refused": 1,
    }
    assert body["finished"] is True and body["error"] is None and body["error_detail"] is None
    # the same figures as the page's progress bar polls
    figures = imports.job_status(caller.token.created_by, job["id"])
    assert {k: body[k] for k in figures} == figures
    # Each row, a page of two then the last one.
    first = caller.get(f"{location}/rows?limit=2").get_json()
    assert [r["line"] for r in first["items"]] == [2, 3]
    assert first["items"][0]["outcome"] == "created"
    case = db.session.scalar(select(Case).where(Case.contract_number == "HT-1"))
    assert case is not None
    assert first["items"][0]["case_id"] == case.id
    assert first["items"][0]["case_reference"] == case.reference
    refused = first["items"][1]
    assert refused["outcome"] == "refused" and refused["field"] == "debtor_phone"
    assert refused["reason"].startswith("手机号码: ") or "mobile" in refused["reason"]
    assert first["next_cursor"]
    rest = caller.get(f"{location}/rows?limit=2&cursor={first['next_cursor']}").get_json()
    assert [r["line"] for r in rest["items"]] == [4] and rest["next_cursor"] is None
    # The list, newest first.
    listed = caller.get(URL).get_json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]


def test_the_list_pages_by_cursor(caller: Caller) -> None:
    ids = []
    for n in range(3):
        sheet = sheet_csv([row(contract_number=f"HT-L{n}")])
        response = _post(caller, sheet, key=f"list-{n}")
        assert response.status_code == 202
        ids.append(response.get_json()["id"])
    first = caller.get(f"{URL}?limit=2").get_json()
    assert [j["id"] for j in first["items"]] == ids[:0:-1]
    second = caller.get(f"{URL}?limit=2&cursor={first['next_cursor']}").get_json()
    assert [j["id"] for j in second["items"]] == [ids[0]] and second["next_cursor"] is None


def test_an_xlsx_sheet_is_accepted(caller: Caller) -> None:
    response = _post(caller, sheet_xlsx([row(contract_number="HT-X")]), name="cases.xlsx")
    assert response.status_code == 202
    assert caller.get(response.headers["Location"]).get_json()["created"] == 1


def test_the_same_key_answers_the_first_response_and_imports_once(caller: Caller) -> None:
    first = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF}), key="same")
    again = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF}), key="same")
    assert first.status_code == again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"] and _imports() == 1
    other = _post(caller, sheet_csv([row(contract_number="HT-9")]), key="same")
    _problem(other, 409, "idempotency_key_reused")


def test_a_post_needs_an_idempotency_key(caller: Caller) -> None:
    response = caller.client.post(
        URL,
        data={"sheet": (io.BytesIO(_sheet()), "cases.csv")},
        content_type="multipart/form-data",
        headers=caller.headers(),
    )
    _problem(response, 400, "idempotency_key_required")
    assert _imports() == 0


def test_a_sheet_missing_columns_is_422_with_the_reason(caller: Caller) -> None:
    sheet = sheet_csv([row()], columns=["debtor_name", "contract_number"])
    body = _problem(_post(caller, sheet), 422, "sheet_columns_missing")
    assert "debtor_phone" in body["detail"] or "手机" in body["detail"]
    assert body["field"] == "sheet" and _imports() == 0


def test_too_many_rows_is_422(app: Flask, caller: Caller) -> None:
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], import_max_rows=2)
    sheet = sheet_csv([row(contract_number=f"HT-{n}") for n in range(3)])
    body = _problem(_post(caller, sheet), 422, "sheet_too_many_rows")
    assert "2" in body["detail"] and _imports() == 0


def test_a_sheet_with_no_rows_is_422(caller: Caller) -> None:
    _problem(_post(caller, sheet_csv([])), 422, "sheet_empty")


def test_no_sheet_is_422(caller: Caller) -> None:
    body = _problem(_post(caller, None, mediation_org_id="1"), 422, "required")
    assert body["field"] == "sheet"


def test_an_unknown_mediation_organisation_is_422(caller: Caller) -> None:
    body = _problem(_post(caller, _sheet(), mediation_org_id="999999"), 422, "choice")
    assert body["field"] == "mediation_org_id" and _imports() == 0


def test_a_chosen_mediation_organisation_is_kept(caller: Caller) -> None:
    org = db.session.scalars(select(MediationOrganisation)).first()
    assert org is not None
    response = _post(caller, _sheet(), mediation_org_id=str(org.id))
    assert response.status_code == 202 and response.get_json()["mediation_org_id"] == org.id


def test_a_file_that_is_not_a_sheet_is_415(caller: Caller) -> None:
    body = _problem(_post(caller, b"\x00\x01\x02\xff\xfe" * 100), 415, "sheet_not_text")
    assert body["field"] == "sheet" and _imports() == 0


def test_evidence_that_is_not_a_zip_is_415(caller: Caller) -> None:
    body = _problem(_post(caller, _sheet(), PDF), 415, "zip_not_zip")
    assert body["field"] == "evidence" and _imports() == 0


def test_a_json_body_is_415(caller: Caller) -> None:
    response = caller.post_json(URL, {"sheet": "x"})
    _problem(response, 415, "unsupported_media_type")


def test_a_sheet_over_its_limit_is_413(app: Flask, caller: Caller) -> None:
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"], import_max_sheet_mb=1, import_max_zip_mb=2
    )
    sheet = _sheet() + b"\r\n" * (1024 * 1024)
    body = _problem(_post(caller, sheet), 413, "sheet_too_large")
    assert body["field"] == "sheet" and _imports() == 0


def test_a_body_over_both_limits_is_413_before_it_is_read(app: Flask, caller: Caller) -> None:
    app.config["SETTINGS"] = dataclasses.replace(
        app.config["SETTINGS"], import_max_sheet_mb=1, import_max_zip_mb=1
    )
    sheet = _sheet() + b"\r\n" * (3 * 1024 * 1024)
    _problem(_post(caller, sheet), 413, "body_too_large")
    assert _imports() == 0


def test_the_upload_may_exceed_the_single_file_limit(app: Flask, caller: Caller) -> None:
    """A sheet and its ZIP are bounded by the import's own limits, not MAX_UPLOAD_MB."""
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], max_upload_mb=1)
    sheet = _sheet() + b"\r\n" * (1024 * 1024 + 10)
    response = _post(caller, sheet)
    assert response.status_code == 202, response.get_data(as_text=True)


def test_scopes_are_needed(make_caller: Callable[..., Caller]) -> None:
    reader = make_caller(scopes=("cases:read",))
    _problem(_post(reader, _sheet()), 403, "insufficient_scope")
    writer = make_caller(scopes=("cases:write",))
    _problem(writer.get(URL), 403, "insufficient_scope")
    assert _imports() == 0


def test_another_organisations_import_is_not_found(
    make_caller: Callable[..., Caller], org_people: dict[str, User]
) -> None:
    mine = make_caller()
    theirs = make_caller("other_admin")
    job_id = _post(mine, _sheet()).get_json()["id"]
    for url in (f"{URL}/{job_id}", f"{URL}/{job_id}/rows"):
        _problem(theirs.get(url), 404, "import_not_found")
    resume = theirs.client.post(f"{URL}/{job_id}/resume", headers=theirs.headers("r-1"))
    _problem(resume, 404, "import_not_found")
    assert theirs.get(URL).get_json()["items"] == []
    # a colleague's token (same organisation) sees it
    assert make_caller("colleague").get(f"{URL}/{job_id}").status_code == 200


def test_a_bad_cursor_is_400(caller: Caller) -> None:
    _problem(caller.get(f"{URL}?cursor=nonsense"), 400, "invalid_cursor")


# -- a stopped import --------------------------------------------------------------------


def _failing_on(line: int) -> Any:
    handle = imports._Run.handle

    def failing(run: Any, sheet_row: Any) -> None:
        if sheet_row.line == line:
            raise RuntimeError("the disk said no")
        handle(run, sheet_row)

    return mock.patch.object(imports._Run, "handle", failing)


def test_an_unexpected_error_after_the_retries_fails_the_import_and_it_resumes(
    caller: Caller,
) -> None:
    from app.cases.tasks import run_case_import_task
    from app.queue import huey

    with mock.patch.object(imports, "CHUNK_ROWS", 1), _failing_on(3):
        response = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF}))
        assert response.status_code == 202
        location = response.headers["Location"]
        # The first try stopped at line 3 (its retries wait in the queue's schedule).
        body = caller.get(location).get_json()
        assert body["status"] == "running" and body["done"] == 1
        # The last try fails the same way: the import stops with its reason.
        huey.enqueue(run_case_import_task.s(body["id"], retries=0))
    body = caller.get(location).get_json()
    assert body["status"] == "failed" and body["error"] == "import_error"
    assert body["finished"] is True and "resume" in body["error_detail"]
    assert body["done"] == 1 and body["created"] == 1
    # Resumed: the rows not yet done are imported, the first one is not imported twice.
    resumed = caller.client.post(f"{location}/resume", headers=caller.headers("resume-1"))
    assert resumed.status_code == 202 and resumed.headers["Location"].endswith(location)
    body = caller.get(location).get_json()
    assert body["status"] == "done" and (body["done"], body["created"], body["refused"]) == (
        3,
        2,
        1,
    )
    assert body["error"] is None
    numbers = db.session.scalars(select(Case.contract_number).order_by(Case.id)).all()
    assert numbers == ["HT-1", "HT-3"]
    rows = caller.get(f"{location}/rows").get_json()["items"]
    assert [r["line"] for r in rows] == [2, 3, 4]
    # Done: nothing to resume.
    again = caller.client.post(f"{location}/resume", headers=caller.headers("resume-2"))
    _problem(again, 409, "import_not_stopped")


def test_a_run_lost_with_its_worker_is_asked_for_again(app: Flask, caller: Caller) -> None:
    from datetime import timedelta

    from app.core import clock

    with mock.patch.object(imports, "CHUNK_ROWS", 1), _failing_on(3):
        response = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF}))
    job_id = response.get_json()["id"]
    job = db.session.get(CaseImport, job_id)
    assert job is not None and job.status is CaseImportStatus.RUNNING
    # Not yet overdue: left alone.
    assert imports.recover_stalled_imports(clock.now() + timedelta(minutes=5)) == 0
    # Overdue: asked for again (the worker, inline here, finishes it).
    assert imports.recover_stalled_imports(clock.now() + timedelta(minutes=11)) == 1
    db.session.refresh(job)
    assert job.status is CaseImportStatus.DONE and (job.done, job.created) == (3, 2)


def test_a_run_lost_too_often_is_failed_for_the_creditor_to_resume(
    app: Flask, caller: Caller
) -> None:
    from datetime import timedelta

    from app.core import clock

    with mock.patch.object(imports, "CHUNK_ROWS", 1), _failing_on(3):
        job_id = _post(caller, _sheet(), evidence_zip({"a.pdf": PDF})).get_json()["id"]
    job = db.session.get(CaseImport, job_id)
    assert job is not None
    job.attempts = app.config["SETTINGS"].render_max_attempts
    db.session.commit()
    assert imports.recover_stalled_imports(clock.now() + timedelta(minutes=11)) == 1
    body = caller.get(f"{URL}/{job_id}").get_json()
    assert body["status"] == "failed" and body["error"] == "import_lost"
    assert "interrupted" in body["error_detail"]
