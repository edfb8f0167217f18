"""Demo session record (调解笔录) on the negotiating case: a video session held yesterday
afternoon, its record written by the mediator, sent, and confirmed by the debtor, the
creditor and the mediator, each with a one-time code read back from the outbox as on a
phone (:mod:`app.minutes`; 人民调解法 Art. 27)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.cases import contact_log
from app.core import clock
from app.demo.stages import code_sent_to, inline_queue
from app.extensions import db
from app.minutes import signing, writing
from app.models.agreements import SignatureMethod
from app.models.cases import Case
from app.models.contacts import ContactRecord
from app.models.minutes import MediationRecord, RecordStatus
from app.models.sessions import MediationSession
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.contact_log import ContactChannel, Counterpart, Direction, Outcome
from app.rules.minutes import Participant, RecordContent
from app.rules.sessions import SessionStatus
from app.signing.flow import SignatureInput


def seed_minutes(password: str) -> list[str]:
    case = db.session.scalars(
        select(Case)
        .where(Case.state == CaseState.NEGOTIATING, Case.debtor_user_id.is_not(None))
        .order_by(Case.id)
    ).first()
    if case is None or case.mediator is None or case.debtor_user is None:
        return []
    if db.session.scalar(select(MediationRecord.id).where(MediationRecord.case_id == case.id)):
        return []
    session, start, minutes = _held_session_row(case)
    content = RecordContent(
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        place="本平台在线视频调解",
        participants=(
            Participant(case.mediator.name, "调解员"),
            Participant(case.created_by.name, "申请人（债权人）委托代理人"),
            Participant(case.debtor_name, "被申请人（债务人）"),
        ),
        creditor_statement="债权人代理人陈述：借款已逾期，要求债务人尽快清偿本金、利息和违约金。",
        debtor_statement="债务人陈述：因收入下降暂时无力一次性清偿，愿意分期偿还，请求减免违约金。",
        agreed="双方同意以分期方式解决，债务人于三日内在平台提交分期方案。",
        not_agreed="违约金是否减免，双方未达成一致，留待下次调解。",
    )
    record = writing.create_record(case.mediator, case, session, content)
    with inline_queue():
        writing.submit_record(case.mediator, case, record)
    if record.status == RecordStatus.RENDERING:
        writing.render_record(record.id)  # the queue was not inline when sent
    db.session.refresh(record)
    if record.status != RecordStatus.AWAITING:
        return [f"  the session record PDF failed ({record.render_error}): run `flask pki init`"]
    for signer in (case.debtor_user, case.created_by, case.mediator):
        _sign(case, record, signer, password)
    return [f"  case {case.reference:<16} a video session with its confirmed record (调解笔录)"]


def _held_session_row(case: Case) -> tuple[ContactRecord, datetime, int]:
    """The contact row of the session app.demo.sessions recorded as held, or, without one,
    a video session logged yesterday at 15:00."""
    held = db.session.scalars(
        select(MediationSession)
        .where(
            MediationSession.case_id == case.id,
            MediationSession.status == SessionStatus.HELD,
            MediationSession.contact_record_id.is_not(None),
        )
        .order_by(MediationSession.id)
    ).first()
    if held is not None and held.held_start is not None and held.held_end is not None:
        row = db.session.get(ContactRecord, held.contact_record_id)
        assert row is not None
        minutes = int((held.held_end - held.held_start).total_seconds() // 60)
        return row, clock.local(held.held_start), minutes
    assert case.mediator is not None
    start = datetime.combine(
        clock.local(clock.now()).date() - timedelta(days=1), time(15, 0), tzinfo=clock.legal_tz()
    )
    row = contact_log.log_contact(
        case.mediator,
        case,
        contact_log.ContactDraft(
            counterpart=Counterpart.DEBTOR,
            direction=Direction.OUTBOUND,
            channel=ContactChannel.VIDEO,
            occurred_at=start,
            outcome=Outcome.REACHED,
            summary="在线视频调解会，债权人代理人和债务人均到场。",
            duration_minutes=50,
        ),
    )
    return row, start, 50


def _sign(case: Case, record: MediationRecord, signer: User, password: str) -> None:
    signing.send_signing_code(signer, case, record, None)
    given = SignatureInput(
        version=record.version,
        seen_sha256=record.current_sha256 or "",
        password=password,
        code=code_sent_to(signer),
        method=SignatureMethod.TYPED,
        typed_name=signer.name,
        drawn_png=None,
        ip="127.0.0.1",
        user_agent="flask seed-demo",
    )
    signing.sign_record(signer, case, record, given)
    db.session.refresh(record)
