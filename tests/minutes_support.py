"""A held video session on a negotiating case, its mediation record (调解笔录) written,
sent for confirmation and signed through the real services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.cases.contact_log import ContactDraft, log_contact
from app.core import clock
from app.extensions import db
from app.minutes import signing, writing
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.minutes import Participant, RecordContent
from tests.agreement_support import last_code, signature
from tests.factories import make_case

CREDITOR_SAID = "债权人代理人陈述：借款本金两万元，已逾期九个月，要求一次性偿还。"
DEBTOR_SAID = "债务人陈述：因失业暂时无力一次性偿还，愿意分二十四期偿还。"
AGREED = "双方同意按月分期偿还，具体金额另行协商。"
NOT_AGREED = "罚息是否减免，双方未达成一致。"


def negotiating_case(who: dict[str, User]):
    return make_case(
        creditor=who["creditor"],
        mediator=who["mediator"],
        state=CaseState.NEGOTIATING,
        debtor_user_id=who["debtor"].id,
        debtor_name=who["debtor"].name,
    )


def held_session(
    who: dict[str, User], case, channel: ContactChannel = ContactChannel.VIDEO
) -> ContactRecord:
    """A session the debtor joined two hours ago (inbound: no contact rule applies)."""
    return log_contact(
        who["mediator"],
        case,
        ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.INBOUND,
            channel=channel,
            occurred_at=clock.now() - timedelta(hours=2),
            outcome=Outcome.REACHED,
            summary="视频调解会",
            duration_minutes=60,
        ),
    )


def content(who: dict[str, User], **over: Any) -> RecordContent:
    start = clock.now() - timedelta(hours=2)
    values: dict[str, Any] = {
        "started_at": start,
        "ended_at": start + timedelta(minutes=55),
        "place": "本平台在线视频调解",
        "participants": (
            Participant(who["mediator"].name, "调解员"),
            Participant("李代理", "申请人（债权人）委托代理人"),
            Participant(who["debtor"].name, "被申请人（债务人）"),
        ),
        "debtor_statement": DEBTOR_SAID,
        "creditor_statement": CREDITOR_SAID,
        "agreed": AGREED,
        "not_agreed": NOT_AGREED,
    }
    values.update(over)
    return RecordContent(**values)


def written_record(who: dict[str, User], case, contact: ContactRecord | None = None):
    contact = contact or held_session(who, case)
    record = writing.create_record(who["mediator"], case, contact, content(who))
    db.session.refresh(record)
    return record


def sent_record(who: dict[str, User], case) -> MediationRecord:
    """Written and sent: the worker (inline in tests) rendered and certified it."""
    record = written_record(who, case)
    writing.submit_record(who["mediator"], case, record)
    db.session.refresh(record)
    return record


def sign_record(case, record: MediationRecord, user: User, **over: Any):
    signing.send_signing_code(user, case, record, None)
    done = signing.sign_record(user, case, record, signature(record, last_code(user), **over))  # type: ignore[arg-type]
    db.session.refresh(record)
    return done


def confirmed_record(who: dict[str, User], case) -> MediationRecord:
    record = sent_record(who, case)
    for role in ("debtor", "creditor", "mediator"):
        sign_record(case, record, who[role], typed_name=who[role].name)
    return record
