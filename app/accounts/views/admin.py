"""The organisation administrator's pages: the organisation, creditors, people, audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app import audit
from app.access import Permission, can, requires, requires_object
from app.accounts import lpr
from app.accounts import organisations as org_service
from app.accounts.activity import creditor_orgs_with_users, mediation_staff
from app.audit import audit_reason_label
from app.core.errors import DomainError
from app.core.parties import LICENCE_CHOICES, licence_label, role_label
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    registration_number = StringField(
        _l("Registration number"), validators=[DataRequired(), Length(max=64)]
    )
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    phone = StringField(_l("Telephone"), validators=[DataRequired(), Length(max=32)])
    seal = FileField(_l("Seal image (PNG, optional)"))


class GraceForm(FlaskForm):
    grace_days = StringField(_l("Grace period (days)"), validators=[Length(max=3)])


class CreditorOrgForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    credit_code = StringField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(min=18, max=18)]
    )
    licence_type = SelectField(
        _l("Licence type"), choices=[SelectChoice(k, v) for k, v in LICENCE_CHOICES]
    )
    address = StringField(_l("Registered address"), validators=[DataRequired(), Length(max=300)])
    legal_representative = StringField(
        _l("Legal representative"), validators=[DataRequired(), Length(max=100)]
    )


class AccountForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.MEDIATOR.value, _l("Mediator")),
            SelectChoice(Role.ADMIN.value, _l("Organisation administrator")),
            SelectChoice(Role.CREDITOR.value, _l("Creditor")),
        ],
    )
    creditor_org_id = SelectField(_l("Creditor organisation (creditor users only)"), coerce=int)
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=200)])


def _org() -> MediationOrganisation:
    org = db.session.get(MediationOrganisation, current_user.mediation_org_id)
    requires_object(Permission.ORGANISATION_MANAGE, org)
    assert org is not None
    return org


def _account_form() -> AccountForm:
    form = AccountForm(prefix="acct")
    orgs = db.session.scalars(db.select(CreditorOrganisation).order_by(CreditorOrganisation.name))
    form.creditor_org_id.choices = [SelectChoice(0, "—")] + [
        SelectChoice(o.id, o.name) for o in orgs
    ]
    return form


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    org = _org()
    org_form = forms.get("org_form") or OrganisationForm(obj=org, prefix="org")
    staff = [
        (u, role_label(u.role), can(current_user, Permission.USER_MANAGE, u))
        for u in mediation_staff(org.id)
    ]
    creditors = [
        (o, licence_label(o.licence_type), users) for o, users in creditor_orgs_with_users()
    ]
    return render_template(
        "admin/home.html",
        org=org,
        org_form=org_form,
        grace_form=forms.get("grace_form") or GraceForm(prefix="grace", grace_days=org.grace_days),
        creditor_form=forms.get("creditor_form") or CreditorOrgForm(prefix="cred"),
        account_form=forms.get("account_form") or _account_form(),
        staff=staff,
        creditors=creditors,
        audit_head=audit.head_hash(),
        lpr=lpr.lpr_history(),
    ), status


def _refused(form: FlaskForm, err: DomainError) -> None:
    """The refusal next to the input at fault, or above the page when no input is."""
    if err.field and err.field in form:
        form[err.field].errors = [err.message]
    else:
        flash(err.message, "error")


@bp.route("/")
@requires(Permission.ORGANISATION_MANAGE)
def home() -> tuple[str, int]:
    return _page()


@bp.route("/organisation", methods=["POST"])
@requires(Permission.ORGANISATION_MANAGE)
def update_organisation() -> Response | tuple[str, int]:
    org = _org()
    form = OrganisationForm(prefix="org")
    if not form.validate_on_submit():
        return _page(400, org_form=form)
    upload = form.seal.data
    seal = upload.read() if upload and upload.filename else None
    details = org_service.MediationOrgDetails(
        name=form.name.data or "",
        registration_number=form.registration_number.data or "",
        address=form.address.data or "",
        phone=form.phone.data or "",
    )
    try:
        org_service.update_mediation_org(current_user._get_current_object(), org, details, seal)
    except DomainError as err:
        _refused(form, err)
        return _page(err.status, org_form=form)
    flash(_("The organisation's details were saved."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/organisation/grace", methods=["POST"])
@requires(Permission.ORGANISATION_MANAGE)
def update_grace() -> Response | tuple[str, int]:
    """The organisation's grace period before a missed instalment is a breach."""
    org = _org()
    form = GraceForm(prefix="grace")
    if not form.validate_on_submit():
        return _page(400, grace_form=form)
    try:
        org_service.set_grace_days(current_user._get_current_object(), org, form.grace_days.data)
    except DomainError as err:
        _refused(form, err)
        return _page(err.status, grace_form=form)
    flash(_("The grace period was saved."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/organisation/seal.png")
@requires(Permission.ORGANISATION_MANAGE)
def seal() -> Response:
    org = _org()
    if not org.seal_image:
        abort(404)
    return Response(org.seal_image, mimetype="image/png")


@bp.route("/creditors", methods=["POST"])
@requires(Permission.CREDITOR_ORG_MANAGE)
def create_creditor() -> Response | tuple[str, int]:
    form = CreditorOrgForm(prefix="cred")
    if not form.validate_on_submit():
        return _page(400, creditor_form=form)
    try:
        org_service.create_creditor_org(
            current_user._get_current_object(),
            form.name.data or "",
            form.credit_code.data or "",
            LicenceType(form.licence_type.data),
            address=form.address.data or "",
            legal_representative=form.legal_representative.data or "",
        )
    except DomainError as err:
        _refused(form, err)
        return _page(err.status, creditor_form=form)
    flash(_("The creditor organisation was registered."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/users", methods=["POST"])
@requires(Permission.USER_MANAGE)
def create_account() -> Response | tuple[str, int]:
    form = _account_form()
    if not form.validate_on_submit():
        return _page(400, account_form=form)
    role = Role(form.role.data)
    creditor_org_id = form.creditor_org_id.data or None
    account = org_service.NewAccount(
        role=role,
        name=form.name.data or "",
        email=form.email.data or None,
        phone=form.phone.data or None,
        password=form.password.data or "",
        mediation_org_id=None if role == Role.CREDITOR else current_user.mediation_org_id,
        creditor_org_id=creditor_org_id if role == Role.CREDITOR else None,
    )
    try:
        org_service.create_user(current_user._get_current_object(), account)
    except DomainError as err:
        _refused(form, err)
        return _page(err.status, account_form=form)
    flash(_("The account was opened."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/users/<int:user_id>/lock", methods=["POST"])
@requires(Permission.USER_MANAGE)
def lock_account(user_id: int) -> Response:
    return _set_locked(user_id, True)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@requires(Permission.USER_MANAGE)
def unlock_account(user_id: int) -> Response:
    return _set_locked(user_id, False)


def _set_locked(user_id: int, locked: bool) -> Response:
    user = db.session.get(User, user_id)
    requires_object(Permission.USER_MANAGE, user)
    assert user is not None
    org_service.set_user_locked(current_user._get_current_object(), user, locked)
    flash(_("The account was locked.") if locked else _("The account was unlocked."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/audit/verify", methods=["POST"])
@requires(Permission.AUDIT_VIEW)
def verify_audit() -> Response:
    report = audit.verify_chain()
    if report.intact:
        flash(
            _(
                "Audit log intact: %(n)s events, head %(head)s.",
                n=report.events,
                head=report.head_hash,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Audit log broken at event %(id)s: %(reason)s.",
                id=report.broken_id,
                reason=audit_reason_label(report.reason),
            ),
            "error",
        )
    return redirect(url_for("admin.home"))


@bp.route("/lpr", methods=["POST"])
@requires(Permission.LPR_MANAGE)
def set_lpr() -> Response:
    """Add or correct a one-year LPR fixing (the history is data: :mod:`app.accounts.lpr`)."""
    try:
        effective, rate = lpr.read_fixing(
            request.form.get("effective", ""), request.form.get("rate", "")
        )
        lpr.set_lpr(current_user._get_current_object(), effective, rate)
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(_("The LPR fixing of %(day)s was saved.", day=effective.isoformat()), "success")
    return redirect(url_for("admin.home") + "#lpr")
