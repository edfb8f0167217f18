"""Five tries mean five, however many guesses arrive together.

Each counter (a signing code's tries, an invitation's ID-number answers, its code's
tries, a sign-in code's tries, the current-password check of a password change) is moved
by the database before the guess is compared
(:func:`app.core.counters.atomic_increment`), so twenty simultaneous wrong guesses are
counted one by one: at most five are judged, the counter reaches twenty, and the right
answer afterwards is refused. Before, each guess read the count, added one in Python and
wrote it back: the counter ended at 1–3 and the right value still worked.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts import auth as auth_service
from app.accounts import password_checks
from app.accounts.errors import AuthError, PasswordChecksPaused, SecondFactorRequired
from app.cases import invitations
from app.core.errors import DomainError
from app.core.transaction import use_case
from app.extensions import db
from app.models import Case, Invitation, OneTimeCode
from app.models.auth import UserSession
from app.models.notifications import Channel
from app.models.users import Role, User
from app.rules.throttle import ThrottlePolicy
from app.signing import reauth
from app.signing.reauth import ReauthError
from tests.factories import PASSWORD, make_case, make_user
from tests.integration.secrets.race_support import GUESSES, latest_code, race, wrong_guess

pytestmark = pytest.mark.commits

PURPOSE = "sign:agreement:1"


@use_case
def _sign_try(user_id: int, code: str) -> str:
    """What a signing use case does with a try (app.agreements.signing._sign): the try is
    counted, and the refusal returned so the count commits."""
    user = db.session.get(User, user_id)
    assert user is not None
    refused = reauth.attempt(user, PURPOSE, code, password_ok=True)
    return "accepted" if refused is None else f"refused:{refused.code}"


def test_twenty_simultaneous_wrong_signing_codes_use_up_the_code(app: Flask) -> None:
    debtor = make_user(Role.DEBTOR)
    case = make_case(debtor_user_id=debtor.id)

    @use_case
    def send() -> None:
        reauth.send_code(debtor, case, PURPOSE, Channel.EMAIL)

    send()
    right = latest_code("signing_code")
    debtor_id = debtor.id  # the threads never touch this session's objects
    results = race(app, lambda i: _sign_try(debtor_id, wrong_guess(right, i)))
    assert all(r.startswith("refused:") for r in results), results
    assert results.count("refused:code_wrong") <= reauth.MAX_TRIES - 1
    db.session.expire_all()
    otp = db.session.scalars(select(OneTimeCode).where(OneTimeCode.purpose == PURPOSE)).one()
    assert otp.attempts == GUESSES
    assert _sign_try(debtor.id, right) == "refused:code_locked"
    assert otp.consumed_at is None  # never used: the code is dead, not spent


def _invitation() -> tuple[int, str]:
    case = make_case()
    token = invitations.create_invitation(case)
    return case.id, token


def _guess_suffix(token: str, suffix: str) -> str:
    invitation = invitations.open_invitation(token)
    invitations.check_id_suffix(invitation, suffix, Channel.SMS)
    return "accepted"


def test_twenty_simultaneous_wrong_id_numbers_revoke_the_link(app: Flask) -> None:
    case_id, token = _invitation()
    results = race(app, lambda i: _guess_suffix(token, f"{i:05d}9"))
    assert all(r.startswith(("InvitationError:id_mismatch", "LinkRefused:")) for r in results)
    assert results.count("InvitationError:id_mismatch") <= invitations.MAX_TRIES - 1
    db.session.expire_all()
    invitation = db.session.scalars(select(Invitation).where(Invitation.case_id == case_id)).one()
    # Every guess that found the link open was counted (a late one may find it revoked).
    assert invitations.MAX_TRIES <= invitation.id_attempts <= GUESSES
    assert invitation.revoked_at is not None
    with pytest.raises(DomainError) as refused:
        _guess_suffix(token, "31002X")  # the right answer
    assert refused.value.code == "revoked"
    assert db.session.scalars(select(OneTimeCode)).all() == []  # no code was ever sent


def _guess_code(token_id: int, code: str) -> str:
    invitation = db.session.get(Invitation, token_id)
    assert invitation is not None
    invitations.verify_code(invitation, code)
    return "accepted"


def test_twenty_simultaneous_wrong_invitation_codes_lock_the_code(app: Flask) -> None:
    case_id, token = _invitation()
    assert _guess_suffix(token, "31002X") == "accepted"
    right = latest_code("one_time_code")
    invitation_id = db.session.scalars(
        select(Invitation.id).where(Invitation.case_id == case_id)
    ).one()
    results = race(app, lambda i: _guess_code(invitation_id, wrong_guess(right, i)))
    assert all(r.startswith("InvitationError:code_") for r in results), results
    assert results.count("InvitationError:code_wrong") <= invitations.MAX_TRIES - 1
    db.session.expire_all()
    assert db.session.scalars(select(OneTimeCode)).one().attempts == GUESSES
    with pytest.raises(DomainError) as refused:
        _guess_code(invitation_id, right)
    assert refused.value.code == "code_locked"
    invitation = db.session.get(Invitation, invitation_id)
    assert invitation is not None and invitation.identity_confirmed_at is None
    assert db.session.get(Case, case_id) is not None


LIMITS = auth_service.SessionLimits(
    policy=ThrottlePolicy(max_failures=5), lifetime=timedelta(hours=1)
)


def _sign_in(user_id: int, ip: str, password: str, code: str) -> str:
    user = db.session.get(User, user_id)
    assert user is not None and user.email
    auth_service.sign_in(user.email, password, ip=ip, user_agent="race", limits=LIMITS, code=code)
    return "signed in"


def test_twenty_simultaneous_wrong_sign_in_codes_use_up_the_code(app: Flask) -> None:
    user = make_user()
    for n in range(5):  # an account under attack: it asks for a second factor
        with pytest.raises(AuthError):
            _sign_in(user.id, f"192.0.2.{n}", "wrong", "")
    with pytest.raises(SecondFactorRequired):
        _sign_in(user.id, "198.51.100.7", PASSWORD, "")
    right = latest_code("sign_in_code")
    user_id = user.id  # the threads never touch this session's objects
    results = race(
        app, lambda i: _sign_in(user_id, f"198.51.100.{i}", PASSWORD, wrong_guess(right, i))
    )
    assert all(r.startswith("ReauthError:code_") for r in results), results
    assert results.count("ReauthError:code_wrong") <= reauth.MAX_TRIES - 1
    db.session.expire_all()
    otp = db.session.scalars(select(OneTimeCode).where(OneTimeCode.purpose == "sign_in")).one()
    assert otp.attempts == GUESSES
    with pytest.raises(ReauthError) as refused:
        _sign_in(user.id, "198.51.100.7", PASSWORD, right)
    assert refused.value.code == "code_locked"
    assert db.session.scalars(select(UserSession)).all() == []


def _change(user_id: int, current: str) -> str:
    user = db.session.get(User, user_id)
    assert user is not None
    password_checks.change_password(
        user,
        current,
        "an entirely new secret",
        ip="198.51.100.7",
        user_agent="race",
        lifetime=timedelta(hours=1),
        policy=ThrottlePolicy(max_failures=5),
    )
    return "changed"


def test_twenty_simultaneous_wrong_current_passwords_pause_the_changes(app: Flask) -> None:
    user_id = make_user().id  # the threads never touch this session's objects
    results = race(app, lambda i: _change(user_id, f"wrong guess {i}"))
    judged = results.count("AccountInvalid:bad_current_password")
    assert judged <= 4 and results.count("PasswordChecksPaused:password_checks_paused") >= 16
    db.session.expire_all()
    assert db.session.get(User, user_id).password_check_attempts == GUESSES
    with pytest.raises(PasswordChecksPaused):
        _change(user_id, PASSWORD)  # the right one, refused unseen
    db.session.expire_all()
    assert auth_service.verify_password(db.session.get(User, user_id), PASSWORD)
