"""Texts about restructuring an agreement in force, in Simplified Chinese.

Like :mod:`app.notifications.texts.repayments`: each names the organisation and the case,
states only what happened and carries no amounts (the case page shows them after sign-in).
"""

from __future__ import annotations

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS, _line

_EVENTS = {
    "restructuring_requested": (
        "债务人申请变更履行方式",
        "债务人因情况变化，申请就尚未履行的款项重新约定还款方式，请登录查看并答复。",
    ),
    "restructuring_countered": (
        "变更履行方式的新方案",
        "对方就变更履行方式提出了新的方案，请登录查看并答复。",
    ),
    "restructuring_accepted": (
        "变更履行方式已达成一致",
        "双方已就变更履行方式达成一致，调解员将起草补充协议。",
    ),
    "restructuring_declined": (
        "变更履行方式未达成一致",
        "对方不同意变更履行方式，原调解协议继续按约履行。",
    ),
    "supplementary_ready": ("补充协议待签署", "补充协议已起草完成，请登录核对后签署。"),
    "supplementary_in_force": (
        "补充协议已生效",
        "补充协议已经各方签署生效，剩余款项按补充协议约定的新还款计划履行。",
    ),
}

RESTRUCTURING_EVENTS = tuple(_EVENTS)


def restructuring_notice(
    event: str, org_name: str, case_reference: str, link: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """A step of a restructuring request or its supplementary agreement
    (``RESTRUCTURING_EVENTS``)."""
    words, what = _EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}详情请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}的履行方式有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError("restructuring SMS too long: shorten the organisation name")
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
