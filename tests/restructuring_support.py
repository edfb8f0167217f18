"""A case in performance with part of it paid, a restructuring request on it, and the
supplementary agreement drafted and signed through the real services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.cases.lifecycle import today
from app.extensions import db
from app.models.restructuring import SupplementaryAgreement
from app.models.users import User
from app.repayments.payments import record_payment
from app.restructuring import drafting, requests, signing
from app.rules.schedules import Frequency, Schedule, instalment_plan
from tests.agreement_support import last_code, signature
from tests.repayment_support import entry, performing_case

PAID = Decimal("1500.00")  # instalment 1 (1,000.00) and half of instalment 2
REMAINING = Decimal("22500.00")


def new_schedule(total: Decimal = REMAINING, count: int = 30, days: int = 40) -> Schedule:
    return instalment_plan(
        total, count=count, frequency=Frequency.MONTHLY, first_due=today() + timedelta(days=days)
    )


def partly_paid_case(who: dict[str, User] | None = None):
    """(people, case, agreement): 24,000.00 in 24 instalments, 1,500.00 paid today."""
    who, case, agreement = performing_case(who)
    record_payment(who["creditor"], case, entry(str(PAID), "TX-1"))
    return who, case, agreement


def accepted_request(who: dict[str, User], case, count: int = 30):
    request = requests.file_request(
        who["debtor"], case, "失业，收入减少一半", new_schedule(count=count)
    )
    requests.accept_offer(who["creditor"], case)
    db.session.refresh(request)
    return request


def sign_supplement(case, supplement: SupplementaryAgreement, user: User, **over: Any):
    signing.send_signing_code(user, case, supplement, None)
    given = signature(supplement, last_code(user), **over)  # type: ignore[arg-type]
    done = signing.sign_supplementary(user, case, supplement, given)
    db.session.refresh(supplement)
    return done


def supplement_in_force(who: dict[str, User], case, count: int = 30) -> SupplementaryAgreement:
    accepted_request(who, case, count=count)
    supplement = drafting.draft_supplementary(who["mediator"], case)
    db.session.refresh(supplement)
    for role in ("debtor", "creditor", "mediator"):
        sign_supplement(case, supplement, who[role], typed_name=who[role].name)
    return supplement
