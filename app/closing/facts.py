"""What happened on a case, as the rules of :mod:`app.rules.mediation_failure` read it, and
the refusals of those rules in words."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit import AuditAction
from app.calendar.overrides import legal_calendar
from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.audit import AuditEvent
from app.models.cases import Case
from app.models.invitations import Invitation
from app.models.users import Role, User
from app.rules.mediation_failure import (
    FailureGround,
    MediationFacts,
    MediationFailureRefused,
    mediation_deadline,
    response_deadline,
)

MediationFailureRefused.messages.update(
    {
        "agreement_in_force": _l("An agreement has taken effect: the mediation succeeded."),
        "not_declined": _l("The debtor has not declined mediation."),
        "not_invited": _l("The debtor has not been invited."),
        "debtor_answered": _l("The debtor has answered the invitation."),
        "response_period_running": _l("The debtor's time to answer the invitation has not ended."),
        "not_ended": _l("No party has asked to end the mediation."),
        "mediation_not_started": _l("The mediation has not started: the debtor has not joined."),
        "mediation_period_running": _l("The mediation period has not ended."),
        "mediation_period_over": _l(
            "The mediation period has already ended: it can no longer be extended."
        ),
        "extension_not_later": _l("Choose a day after the current end of the mediation period."),
        "extension_too_long": _l(
            "An extension may reach at most 90 days past the current end of the period."
        ),
        "no_extension_proposed": _l("No extension is waiting for an answer."),
        "own_extension": _l("The other party answers your proposal, not you."),
    }
)


def side_of(user: User) -> str:
    """Which side of the case a user acts for: creditor, debtor or mediator."""
    return {Role.CREDITOR: "creditor", Role.DEBTOR: "debtor"}.get(user.role, "mediator")


def _day(value: datetime | None) -> date | None:
    return clock.day_of(value) if value is not None else None


def _first_event_day(case: Case, action: AuditAction, *, latest: bool = False) -> date | None:
    pick = func.max if latest else func.min
    return _day(
        db.session.scalar(
            select(pick(AuditEvent.occurred_at)).where(
                AuditEvent.case_id == case.id, AuditEvent.action == action
            )
        )
    )


def invited_on(case: Case, *, first: bool = False) -> date | None:
    """The day of the latest invitation (a new link restarts the response period), or of
    the first one (when mediation began, for the certificate)."""
    pick = func.min if first else func.max
    return _day(
        db.session.scalar(select(pick(Invitation.created_at)).where(Invitation.case_id == case.id))
    )


def mediation_started_on(case: Case) -> date | None:
    """The day the mediation period starts: the mediator's acceptance, or, after the court
    refused to confirm an agreement, the day mediation was reopened."""
    reopened = _first_event_day(case, AuditAction.CASE_CONFIRMATION_REMEDIATE, latest=True)
    accepted = _day(case.accepted_at)
    days = [d for d in (accepted, reopened) if d is not None]
    return max(days) if days else None


def debtor_joined_on(case: Case) -> date | None:
    """When the debtor joined (the join event; for a case without one but with its debtor
    on it, the acceptance)."""
    joined = _first_event_day(case, AuditAction.CASE_DEBTOR_JOIN)
    if joined is None and case.debtor_user_id is not None:
        return _day(case.accepted_at) or _day(case.submitted_at)
    return joined


def agreement_in_force(case: Case) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Agreement.id)).where(
                Agreement.case_id == case.id, Agreement.status == AgreementStatus.IN_FORCE
            )
        )
    )


def mediation_facts(case: Case, ground: FailureGround, on: date) -> MediationFacts:
    """The case's facts for closing it on ``ground`` on ``on``: a refusal or a request to
    end the mediation counts as made that day."""
    return MediationFacts(
        invited_on=invited_on(case),
        debtor_joined_on=debtor_joined_on(case),
        debtor_declined_on=on if ground is FailureGround.DEBTOR_DECLINED else None,
        party_ended_on=on if ground is FailureGround.PARTY_ENDED else None,
        accepted_on=mediation_started_on(case),
        extended_until=case.mediation_extended_until,
        agreement_in_force=agreement_in_force(case),
    )


def response_days() -> int:
    """The organisation's response period for the invitation (``INVITATION_DAYS``)."""
    return int(current_app.config["SETTINGS"].invitation_days)


def mediation_end(case: Case) -> date | None:
    """The last day of the mediation period, the agreed extension included (CPL Art. 85
    counting), or None before the mediation started."""
    started = mediation_started_on(case)
    if started is None:
        return None
    return mediation_deadline(
        started, legal_calendar(), extended_until=case.mediation_extended_until
    )


def response_end(case: Case) -> date | None:
    """The last day for the debtor to answer the latest invitation."""
    invited = invited_on(case)
    if invited is None:
        return None
    return response_deadline(invited, legal_calendar(), days=response_days()).end
