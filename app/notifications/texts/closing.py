"""Texts about the end of a mediation without agreement, the mediation period's extension
and the creditor's enforcement deadline, in Simplified Chinese.

Like :mod:`app.notifications.texts.repayments`: every text names the organisation and the
case, states only what happened (never who is right: 人民调解法 Art. 26 leaves the parties
every other way to protect their rights), and carries no amounts.
"""

from __future__ import annotations

from datetime import date

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS, _date, _line
from app.rules.citations import cite

_ENDED = (
    "调解已终结，案件已结案。调解组织将出具调解终结证明，"
    "当事人可以依法通过仲裁、诉讼等途径维护权益。"
)

# event → (subject words, what happened).
_EVENTS = {
    "mediation_ended_no_response": (
        "调解已终结",
        f"被申请人在答复期限内未回应调解邀请。{_ENDED}",
    ),
    "mediation_ended_period_expired": (
        "调解已终结",
        f"调解期限已届满，双方当事人未达成调解协议。{_ENDED}",
    ),
    "mediation_ended_party_ended": ("调解已终结", f"一方当事人要求终止调解。{_ENDED}"),
    "mediation_ended_no_agreement": (
        "调解已终结",
        f"调解员认为双方当事人未能达成调解协议，终止调解。{_ENDED}",
    ),
    "extension_proposed": (
        "延长调解期限的提议",
        "一方当事人提议延长调解期限，请登录查看并答复。",
    ),
    "extension_accepted": ("调解期限已延长", "双方当事人已同意延长调解期限。"),
    "extension_declined": ("延长调解期限的提议未获同意", "另一方当事人未同意延长调解期限。"),
}

CLOSING_EVENTS = tuple(_EVENTS)


def closing_notice(
    event: str, org_name: str, case_reference: str, link: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """The mediation ended (``mediation_ended_<ground>``) or an extension was proposed,
    accepted or declined (``CLOSING_EVENTS``)."""
    words, what = _EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}详情请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}的调解有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError("closing SMS too long: shorten the organisation name or PUBLIC_URL")
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


def enforcement_reminder(
    org_name: str, case_reference: str, link: str, last_day: date, days: int
) -> tuple[str, str]:
    """To the creditor's staff: the period to apply for enforcement of the confirmed
    agreement ends on ``last_day`` (CPL Art. 250), ``days`` days from now."""
    org, ref = _line(org_name), _line(case_reference)
    subject = f"【{org}】申请强制执行期限提醒（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"案件（编号 {ref}）的调解协议已经人民法院裁定确认。依{cite('cpl.250')}，"
        "申请执行的期间为二年，本案按现有还款记录计算的期间将于"
        f"{_date(last_day)}届满（约{days}日后）。如需申请强制执行，请在期间届满前向人民法院提出。\n\n"
        "强制执行申请书可在案件页面生成：\n"
        f"{link}\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body
