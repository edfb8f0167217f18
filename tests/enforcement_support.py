"""A case after a breach: the agreement in force (or confirmed by the court), 1,500 yuan
paid on the first day, and the clock moved to 15 March 2027, when instalments 1–3 are past
due and instalment 2 has been unpaid beyond its grace period."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.core import clock
from app.extensions import db
from app.models.confirmation import PackageStatus, Ruling
from app.repayments.payments import record_payment
from app.rules.cases import CaseState
from tests.confirmation_support import released_package
from tests.repayment_support import entry, performing_case

RULING_NUMBER = "(2026)京0105民特123号"
COURT = "北京市朝阳区人民法院"
LATER = datetime(2027, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def breached_case(
    frozen_clock: Any, *, who: Any = None, confirmed: bool = True, breach: bool = True
):
    """(people, case, agreement). ``confirmed``: the court's confirming ruling is recorded
    (filed and confirmed the day after release); ``breach``: the clock moves to 15 March
    2027."""
    who, case, agreement = performing_case(who)
    record_payment(who["creditor"], case, entry("1500.00", "TX-1"))
    if confirmed:
        package = released_package(case, agreement, who["mediator"], PackageStatus.READY)
        package.filed_on = clock.today()
        package.court_case_number = RULING_NUMBER
        package.ruling = Ruling.CONFIRMED
        package.ruling_on = clock.today()
        case.state = CaseState.CONFIRMED
        db.session.commit()
    if breach:
        frozen_clock.move_to(LATER)
    return who, case, agreement
