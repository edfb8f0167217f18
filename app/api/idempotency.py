"""``Idempotency-Key`` on every POST of the API (draft-ietf-httpapi-idempotency-key-header):
a client that did not hear the answer sends the same request again with the same key and
gets the first answer, and nothing is done twice.

Per token, the key's row is written (and committed) before the operation runs, with the
SHA-256 of the request (method, path, body); the operation's answer is stored on it once
it succeeded. The same key with the same request then answers the stored response again
(``Idempotent-Replayed: true``); with another request, 409; while the first is still
running, 409 too. A refused request (any 4xx) stores nothing: its key may be used again,
as a client that corrects its request must not need a new key (as Stripe's API does)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app, request
from sqlalchemy import delete, select
from werkzeug.wrappers import Response

from app.api.errors import ApiInputError, IdempotencyConflict
from app.core import clock
from app.core.errors import Conflict
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.api_tokens import ApiToken, IdempotentRequest

# Two first requests with one key at the same moment: the second insert loses the race.
conflict_on("uq_api_idempotent_requests_token_id", "idempotency_in_progress")

HEADER = "Idempotency-Key"
MAX_KEY = 255
_IN_PROGRESS = 0
_CHUNK = 64 * 1024


def key_of_request() -> str:
    key = (request.headers.get(HEADER) or "").strip()
    if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
        raise ApiInputError("idempotency_key_required", HEADER)
    return key


def fingerprint() -> str:
    """SHA-256 of the method, path, query and body; a multipart body by its fields and
    its files' bytes (read in chunks from werkzeug's spooled files, then rewound)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.full_path}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name, value in sorted(request.form.items(multi=True), key=_by_name):
            digest.update(f"{name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=_file_name):
            digest.update(f"file {name} {upload.filename}\n".encode())
            while chunk := upload.stream.read(_CHUNK):
                digest.update(chunk)
            upload.stream.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _by_name(item: tuple[Any, Any]) -> tuple[str, str]:
    return (str(item[0]), str(item[1]))


def _file_name(item: tuple[Any, Any]) -> tuple[str, str]:
    return (str(item[0]), str(item[1].filename))


@use_case
def _begin(token_id: int, key: str, request_sha256: str) -> IdempotentRequest | None:
    """The finished answer to replay, or ``None`` after claiming the key for this request."""
    found = db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )
    if found is not None:
        if found.request_sha256 != request_sha256:
            raise IdempotencyConflict("idempotency_key_reused", HEADER)
        if found.status == _IN_PROGRESS:
            raise IdempotencyConflict("idempotency_in_progress", HEADER)
        return found
    db.session.add(
        IdempotentRequest(
            token_id=token_id,
            key=key,
            request_sha256=request_sha256,
            status=_IN_PROGRESS,
            content_type="",
            body=b"",
        )
    )
    return None


@use_case
def _finish(token_id: int, key: str, response: Response, body: bytes) -> None:
    row = db.session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )
    assert row is not None
    row.status = response.status_code
    row.content_type = response.content_type or ""
    row.location = response.headers.get("Location")
    row.body = body


@use_case
def _release(token_id: int, key: str) -> None:
    db.session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.key == key
        )
    )


# How long a key is kept (a client retries within minutes; the draft standard suggests at
# least 24 hours): the nightly prune (app.api.tasks) and `flask api prune-keys`.
KEEP_KEYS = timedelta(hours=48)


@use_case
def prune(older_than: timedelta) -> int:
    """Forget the keys used longer ago than ``older_than`` (every night, and ``flask api
    prune-keys``); returns how many."""
    cutoff = clock.now() - older_than
    result = db.session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _replay(row: IdempotentRequest) -> Response:
    response = Response(row.body, status=row.status, content_type=row.content_type)
    if row.location:
        response.headers["Location"] = row.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _kept(response: Response, shown_once: tuple[str, ...]) -> bytes:
    """The body to keep for a replay: the fields ``shown_once`` (a signing secret) as null,
    so no secret is stored in plain and a replay does not show it a second time."""
    body = response.get_data()
    if not shown_once or not response.is_json:
        return body
    data = json.loads(body)
    for name in shown_once:
        if name in data:
            data[name] = None
    return json.dumps(data, ensure_ascii=False).encode()


def run_once(
    token: ApiToken, view: Callable[[], Any], shown_once: tuple[str, ...] = ()
) -> Response:
    """Run ``view`` once per (token, key): see the module's description. The answer's
    fields ``shown_once`` are kept as null (:func:`_kept`)."""
    key = key_of_request()
    try:
        row = _begin(token.id, key, fingerprint())
    except Conflict:  # two first requests with one key at the same moment
        raise IdempotencyConflict("idempotency_in_progress", HEADER) from None
    if row is not None:
        return _replay(row)
    try:
        response = current_app.make_response(view())
    except BaseException:
        _release(token.id, key)
        raise
    if response.status_code < 400:
        _finish(token.id, key, response, _kept(response, shown_once))
    else:
        _release(token.id, key)
    return response
