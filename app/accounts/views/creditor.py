"""The creditor organisation's profile, kept by its administrator: the identity and
qualification papers every court package attaches (法释〔2011〕5号 Art. 3) and the seal
applied with the agent's signature (:mod:`app.accounts.creditor_profile`). A refused
upload goes back to the page (post/redirect/get) with the message at its field; nothing
is stored."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.accounts import creditor_profile as profile
from app.core import prg
from app.core.errors import COMMON_MESSAGES, DomainError
from app.core.storage import max_upload_bytes, send_blob
from app.extensions import db
from app.models.organisations import CreditorOrganisation, CreditorPaper, CreditorPaperKind
from app.models.users import User

bp = Blueprint("creditor_profile", __name__, url_prefix="/creditor/profile")

PAPER_LABELS = {
    CreditorPaperKind.BUSINESS_LICENCE: _l("Business licence"),
    CreditorPaperKind.FINANCIAL_LICENCE: _l(
        "Financial licence (or licence to operate financial business)"
    ),
    CreditorPaperKind.LENDER_ID_FRONT: _l("ID card, front (the side with the photo)"),
    CreditorPaperKind.LENDER_ID_BACK: _l("ID card, back (the side with the national emblem)"),
}


def _user() -> User:
    return current_user._get_current_object()


def _org() -> CreditorOrganisation:
    """The signed-in administrator's own organisation; anyone else: 404."""
    org = db.session.get(CreditorOrganisation, _user().creditor_org_id or 0)
    requires_object(Permission.CREDITOR_PROFILE_MANAGE, org)
    assert org is not None
    return org


def _back(errors: dict[str, str], form: str, status: int = 400) -> Response:
    return prg.redirect_with(
        url_for("creditor_profile.show") + f"#{form}",
        errors,
        form=request.form,
        extra={"form": form},
        status=status,
    )


@bp.route("/")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def show() -> tuple[str, int]:
    org = _org()
    stash = prg.take()
    papers = profile.current_papers(org)
    kinds = profile.paper_kinds_for(org)
    return render_template(
        "account/creditor_profile.html",
        org=org,
        natural_person=profile.is_natural_person(org),
        kinds=[(k.value, str(PAPER_LABELS[k])) for k in kinds],
        papers=[(str(PAPER_LABELS[k]), papers.get(k)) for k in kinds],
        has_seal=org.seal_png is not None,
        stash=stash,
        max_mb=max_upload_bytes() // (1024 * 1024),
    ), 200


@bp.route("/papers", methods=["POST"])
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def upload_paper() -> Response:
    """One licence or ID copy, with its expiry date when it has one."""
    org = _org()
    upload = request.files.get("file")
    raw_kind = request.form.get("kind", "")
    raw_expiry = request.form.get("expires_on", "").strip()
    errors: dict[str, str] = {}
    if raw_kind not in {k.value for k in profile.paper_kinds_for(org)}:
        errors["kind"] = str(COMMON_MESSAGES["choice"])
    expires_on = None
    if raw_expiry:
        try:
            expires_on = date.fromisoformat(raw_expiry)
        except ValueError:
            errors["expires_on"] = str(COMMON_MESSAGES["date_format"])
    if upload is None or not upload.filename:
        errors["file"] = str(COMMON_MESSAGES["required"])
    if errors:
        return _back(errors, "papers")
    assert upload is not None
    try:
        profile.add_creditor_paper(
            _user(),
            org,
            CreditorPaperKind(raw_kind),
            upload.stream,
            upload.filename or "",
            expires_on,
        )
    except DomainError as err:
        return _back({err.field or "file": err.message}, "papers", err.status)
    flash(_("The file was added to your organisation's papers."), "success")
    return redirect(url_for("creditor_profile.show") + "#papers")


@bp.route("/seal", methods=["POST"])
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def upload_seal() -> Response:
    """The seal image: a PNG with transparency, under 2 MB."""
    org = _org()
    upload = request.files.get("seal")
    if upload is None or not upload.filename:
        return _back({"seal": str(COMMON_MESSAGES["required"])}, "seal")
    data = upload.stream.read(profile.MAX_SEAL_BYTES + 1)
    try:
        profile.set_creditor_seal(_user(), org, data)
    except DomainError as err:
        if profile.is_natural_person(org):  # no seal form on the page: say it above it
            return prg.refused_to(url_for("creditor_profile.show"), err.message, err.status)
        return _back({"seal": err.message}, "seal", err.status)
    flash(_("The seal was saved. It is applied when your agent signs."), "success")
    return redirect(url_for("creditor_profile.show") + "#seal")


@bp.route("/seal.png")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def seal() -> Response:
    """The stored seal, for the preview."""
    org = _org()
    if org.seal_png is None:
        abort(404)
    return Response(org.seal_png, mimetype="image/png")


@bp.route("/papers/<int:paper_id>")
@requires(Permission.CREDITOR_PROFILE_MANAGE)
def paper(paper_id: int) -> Response:
    """One of the organisation's papers, as stored."""
    org = _org()
    row = db.session.get(CreditorPaper, paper_id)
    if row is None or row.creditor_org_id != org.id:
        abort(404)
    return send_blob(
        row.sha256,
        mimetype=row.media_type,
        download_name=row.original_name.rsplit("/", 1)[-1] or "paper",
    )
