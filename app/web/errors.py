"""Errors as the person sees them: one place turns a refusal into a page or, for a JSON
request, into RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.core import prg
from app.core.errors import DomainError, Unavailable, problem_body, problem_details
from app.core.faults import unavailable_from
from app.web.limits import upload_limit_mb

PROBLEM_JSON = "application/problem+json"


def register_errors(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(Unavailable, unavailable)
    # A fault met outside a use case (a read, the session's own write): made Unavailable
    # here; anything else stays the bare 500 it was.
    app.register_error_handler(OSError, _fault)
    app.register_error_handler(DBAPIError, _fault)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best in ("application/json", PROBLEM_JSON)
    )


def problem(body: dict[str, Any], status: int) -> tuple[Any, int]:
    response = jsonify(body)
    response.mimetype = PROBLEM_JSON
    return response, status


def domain_error(err: DomainError) -> Any:
    """A refusal no view turned into its own page: the message on the error page (or the
    problem details), with the error's status. Nothing was saved: the use case rolled back.
    A refused POST goes back to the page it came from with the message above it
    (:func:`app.core.prg.refused_action`)."""
    if wants_json():
        return problem(problem_details(err), err.status)
    if request.method == "POST":  # post/redirect/get: never a page Back or reload posts again
        back = prg.refused_action(err.message, err.status, err.code)
        if back is not None:
            return back
    return render_template("error.html", code=err.status, message=err.message), err.status


def unavailable(err: Unavailable) -> tuple[Any, int, dict[str, str]]:
    """Nothing was saved because the disk is full (507) or the database cannot write
    (503): say so, and when to try again (``Retry-After``). Logged where it was made
    (:func:`app.core.faults.unavailable_from`), not again here."""
    headers = {"Retry-After": str(current_app.config["SETTINGS"].unavailable_retry_seconds)}
    if wants_json():
        response, status = problem(err.problem(), err.status)
        return response, status, headers
    page = render_template("error.html", code=err.status, message=err.message)
    return page, err.status, headers


def _fault(exc: Exception) -> tuple[Any, int, dict[str, str]]:
    fault = unavailable_from(exc, f"{request.method} {request.path}")
    if fault is None:
        raise exc
    return unavailable(fault)


def _error_message(code: int, retry_after: int | None = None) -> str:
    if code == 429 and retry_after:
        return _(
            "Too many attempts from your address. Please try again in %(seconds)s seconds.",
            seconds=retry_after,
        )
    if code == 503 and retry_after:
        return _(
            "The service is busy right now. Please try again in %(seconds)s seconds. "
            "Nothing was saved.",
            seconds=retry_after,
        )
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not allowed here."),
        413: _("What you sent is larger than the limit of %(mb)s MB.", mb=_max_mb()),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(code, _("Something went wrong on our side. Nothing was saved."))


def _max_mb() -> int:
    """The limit the refused request was held to: its endpoint's own (/verify), or the
    global upload limit."""
    own = upload_limit_mb(request.endpoint) if request else None
    return int(own if own is not None else current_app.config["SETTINGS"].max_upload_mb)


def _render_error(code: int, message: str, retry_after: int | None = None) -> tuple[Any, int]:
    if wants_json():
        body = problem_body(code, _http_code(code), message)
        if retry_after:
            body["retry_after"] = retry_after
        response, status = problem(body, code)
    else:
        response = make_response(render_template("error.html", code=code, message=message))
        status = code
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response, status


def _http_code(status: int) -> str:
    """The stable code of a refusal made by HTTP itself (no feature's DomainError)."""
    return f"http_{status}"


def _csrf_error(err: CSRFError) -> tuple[Any, int]:
    return _render_error(
        400,
        _(
            "This form has expired or did not come from this site. Go back, reload the page "
            "and send it again."
        ),
    )


def _http_error(err: HTTPException) -> Any:
    code = err.code or 500
    # Busy (app.core.capacity) and RateLimited (app.web.limits) say when to come back.
    retry_after = getattr(err, "seconds", None)
    if code == 413 and request.method == "POST" and not wants_json():
        # An upload above the limit: back to the form with the message (post/redirect/get).
        back = prg.refused_action(_error_message(code), code)
        if back is not None:
            return back
    return _render_error(code, _error_message(code, retry_after), retry_after)
