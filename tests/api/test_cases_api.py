"""/api/v1/cases: drafts made and submitted through the intake's own parser and use cases,
read back; the organisation's cases only; tokens, scopes, idempotency and the body's
bounds refused as RFC 9457 problems."""

from __future__ import annotations

import base64
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models.cases import Case
from app.models.evidence import EvidenceFile
from app.rules.cases import CaseState
from tests.api.conftest import DRAFT, Caller
from tests.factories import make_case

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:concord:problem:{code}"
    assert body["title"] and body["detail"]
    return body


def test_a_draft_is_created_read_and_submitted(caller: Caller) -> None:
    created = caller.post_json("/api/v1/cases", DRAFT, key="create-1")
    assert created.status_code == 201, created.get_json()
    case = created.get_json()
    assert case["state"] == "draft" and case["claim"]["total"] == "31800.00"
    assert case["debtor"]["id_masked"] == "110105********002X"
    assert created.headers["Location"] == f"/api/v1/cases/{case['id']}"
    assert created.headers["RateLimit-Policy"] == '"token";q=120;w=60'

    shown = caller.get(f"/api/v1/cases/{case['id']}").get_json()
    assert shown["reference"] == case["reference"]
    assert [e["action"] for e in shown["timeline"]] == ["case:create"]

    submitted = caller.post_json(f"/api/v1/cases/{case['id']}/submit", None, key="submit-1")
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["state"] == "submitted"
    assert db.session.get(Case, case["id"]).state == CaseState.SUBMITTED


def test_a_field_is_refused_as_the_form_refuses_it(caller: Caller) -> None:
    body = _problem(
        caller.post_json("/api/v1/cases", DRAFT | {"debtor_phone": "12345"}), 400, "invalid_mobile"
    )
    assert body["field"] == "debtor_phone"
    assert body["findings"][0]["field"] == "debtor_phone"
    assert _cases() == 0


def test_a_blocking_claim_check_refuses_the_submission_with_its_findings(caller: Caller) -> None:
    # more principal owed than was ever lent (民法典 Art. 670): the check blocks it
    case = caller.post_json("/api/v1/cases", DRAFT | {"outstanding_principal": "60000"}).get_json()
    body = _problem(
        caller.post_json(f"/api/v1/cases/{case['id']}/submit", None, key="s"), 400, "claim_blocked"
    )
    assert [f["code"] for f in body["findings"]] == ["principal_exceeds_lent"]
    assert body["findings"][0]["message_en"].startswith("The outstanding principal")
    assert db.session.get(Case, case["id"]).state == CaseState.DRAFT


def test_the_list_filters_and_pages_with_a_cursor(caller: Caller, org_people) -> None:
    admin = org_people["admin"]
    ids = [make_case(admin, state=CaseState.DRAFT).id for _ in range(3)]
    make_case(admin, state=CaseState.SUBMITTED)
    make_case(org_people["other_admin"], state=CaseState.DRAFT)  # another organisation's

    first = caller.get("/api/v1/cases?state=draft&limit=2").get_json()
    assert [c["id"] for c in first["items"]] == ids[::-1][:2]
    second = caller.get(f"/api/v1/cases?state=draft&limit=2&cursor={first['next_cursor']}")
    assert [c["id"] for c in second.get_json()["items"]] == [ids[0]]
    assert second.get_json()["next_cursor"] is None

    wanted = db.session.get(Case, ids[1]).reference
    found = caller.get(f"/api/v1/cases?reference={wanted}").get_json()["items"]
    assert [c["id"] for c in found] == [ids[1]]
    _problem(caller.get("/api/v1/cases?cursor=bm9wZQ"), 400, "invalid_cursor")


def test_another_organisations_case_is_not_found(
    caller: Caller, org_people, make_caller: Callable[..., Caller]
) -> None:
    theirs = make_case(org_people["other_admin"], state=CaseState.DRAFT)
    _problem(caller.get(f"/api/v1/cases/{theirs.id}"), 404, "http_404")
    _problem(caller.post_json(f"/api/v1/cases/{theirs.id}/submit", None), 404, "http_404")
    assert db.session.get(Case, theirs.id).state == CaseState.DRAFT
    assert theirs.id not in [c["id"] for c in caller.get("/api/v1/cases").get_json()["items"]]


def test_no_token_an_unknown_one_and_a_revoked_one_are_401(app: Flask, caller: Caller) -> None:
    client = app.test_client()
    none = client.get("/api/v1/cases")
    _problem(none, 401, "invalid_token")
    assert none.headers["WWW-Authenticate"] == 'Bearer realm="concord"'
    wrong = client.get("/api/v1/cases", headers={"Authorization": "Bearer cnc_nope"})
    _problem(wrong, 401, "invalid_token")
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]

    from app.accounts.api_tokens import revoke_token

    assert caller.get("/api/v1/cases").status_code == 200
    revoke_token(caller.token.created_by, caller.token)
    _problem(caller.get("/api/v1/cases"), 401, "invalid_token")
    _problem(caller.post_json("/api/v1/cases", DRAFT), 401, "invalid_token")
    assert _cases() == 0


def test_a_token_without_the_scope_is_403(make_caller: Callable[..., Caller]) -> None:
    reader = make_caller(scopes=("cases:read",))
    body = _problem(reader.post_json("/api/v1/cases", DRAFT), 403, "insufficient_scope")
    assert "cases:write" in body["detail"]
    assert _cases() == 0
    writer = make_caller(scopes=("cases:write",))
    _problem(writer.get("/api/v1/cases"), 403, "insufficient_scope")


def test_a_post_without_idempotency_key_is_refused(caller: Caller) -> None:
    body = _problem(
        caller.post_json("/api/v1/cases", DRAFT, key=None), 400, "idempotency_key_required"
    )
    assert body["field"] == "Idempotency-Key"
    assert _cases() == 0


def test_the_same_key_and_body_replays_the_first_answer(caller: Caller) -> None:
    first = caller.post_json("/api/v1/cases", DRAFT, key="same")
    again = caller.post_json("/api/v1/cases", DRAFT, key="same")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _cases() == 1


def test_the_same_key_with_another_body_is_409(caller: Caller) -> None:
    assert caller.post_json("/api/v1/cases", DRAFT, key="k").status_code == 201
    _problem(
        caller.post_json("/api/v1/cases", DRAFT | {"debtor_name": "王芳"}, key="k"),
        409,
        "idempotency_key_reused",
    )
    assert _cases() == 1


def test_a_refused_request_leaves_its_key_free(caller: Caller) -> None:
    bad = caller.post_json("/api/v1/cases", DRAFT | {"contract_date": "tomorrow"}, key="fix")
    _problem(bad, 400, "date_format")
    assert caller.post_json("/api/v1/cases", DRAFT, key="fix").status_code == 201


def test_keys_are_per_token(make_caller: Callable[..., Caller]) -> None:
    one, two = make_caller(), make_caller()
    assert one.post_json("/api/v1/cases", DRAFT, key="shared").status_code == 201
    assert two.post_json("/api/v1/cases", DRAFT | {"fees": "1"}, key="shared").status_code == 201
    assert _cases() == 2


def test_a_body_over_the_limit_is_413(caller: Caller) -> None:
    huge = DRAFT | {"debtor_address": "x" * (300 * 1024)}
    _problem(caller.post_json("/api/v1/cases", huge), 413, "body_too_large")
    assert _cases() == 0


def test_a_form_body_is_415(caller: Caller) -> None:
    response = caller.client.post(
        "/api/v1/cases", data={"debtor_name": "刘强"}, headers=caller.headers("k")
    )
    _problem(response, 415, "unsupported_media_type")
    assert _cases() == 0


def test_a_body_the_schema_refuses_is_422_with_the_field(caller: Caller) -> None:
    body = _problem(
        caller.post_json("/api/v1/cases", DRAFT | {"principal_lent": 50000.5}), 422, "invalid_body"
    )
    assert body["field"] == "principal_lent"
    _problem(caller.post_json("/api/v1/cases", DRAFT | {"colour": "red"}), 422, "invalid_body")
    assert _cases() == 0


def test_invalid_json_is_400(caller: Caller) -> None:
    response = caller.client.post(
        "/api/v1/cases",
        data=b"{not json",
        headers=caller.headers("k", **{"Content-Type": "application/json"}),
    )
    _problem(response, 400, "invalid_json")


def test_evidence_is_checked_hashed_and_stored(caller: Caller, org_people) -> None:
    import hashlib
    import io

    case = make_case(org_people["admin"], state=CaseState.DRAFT)
    response = caller.client.post(
        f"/api/v1/cases/{case.id}/evidence",
        data={"category": "contract", "file": (io.BytesIO(PDF), "借款合同.pdf")},
        headers=caller.headers("ev-1"),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["media_type"] == "application/pdf" and body["original_name"] == "借款合同.pdf"

    fake = caller.client.post(
        f"/api/v1/cases/{case.id}/evidence",
        data={"category": "contract", "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "x.pdf")},
        headers=caller.headers("ev-2"),
    )
    _problem(fake, 400, "file_type")
    # A guarantor's own ID copy is theirs to give on their case page, never the creditor's.
    party_copy = caller.client.post(
        f"/api/v1/cases/{case.id}/evidence",
        data={"category": "party_id_front", "file": (io.BytesIO(PDF), "id.pdf")},
        headers=caller.headers("ev-3"),
    )
    assert party_copy.status_code == 422 and party_copy.mimetype == "application/problem+json"
    assert "category" in party_copy.get_data(as_text=True)
    count = db.session.scalar(select(func.count()).select_from(EvidenceFile))
    assert count == 1


def test_evidence_needs_its_scope_and_a_multipart_body(
    make_caller: Callable[..., Caller], org_people
) -> None:
    case = make_case(org_people["admin"], state=CaseState.DRAFT)
    reader = make_caller(scopes=("cases:read", "cases:write"))
    import io

    refused = reader.client.post(
        f"/api/v1/cases/{case.id}/evidence",
        data={"category": "contract", "file": (io.BytesIO(PDF), "a.pdf")},
        headers=reader.headers("e"),
    )
    _problem(refused, 403, "insufficient_scope")
    writer = make_caller(scopes=("evidence:write",))
    _problem(
        writer.post_json(f"/api/v1/cases/{case.id}/evidence", {"x": 1}),
        415,
        "unsupported_media_type",
    )


def test_past_the_tokens_rate_it_is_429_with_the_wait(app: Flask, caller: Caller) -> None:
    import dataclasses

    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], api_rate_limit="2/minute")
    first = caller.get("/api/v1/cases")
    assert first.headers["RateLimit-Policy"] == '"token";q=2;w=60'
    assert first.headers["RateLimit"].startswith('"token";r=1;t=')
    assert caller.get("/api/v1/cases").status_code == 200
    refused = caller.get("/api/v1/cases")
    body = _problem(refused, 429, "http_429")
    assert int(refused.headers["Retry-After"]) >= 1 and body["retry_after"] >= 1
    assert refused.headers["RateLimit"].startswith('"token";r=0;')


def test_a_key_whose_first_request_is_still_running_is_409(app: Flask, caller: Caller) -> None:
    from app.api.idempotency import _begin, fingerprint

    with app.test_request_context("/api/v1/cases", method="POST", json=DRAFT):
        same = fingerprint()
    _begin(caller.token.id, "running", same)  # the first request holds the key, unfinished
    _problem(
        caller.post_json("/api/v1/cases", DRAFT, key="running"), 409, "idempotency_in_progress"
    )
    assert _cases() == 0


def test_problems_speak_the_language_asked_for(caller: Caller) -> None:
    english = caller.get("/api/v1/cases/999999").get_json()
    chinese = caller.client.get(
        "/api/v1/cases/999999",
        headers={"Authorization": f"Bearer {caller.secret}", "Accept-Language": "zh-CN"},
    ).get_json()
    assert english["detail"].startswith("This page does not exist")
    assert chinese["detail"] != english["detail"] and chinese["code"] == english["code"]


def test_an_upload_over_the_evidence_limit_is_413_and_nothing_is_stored(
    app: Flask, caller: Caller, org_people
) -> None:
    import dataclasses
    import io

    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], max_upload_mb=1)
    case = make_case(org_people["admin"], state=CaseState.DRAFT)
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    big = PDF + b"\0" * (2 * 1024 * 1024)
    # Encoded in memory: the test client would spool a body this large to a temp file.
    boundary, body = encode_multipart(
        {"category": "contract", "file": FileStorage(io.BytesIO(big), "big.pdf")}
    )
    response = caller.client.post(
        f"/api/v1/cases/{case.id}/evidence",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=caller.headers("big"),
    )
    _problem(response, 413, "body_too_large")
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0


def test_a_signed_in_browser_is_not_an_api_client(app: Flask, org_people) -> None:
    from tests.factories import PASSWORD
    from tests.helpers import Browser

    browser = Browser(app.test_client())
    assert browser.login(org_people["admin"].email, PASSWORD).status_code == 302
    assert browser.client.get("/creditor").status_code == 200  # the session works for pages
    _problem(browser.client.get("/api/v1/cases"), 401, "invalid_token")
    posted = browser.client.post("/api/v1/cases", json=DRAFT, headers={"Idempotency-Key": "c"})
    _problem(posted, 401, "invalid_token")
    assert "Set-Cookie" not in posted.headers
    assert _cases() == 0


def test_old_keys_are_pruned_and_can_be_used_again(
    app: Flask, caller: Caller, frozen_clock
) -> None:
    from datetime import timedelta

    assert caller.post_json("/api/v1/cases", DRAFT, key="old").status_code == 201
    frozen_clock.shift(timedelta(hours=49))
    result = app.test_cli_runner().invoke(args=["api", "prune-keys"])
    assert result.exit_code == 0 and result.output.startswith("1 keys forgotten")
    again = caller.post_json("/api/v1/cases", DRAFT | {"fees": "1"}, key="old")
    assert again.status_code == 201 and _cases() == 2


def test_the_worker_forgets_old_keys_every_night(app: Flask, caller: Caller, frozen_clock) -> None:
    from datetime import timedelta

    from app.api.tasks import prune_idempotency_keys_daily
    from app.worker import huey as worker_huey

    periodic = {t.__name__ for t in worker_huey._registry._periodic_tasks}
    assert "prune_idempotency_keys_daily" in periodic
    assert caller.post_json("/api/v1/cases", DRAFT, key="old").status_code == 201
    frozen_clock.shift(timedelta(hours=47))
    assert caller.post_json("/api/v1/cases", DRAFT, key="new").status_code == 201
    assert prune_idempotency_keys_daily.call_local() == 0  # "old" is 47 hours old
    frozen_clock.shift(timedelta(hours=2))
    assert prune_idempotency_keys_daily.call_local() == 1  # "old" only
    replay = caller.post_json("/api/v1/cases", DRAFT, key="new")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert _cases() == 2


def test_numbers_beyond_any_case_id_find_nothing_and_break_nothing(caller: Caller) -> None:
    """A reference or cursor whose number exceeds the INTEGER id column matches no case;
    on PostgreSQL the comparison itself would fail (and abort the transaction)."""
    listed = caller.get("/api/v1/cases?reference=HZ-2026-9911507019")
    assert listed.status_code == 200 and listed.get_json()["items"] == []
    cursor = base64.urlsafe_b64encode(b"c1:9911507019").decode().rstrip("=")
    refused = caller.get(f"/api/v1/cases?cursor={cursor}")
    assert refused.status_code == 400 and refused.get_json()["field"] == "cursor"
    assert caller.get("/api/v1/cases").status_code == 200  # the connection still works
