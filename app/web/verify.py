"""``/verify``: anyone uploads a PDF and learns whether this platform issued it, for which
case, agreement and version, who signed and when, and whether anything changed since.

A document passes only if every signature is intact, valid and trusted, the last one
covers the entire file, and the file is one we issued (its SHA-256 is on record)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from app.access import public
from app.core import prg
from app.documents import issued as documents
from app.documents.verification import verify_pdf
from app.models.agreements import DocumentKind

bp = Blueprint("verify", __name__)

PROBLEMS = {
    "too_large": _l("The file is larger than %(mb)s MB."),  # formatted in check_file
    "not_pdf": _l("This is not a PDF file."),
    "malformed": _l("The PDF is damaged or truncated and cannot be read."),
    "unsigned": _l("The PDF carries no digital signature."),
    "signature_invalid": _l(
        "A signature does not match the document: it was changed after signing."
    ),
    "untrusted": _l("The signature was not made with a certificate this platform trusts."),
    "modified_after_signing": _l("Content was added to the document after it was signed."),
    "not_covering_whole_file": _l("Data was appended to the file after the last signature."),
    "not_issued": _l(
        "The signatures are ours, but this exact file is not one this platform issued."
    ),
}
STAGES = {
    "certified": _l("Issued for signing, no party signature yet"),
    "signed:debtor": _l("Signed by the debtor"),
    "signed:creditor": _l("Signed by the creditor"),
    "signed:mediator": _l("Signed by the mediator and sealed"),
    "issued": _l("Issued to the creditor, certified by the platform"),
}


def max_mb() -> int:
    """VERIFY_MAX_MB: the upload limit of this page (app/web/limits.py enforces it)."""
    return int(current_app.config["SETTINGS"].verify_max_mb)


def check_file(data: bytes) -> dict[str, Any]:
    """The verdict on an uploaded file, for the page (and the tests)."""
    report = verify_pdf(data, documents.trust_roots(), max_bytes=max_mb() * 1024 * 1024)
    issued = documents.lookup_issued(report.sha256) if report.accepted else None
    problem = report.problem
    if report.accepted and issued is None:
        problem = "not_issued"
    return {
        "genuine": report.accepted and issued is not None,
        "problem": _problem_text(problem) if problem else None,
        "sha256": report.sha256,
        "issued": issued,
        "stage": _stage_text(issued) if issued else None,
        "signatures": report.signatures,
    }


# A certificate is certified by the organisation alone and never signed by the parties:
# its "certified" stage is the finished document, not a copy waiting for signatures.
CERTIFICATE_KINDS = frozenset(
    {DocumentKind.FAILURE_CERTIFICATE, DocumentKind.SETTLEMENT_CERTIFICATE}
)
CERTIFICATE_STAGE = _l("Issued and certified by the mediation organisation")


def _stage_text(issued: documents.IssuedFacts) -> str:
    if issued.kind in CERTIFICATE_KINDS:
        return str(CERTIFICATE_STAGE)
    return str(STAGES.get(issued.stage, issued.stage))


def _problem_text(problem: str) -> str:
    text = str(PROBLEMS.get(problem, problem))
    return text % {"mb": max_mb()} if problem == "too_large" else text


@bp.route("/verify", methods=["GET", "POST"])
@public
def index() -> tuple[str, int] | Response:
    """The upload form; a refused upload (no file, or one above the limit: see
    :func:`app.web.errors`) comes back to it by a redirect with the message
    (:mod:`app.core.prg`). The verdict on a file is the answer to the check itself: it is
    shown at once, nothing being stored."""
    limit = max_mb()
    if request.method == "GET":
        stash = prg.take()
        return render_template(
            "verify/index.html", result=None, max_mb=limit, error=stash.error
        ), stash.status
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return prg.redirect_with(request.path, str(_l("Choose a PDF file.")), status=400)
    data = upload.stream.read(limit * 1024 * 1024 + 1)
    result = check_file(data)
    return render_template("verify/index.html", result=result, max_mb=limit), 200
