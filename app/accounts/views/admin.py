"""The organisation administrator's pages: the organisation, creditors, people, audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app import audit
from app.access import Permission, can, requires, requires_object
from app.accounts import lpr
from app.accounts import organisations as org_service
from app.accounts.activity import creditor_orgs_with_users, mediation_staff
from app.accounts.home_sections import home_sections
from app.audit import audit_reason_label
from app.core import prg
from app.core.errors import DomainError
from app.core.parties import (
    ENTITY_KIND_CHOICES,
    ID_TYPE_CHOICES,
    LICENCE_CHOICES,
    SEX_CHOICES,
    entity_kind_label,
    licence_label,
    representative_label,
    role_label,
)
from app.extensions import db
from app.models.organisations import CreditorOrganisation, LicenceType, MediationOrganisation
from app.models.users import Role, User
from app.rules.party_kinds import EntityKind

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
    """A creditor of one of three kinds (:mod:`app.rules.party_kinds`): the code and the
    representative are asked of an institution or a branch, the identity of a natural
    person; which of them are required is the use case's rule (it names the field)."""

    entity_kind = SelectField(
        _l("Kind of creditor"),
        choices=[SelectChoice(k, v) for k, v in ENTITY_KIND_CHOICES],
        default="legal_person",
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    licence_type = SelectField(
        _l("Licence type"), choices=[SelectChoice(k, v) for k, v in LICENCE_CHOICES]
    )
    address = StringField(_l("Registered address"), validators=[DataRequired(), Length(max=300)])
    phone = StringField(_l("Telephone"), validators=[Optional(), Length(max=32)])
    credit_code = StringField(
        _l("Unified social credit code"), validators=[Optional(), Length(min=18, max=18)]
    )
    legal_representative = StringField(
        _l("Legal representative or person in charge"), validators=[Length(max=100)]
    )
    id_type = SelectField(
        _l("Identity document"),
        choices=[SelectChoice(k, v) for k, v in ID_TYPE_CHOICES],
        default="resident_id",
    )
    id_number = StringField(_l("Identity document number"), validators=[Length(max=32)])
    sex = SelectField(_l("Sex"), choices=[SelectChoice(k, v) for k, v in SEX_CHOICES], default="")
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    ethnicity = StringField(_l("Ethnicity (if known)"), validators=[Length(max=32)])


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
    creditor_admin = BooleanField(
        _l("Keeps the creditor organisation's papers and seal (creditor users only)")
    )


@bp.before_request
def _back_to_home() -> None:
    """A refused action goes back to the administrator's page (:mod:`app.core.prg`)."""
    g.prg_back = url_for("admin.home")


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
    stash = prg.take()  # a refused form: what was typed and the refusals, once
    if stash:
        status = stash.status
        forms = {
            "org_form": prg.refill(OrganisationForm, stash, "org_form", prefix="org"),
            "grace_form": prg.refill(GraceForm, stash, "grace_form", prefix="grace"),
            "creditor_form": prg.refill(CreditorOrgForm, stash, "creditor_form", prefix="cred"),
            "account_form": _refilled_account_form(stash),
        }
        if stash.extra.get("form") == "lpr":
            for message in stash.errors.values():
                flash(message, "error")
        lpr_values = {"effective": stash.value("effective"), "rate": stash.value("rate")}
    else:
        lpr_values = {"effective": "", "rate": ""}
    org_form = forms.get("org_form") or OrganisationForm(obj=org, prefix="org")
    staff = [
        (u, role_label(u.role), can(current_user, Permission.USER_MANAGE, u))
        for u in mediation_staff(org.id)
    ]
    creditors = [
        (
            o,
            entity_kind_label(o.entity_kind),
            representative_label(o.entity_kind),
            licence_label(o.licence_type),
            users,
        )
        for o, users in creditor_orgs_with_users()
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
        lpr_values=lpr_values,
        home_sections=home_sections(current_user._get_current_object()),
    ), status


def _refilled_account_form(stash: prg.Stash) -> AccountForm | None:
    """The new account's form again: the values typed, never the initial password."""
    if stash.extra.get("form") != "account_form":
        return None
    form = _account_form()
    form.process(formdata=stash.formdata())
    prg.show_errors(form, stash)
    return form


def _refused(form: FlaskForm, key: str, anchor: str, err: DomainError | None = None) -> Response:
    """Post/redirect/get (:mod:`app.core.prg`): the page again with the values typed, the
    refusal next to the input at fault, or above the page when no input is. Files are
    never kept: the page says to choose them again."""
    target = url_for("admin.home") + anchor
    # The unified social credit code is public (on the business licence), not a secret.
    return prg.redirect_with_form(target, form, err, key=key, keep={"cred-credit_code"})


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
        return _refused(form, "org_form", "#organisation")
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
        return _refused(form, "org_form", "#organisation", err)
    flash(_("The organisation's details were saved."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/organisation/grace", methods=["POST"])
@requires(Permission.ORGANISATION_MANAGE)
def update_grace() -> Response | tuple[str, int]:
    """The organisation's grace period before a missed instalment is a breach."""
    org = _org()
    form = GraceForm(prefix="grace")
    if not form.validate_on_submit():
        return _refused(form, "grace_form", "#grace")
    try:
        org_service.set_grace_days(current_user._get_current_object(), org, form.grace_days.data)
    except DomainError as err:
        return _refused(form, "grace_form", "#grace", err)
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
        return _refused(form, "creditor_form", "#creditors")
    kind = EntityKind(form.entity_kind.data)
    person = None
    if kind is EntityKind.NATURAL_PERSON:
        person = org_service.PersonDetails(
            id_type=form.id_type.data or "",
            id_number=form.id_number.data or "",
            sex=form.sex.data or "",
            birth_date=form.birth_date.data,
            ethnicity=form.ethnicity.data or "",
        )
    try:
        org_service.create_creditor_org(
            current_user._get_current_object(),
            form.name.data or "",
            form.credit_code.data or "",
            LicenceType(form.licence_type.data),
            address=form.address.data or "",
            legal_representative=form.legal_representative.data or "",
            entity_kind=kind,
            phone=form.phone.data or "",
            person=person,
        )
    except DomainError as err:
        return _refused(form, "creditor_form", "#creditors", err)
    flash(_("The creditor was registered."), "success")
    return redirect(url_for("admin.home"))


@bp.route("/users", methods=["POST"])
@requires(Permission.USER_MANAGE)
def create_account() -> Response | tuple[str, int]:
    form = _account_form()
    if not form.validate_on_submit():
        return _refused(form, "account_form", "#people")
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
        is_creditor_admin=bool(form.creditor_admin.data) and role == Role.CREDITOR,
    )
    try:
        org_service.create_user(current_user._get_current_object(), account)
    except DomainError as err:
        return _refused(form, "account_form", "#people", err)
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


@bp.route("/users/<int:user_id>/creditor-admin", methods=["POST"])
@requires(Permission.USER_MANAGE)
def set_creditor_admin(user_id: int) -> Response:
    """Make a creditor's user the keeper of its organisation's profile, or stop that."""
    user = db.session.get(User, user_id)
    requires_object(Permission.USER_MANAGE, user)
    assert user is not None
    on = request.form.get("on") == "1"
    try:
        org_service.set_creditor_admin(current_user._get_current_object(), user, on)
    except DomainError as err:
        flash(err.message, "error")
        return redirect(url_for("admin.home", _anchor="creditors"))
    flash(
        _("%(name)s now keeps the organisation's profile.", name=user.name)
        if on
        else _("%(name)s no longer keeps the organisation's profile.", name=user.name),
        "success",
    )
    return redirect(url_for("admin.home", _anchor="creditors"))


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
        target = url_for("admin.home") + "#lpr"
        return prg.redirect_with(target, err.message, extra={"form": "lpr"}, status=err.status)
    flash(_("The LPR fixing of %(day)s was saved.", day=effective.isoformat()), "success")
    return redirect(url_for("admin.home") + "#lpr")
