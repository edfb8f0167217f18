"""Fixtures for the outbox tests: a case with a debtor who has a phone and an email, and
the application switched to the file backends (whatever the environment says)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.cases import Case
from app.models.notifications import Channel, OutboundMessage, OutboxStatus
from app.models.organisations import LicenceType
from app.models.users import Role
from app.notifications.outbox import queue_message
from tests.factories import make_mediation_org, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, Beijing time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def make_case(**kw: object) -> Case:
    creditor = make_user(Role.CREDITOR)
    case = Case(
        **{
            "creditor_org_id": creditor.creditor_org_id,
            "created_by_id": creditor.id,
            "mediation_org_id": make_mediation_org().id,
            "debtor_name": "张三",
            "lender_kind": LicenceType.BANK,
            "debtor_phone": "13900000001",
            "debtor_email": "zhangsan@example.com",
            **kw,
        }
    )
    db.session.add(case)
    db.session.commit()
    return case


def to_debtor(
    case: Case,
    now: datetime,
    channel: Channel = Channel.SMS,
    *,
    template: str = "invitation",
    requested_by_recipient: bool = False,
) -> OutboundMessage:
    """Queue (and commit) a message to the case's debtor at ``now``."""
    address = case.debtor_phone if channel == Channel.SMS else case.debtor_email
    message = queue_message(
        address=str(address),
        channel=channel,
        template=template,
        subject=f"调解邀请 {case.reference}",
        body=f"【测试调解委员会】案件编号{case.reference}",
        case_id=case.id,
        to_debtor=True,
        requested_by_recipient=requested_by_recipient,
        now=now,
    )
    db.session.commit()
    return message


def to_staff(now: datetime) -> OutboundMessage:
    """Queue (and commit) a message to a new mediator at ``now``."""
    mediator = make_user(Role.MEDIATOR)
    message = queue_message(
        address=str(mediator.email),
        channel=Channel.EMAIL,
        template="case_assigned",
        subject="新案件",
        body="您有一个新案件。",
        recipient_user_id=mediator.id,
        now=now,
    )
    db.session.commit()
    return message


def statuses() -> dict[int, OutboxStatus]:
    db.session.expire_all()
    return {m.id: m.status for m in db.session.scalars(select(OutboundMessage))}


def use_settings(app: Flask, **changes: object) -> None:
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], **changes)


@pytest.fixture(autouse=True)
def file_backends(app: Flask) -> None:
    use_settings(app, mail_backend="file", sms_backend="file")


@pytest.fixture
def case(app: Flask) -> Case:
    return make_case()
