"""What writing and signing a mediation record share: the refusals in words, the queries,
whose signature block a user fills, and who may see a record."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.errors import InvalidInput, Refused
from app.extensions import db
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord, RecordStatus
from app.models.users import Role, User
from app.rules.minutes import MAX_PARTICIPANTS, MAX_PLACE, MAX_TEXT

OBJECT_TYPE = "mediation_record"
ROLE_ZH = {"debtor": "债务人", "creditor": "债权人", "mediator": "调解员"}


class RecordRefused(Refused):
    """The record or the case does not allow this now."""

    messages = {
        "not_a_session": _l(
            "A mediation record is written for a held call, video session or meeting only."
        ),
        "record_exists": _l("This session already has its mediation record."),
        "confirmed": _l("The record is confirmed by every signature: it can no longer change."),
        "not_submittable": _l("This record is not waiting to be sent for confirmation."),
        "not_signable": _l("This record is not open for signing."),
        "superseded": _l("The record was changed since. Read the new version before signing."),
        "not_a_signer": _l("You do not sign this record."),
        "already_signed": _l("You have already signed this version of the record."),
        "parties_first": _l("The mediator signs after both parties."),
        "document_changed": _l(
            "The document changed since you opened it. Review it again before signing."
        ),
    }


class RecordInvalid(InvalidInput):
    """A value of the record's form that cannot be taken; ``field`` names it."""

    status = 422
    messages = {
        "time_format": _l("Enter the time as date and hour, e.g. 2026-12-04 10:00."),
        "time_order": _l("The session ends after it starts."),
        "too_long_session": _l("A session of more than 12 hours cannot be right: check the times."),
        "future": _l("A record is written after the session: the end cannot be in the future."),
        "place_required": _l("Say where, or by what means, the session was held."),
        "too_long": _l("This is too long (at most %(n)s characters).", n=MAX_TEXT),
        "place_too_long": _l("At most %(n)s characters.", n=MAX_PLACE),
        "participants": _l(
            "Name at least two and at most %(n)s participants, each with their role.",
            n=MAX_PARTICIPANTS,
        ),
        "statement_required": _l("Write what this side said (or that it was absent)."),
    }


def records_of(case: Case) -> list[MediationRecord]:
    return list(
        db.session.scalars(
            select(MediationRecord)
            .where(MediationRecord.case_id == case.id)
            .order_by(MediationRecord.started_at, MediationRecord.id)
        )
    )


def confirmed_records(case: Case) -> list[MediationRecord]:
    """The confirmed records of the case, in the order the sessions were held."""
    return [r for r in records_of(case) if r.status == RecordStatus.CONFIRMED]


def record_of(case: Case, record_id: int) -> MediationRecord | None:
    record = db.session.get(MediationRecord, record_id)
    return record if record is not None and record.case_id == case.id else None


def record_for_contact(contact: ContactRecord) -> MediationRecord | None:
    return db.session.scalar(
        select(MediationRecord).where(MediationRecord.contact_record_id == contact.id)
    )


def role_on(user: User, case: Case) -> str | None:
    """Whose signature block is this user's: the debtor, the creditor (any of its staff,
    signing for the organisation) or the case's mediator."""
    if user.role == Role.DEBTOR and case.debtor_user_id == user.id:
        return "debtor"
    if user.role == Role.CREDITOR and user.creditor_org_id == case.creditor_org_id:
        return "creditor"
    if user.role == Role.MEDIATOR and case.mediator_id == user.id:
        return "mediator"
    return None


def may_read(user: User, case: Case, record: MediationRecord) -> bool:
    """The mediator reads the record from the first draft; the parties once it is sent
    to them for confirmation (a draft is the mediator's working paper)."""
    role = role_on(user, case)
    if role == "mediator":
        return True
    return role is not None and record.status in (RecordStatus.AWAITING, RecordStatus.CONFIRMED)


def signed_roles(record: MediationRecord) -> set[str]:
    return {s.role for s in record.signatures if s.version == record.version}
