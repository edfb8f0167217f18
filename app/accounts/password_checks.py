"""Secret checks outside the sign-in form: the current password on the password change
form, and an existing account's password when its owner joins a case. Each try is
counted in the database before the password is compared (:mod:`app.core.counters`);
after the limit, tries wait for the window to end, and the owner is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from app import audit
from app.accounts.auth import (
    hash_password,
    open_session,
    org_name_of,
    revoke_all_sessions,
    verify_password,
)
from app.accounts.errors import AccountInvalid, PasswordChecksPaused
from app.audit import AuditAction
from app.core import clock
from app.core.counters import atomic_increment_in_window
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models.notifications import Channel
from app.models.users import User
from app.notifications.outbox import queue_message
from app.notifications.texts import common as messages
from app.rules.passwords import password_problem
from app.rules.throttle import ThrottlePolicy, tries_used_up, try_allowed
from app.signing.reauth import channels_of


def change_password(
    user: User,
    current: str,
    new: str,
    *,
    ip: str,
    user_agent: str,
    lifetime: timedelta,
    policy: ThrottlePolicy,
) -> str:
    """Replace the password and end every session of the account, this one included;
    the caller continues in a fresh session whose token is returned.

    The current password is a secret check like any other: each try is counted in the
    database before the password is compared, and after ``policy.max_failures`` wrong
    ones inside the window further tries are refused unseen until the window ends
    (:class:`PasswordChecksPaused`), and the owner is told. A wrong try's count is
    committed by its own use case before the refusal is raised, as in :func:`sign_in`:
    call it outside any use case."""
    problem = password_problem(new)
    if problem is not None:  # nothing secret compared yet: nothing to count
        raise AccountInvalid(problem, "new")
    outcome = _change_password(user, current, new, ip, user_agent, lifetime, policy)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@use_case
def _change_password(
    user: User,
    current: str,
    new: str,
    ip: str,
    user_agent: str,
    lifetime: timedelta,
    policy: ThrottlePolicy,
) -> str | DomainError:
    refusal = judge_password_try(
        user, current, policy, AccountInvalid("bad_current_password", "current"), ip=ip
    )
    if refusal is not None:
        return refusal
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    ended = revoke_all_sessions(user)
    token = open_session(user, ip, user_agent, lifetime)
    audit.record(
        AuditAction.ACCOUNT_PASSWORD_CHANGE,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"sessions_ended": ended},
    )
    return token


def password_check_policy() -> ThrottlePolicy:
    """Wrong passwords given to a signed-in form (or to join a case with an existing
    account) before further tries wait: the sign-in settings' account budget."""
    settings = current_app.config["SETTINGS"]
    return ThrottlePolicy(
        settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)
    )


def judge_password_try(
    user: User, password: str, policy: ThrottlePolicy, wrong: DomainError, *, ip: str = ""
) -> DomainError | None:
    """One counted try at ``user``'s password outside the sign-in form, in the caller's
    use case: counted in the database before it is compared (a window that starts with
    the first try); past ``policy.max_failures`` in the window refused unseen. The last
    wrong try pauses the checks, is audited, and the owner is told on their own phone or
    email. Returns the refusal (``wrong``, or :class:`PasswordChecksPaused`) for the
    caller to return, so its use case commits the count; right: ``None``, count reset."""
    now = clock.now()
    tries, began = atomic_increment_in_window(
        User.password_check_attempts,
        User.password_check_started_at,
        user.id,
        now=now,
        window_start=now - policy.window,
    )
    paused_until = began + policy.window
    if not try_allowed(tries, policy.max_failures):
        return PasswordChecksPaused(paused_until)
    if verify_password(user, password):
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(password_check_attempts=0, password_check_started_at=None)
        )
        return None
    if not tries_used_up(tries, policy.max_failures):
        return wrong
    audit.record(
        AuditAction.ACCOUNT_PASSWORD_CHECKS_PAUSE,
        actor=user,
        object_type="user",
        object_id=user.id,
        data={"tries": tries, "until": paused_until, "ip": ip},
    )
    _tell_owner_checks_paused(user, paused_until)
    return PasswordChecksPaused(paused_until)


def _tell_owner_checks_paused(user: User, until: datetime) -> None:
    """A message to the account's own phone or email: the person at the form may not be
    the owner (a session left open), so the form's words alone do not tell the owner."""
    channel = channels_of(user)[0]
    local = clock.local(until)
    subject, body = messages.password_checks_paused(
        org_name_of(user), f"{local:%Y-%m-%d %H:%M}", channel=channel
    )
    queue_message(
        address=(user.phone if channel == Channel.SMS else user.email) or "",
        channel=channel,
        template="password_checks_paused",
        subject=subject,
        body=body,
        recipient_user_id=user.id,
        requested_by_recipient=True,  # a security notice is due at once
    )
