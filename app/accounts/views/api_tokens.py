"""The creditor organisation's API tokens page (``/creditor/api-tokens``), kept by its
administrator: create a named token with its scopes (the secret is shown once, on the
page the creation redirects to), and revoke one. Anyone else, a colleague included: 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.access import Permission, requires, requires_object
from app.accounts import api_tokens as tokens
from app.core import prg
from app.core.errors import DomainError
from app.extensions import db
from app.models.api_tokens import ApiToken
from app.models.organisations import CreditorOrganisation
from app.models.users import User

bp = Blueprint("api_tokens", __name__, url_prefix="/creditor/api-tokens")

# The new secret, kept in the session for the one page that shows it (then removed).
_NEW_SECRET = "api_token_secret"  # noqa: S105 (a session key)


def _user() -> User:
    return current_user._get_current_object()


def _org() -> CreditorOrganisation:
    """The signed-in administrator's own organisation; anyone else: 404."""
    org = db.session.get(CreditorOrganisation, _user().creditor_org_id or 0)
    requires_object(Permission.API_TOKEN_MANAGE, org)
    assert org is not None
    return org


@bp.route("/")
@requires(Permission.API_TOKEN_MANAGE)
def index() -> tuple[str, int]:
    org = _org()
    stash = prg.take()
    shown = session.pop(_NEW_SECRET, None)
    return render_template(
        "account/api_tokens.html",
        org=org,
        tokens=tokens.tokens_of(org),
        scopes=[(name, str(label)) for name, label in tokens.SCOPES.items()],
        stash=stash,
        new_secret=shown if isinstance(shown, dict) else None,
    ), 200


@bp.route("/new", methods=["POST"])
@requires(Permission.API_TOKEN_MANAGE)
def create() -> Response:
    org = _org()
    try:
        token, secret = tokens.create_token(
            _user(), org, request.form.get("name", ""), request.form.getlist("scopes")
        )
    except DomainError as err:
        return prg.redirect_with(
            url_for("api_tokens.index"),
            {err.field or "": err.message},
            form=request.form,
            status=err.status,
        )
    session[_NEW_SECRET] = {"id": token.id, "secret": secret}
    return redirect(url_for("api_tokens.index"), code=303)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@requires(Permission.API_TOKEN_MANAGE)
def revoke(token_id: int) -> Response:
    org = _org()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.creditor_org_id != org.id:
        abort(404)
    try:
        tokens.revoke_token(_user(), token)
    except DomainError as err:
        return prg.refused_to(url_for("api_tokens.index"), err.message, err.status, code=err.code)
    flash(_("The token %(name)s is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"), code=303)
