"""The three kinds of outbound message, and when each may reach a debtor.

- **Requested**: a code or link the person has just asked for (a one-time code, the
  second factor of a sign-in, the account's own security notice). Sent at once, at any
  hour: delaying it would break what the person is doing. Still a logged contact.
- **Case notice**: something happened on the person's own case (an answer, a
  counter-offer, a thread message, ready to sign, in force, a payment confirmed, a
  breach). Quiet hours apply; the daily cap does not, because the person is a party
  waiting for the news. Several due at the same moment may go as one digest.
- **Outreach**: anything the creditor or the mediator starts (the invitation, payment
  and deadline reminders). Quiet hours and the daily cap of contacts apply, and only
  outreach counts against the cap.

The quiet hours and the cap are those of :mod:`app.rules.contact_rules`; the in-app
notification centre is not a contact and is never held.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from app.rules.contact_rules import (
    DEFAULT_POLICY,
    ContactPolicy,
    earliest_delivery,
    leave_quiet_hours,
)


class MessageKind(StrEnum):
    REQUESTED = "requested"
    CASE_NOTICE = "notice"
    OUTREACH = "outreach"


K = MessageKind
# Every template the application sends, by kind. A template missing here is treated as
# outreach (the strictest kind) by :func:`kind_of`; the unit tests list them all.
TEMPLATE_KINDS: dict[str, MessageKind] = {
    # codes and security notices the person's own action triggered
    "one_time_code": K.REQUESTED,
    "signing_code": K.REQUESTED,
    "sign_in_code": K.REQUESTED,
    "password_checks_paused": K.REQUESTED,
    # started by the creditor or the mediator, or by the calendar
    "invitation": K.OUTREACH,
    "reminder_before": K.OUTREACH,
    "reminder_due": K.OUTREACH,
    "reminder_missed": K.OUTREACH,
    "confirmation_day20": K.OUTREACH,
    "confirmation_day27": K.OUTREACH,
    "enforcement_reminder": K.OUTREACH,  # to the creditor's staff only
    # a mediation session the mediator arranges, or moves (app.sessions)
    "session_invitation": K.OUTREACH,
    "session_rescheduled": K.OUTREACH,
    # something happened on the person's own case
    "thread_message": K.CASE_NOTICE,
    "objection_raised": K.CASE_NOTICE,
    "objection_answered": K.CASE_NOTICE,
    "proposal_new": K.CASE_NOTICE,
    "proposal_counter": K.CASE_NOTICE,
    "proposal_accepted": K.CASE_NOTICE,
    "proposal_settled": K.CASE_NOTICE,
    "proposal_rejected": K.CASE_NOTICE,
    "proposal_withdrawn": K.CASE_NOTICE,
    "agreement_ready": K.CASE_NOTICE,
    "agreement_revised": K.CASE_NOTICE,
    "agreement_in_force": K.CASE_NOTICE,
    "package_released": K.CASE_NOTICE,
    "package_ready": K.CASE_NOTICE,
    "application_filed": K.CASE_NOTICE,
    "ruling_confirmed": K.CASE_NOTICE,
    "ruling_rejected": K.CASE_NOTICE,
    "remediation_started": K.CASE_NOTICE,
    "payment_recorded": K.CASE_NOTICE,
    "payment_reported": K.CASE_NOTICE,
    "payment_confirmed": K.CASE_NOTICE,
    "payment_disputed": K.CASE_NOTICE,
    "payment_resolved_received": K.CASE_NOTICE,
    "payment_resolved_not_received": K.CASE_NOTICE,
    "case_performed": K.CASE_NOTICE,
    "case_breach": K.CASE_NOTICE,
    "case_breach_unpaid": K.CASE_NOTICE,
    "mediation_ended_no_response": K.CASE_NOTICE,
    "mediation_ended_period_expired": K.CASE_NOTICE,
    "mediation_ended_party_ended": K.CASE_NOTICE,
    "mediation_ended_no_agreement": K.CASE_NOTICE,
    "extension_proposed": K.CASE_NOTICE,
    "extension_accepted": K.CASE_NOTICE,
    "extension_declined": K.CASE_NOTICE,
    "restructuring_requested": K.CASE_NOTICE,
    "restructuring_countered": K.CASE_NOTICE,
    "restructuring_accepted": K.CASE_NOTICE,
    "restructuring_declined": K.CASE_NOTICE,
    "supplementary_ready": K.CASE_NOTICE,
    "supplementary_in_force": K.CASE_NOTICE,
    # in-app only: a complaint filed (to the organisation's admins) and its answer
    "complaint_filed": K.CASE_NOTICE,
    "complaint_answered": K.CASE_NOTICE,
    # a session's mediation record to confirm, and confirmed (in-app notices only)
    "record_to_confirm": K.CASE_NOTICE,
    "record_confirmed": K.CASE_NOTICE,
    # a session of the person's own case: called off, coming up, a party's answer
    "session_cancelled": K.CASE_NOTICE,
    "session_reminder_day": K.CASE_NOTICE,
    "session_reminder_hour": K.CASE_NOTICE,
    "session_response": K.CASE_NOTICE,
    "case_digest": K.CASE_NOTICE,  # several held notices in one (app.notifications.digest)
}


def kind_of(template: str) -> MessageKind:
    """The kind of a template; an unknown one is outreach, so it is never sent in quiet
    hours nor beyond the cap by mistake."""
    return TEMPLATE_KINDS.get(template, MessageKind.OUTREACH)


def planned_delivery(
    kind: MessageKind,
    wanted: datetime,
    outreach_today: Sequence[datetime],
    policy: ContactPolicy = DEFAULT_POLICY,
) -> datetime:
    """When one more message of ``kind`` to a debtor may go out (UTC), given the delivery
    times of that debtor's outreach contacts already sent or planned.

    Requested: ``wanted`` itself. Case notice: the first moment outside quiet hours.
    Outreach: the first moment outside quiet hours on a day with fewer than
    ``policy.daily_limit`` outreach contacts (:func:`earliest_delivery`).
    """
    if kind is MessageKind.REQUESTED:
        return wanted.astimezone(UTC)
    if kind is MessageKind.CASE_NOTICE:
        return leave_quiet_hours(wanted, policy)
    return earliest_delivery(wanted, outreach_today, policy)


def counts_against_cap(kind: MessageKind) -> bool:
    """Only outreach fills the daily cap of contacts."""
    return kind is MessageKind.OUTREACH


def held_back(kind: MessageKind) -> bool:
    """Whether the contact rules may hold a message of this kind (everything but a
    requested code)."""
    return kind is not MessageKind.REQUESTED
