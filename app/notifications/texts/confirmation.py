"""Texts about judicial confirmation, in Simplified Chinese (CPL Art. 205; the content
rules of :mod:`app.notifications.texts.common`).

Each builder returns ``(subject, body)``; for SMS the subject is only a label for the
outbox and its log. Like :mod:`app.notifications.texts.negotiation`: every text names
the organisation and the case, states facts calmly, never speaks for the court (the
platform reports what the court decided, it does not threaten with it), and carries no
amounts or other debt details (the case page shows them after sign-in).
"""

from __future__ import annotations

from datetime import date

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS

# event → (subject words, what happened). No terms, no amounts: those are behind sign-in.
_EVENTS = {
    "package_released": (
        "司法确认申请材料待签署",
        "调解员已生成司法确认申请材料，请登录核对并签署申请书、送达地址确认书和承诺书。",
    ),
    "package_ready": (
        "司法确认申请材料已签署",
        "各方当事人均已签署司法确认申请材料，材料已可提交法院。",
    ),
    "application_filed": (
        "司法确认申请已提交",
        "司法确认申请已提交法院，请留意法院的通知。",
    ),
    "ruling_confirmed": (
        "法院已作出确认裁定",
        "法院已裁定确认调解协议有效。",
    ),
    "ruling_rejected": (
        "法院未确认调解协议",
        "法院裁定驳回司法确认申请。调解员将与您联系，商量重新调解等后续安排。",
    ),
    "remediation_started": (
        "案件已重新进入调解",
        "法院未确认原调解协议，案件已重新进入调解，双方可重新协商。",
    ),
}

CONFIRMATION_EVENTS = tuple(_EVENTS)


def _line(value: str) -> str:
    """User-entered names on one line: a newline must never reach a mail header."""
    return " ".join(str(value).split())


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def confirmation_notice(
    event: str, org_name: str, case_reference: str, link: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """A step of judicial confirmation happened on a case (``CONFIRMATION_EVENTS``)."""
    words, what = _EVENTS[event]
    return _compose(words, what, org_name, case_reference, link, channel)


def deadline_reminder(
    org_name: str,
    case_reference: str,
    link: str,
    last_day: date,
    *,
    channel: Channel = Channel.EMAIL,
) -> tuple[str, str]:
    """Day 20 and day 27 after the agreement took effect: the joint application must reach
    the court by ``last_day`` (CPL Art. 205). Only the date, never "N days left": a debtor's
    message may wait for the end of quiet hours and would then be a day wrong."""
    what = (
        f"调解协议生效后申请司法确认的期限至{_date(last_day)}届满。"
        "请登录核对并签署申请材料，以便按时提交法院。"
    )
    return _compose("司法确认申请期限提醒", what, org_name, case_reference, link, channel)


def _compose(
    words: str, what: str, org_name: str, case_reference: str, link: str, channel: Channel
) -> tuple[str, str]:
    org, ref = _line(org_name), _line(case_reference)
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}的司法确认有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError(
                "confirmation SMS too long: shorten the organisation name or PUBLIC_URL"
            )
        return f"{words} {ref}", body
    subject = f"【{org}】{words}（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {ref}）有新进展：{what}\n\n"
        "详情请登录后查看：\n"
        f"{link}\n\n"
        f"{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body
