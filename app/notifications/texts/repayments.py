"""Texts about the performance of the agreement (payments), in Simplified Chinese.

Like :mod:`app.notifications.texts.negotiation`: every text names the organisation and the
case, states only what happened, and carries no amounts (an address on file may reach
someone other than the debtor; the case page shows the amounts after sign-in).
"""

from __future__ import annotations

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS, _line

# event → (subject words, what happened).
_PAYMENT_EVENTS = {
    "payment_recorded": ("还款已登记", "债权人登记了一笔已收到的还款，还款计划已更新。"),
    "payment_reported": (
        "债务人报告了还款",
        "债务人报告了一笔还款并上传了转账回单，请核实到账后确认或提出异议。",
    ),
    "payment_confirmed": ("还款已确认", "债权人已确认您报告的一笔还款，还款计划已更新。"),
    "payment_disputed": (
        "还款有异议",
        "债权人对报告的一笔还款提出了异议，调解员将与双方沟通。",
    ),
    "payment_resolved_received": (
        "有异议的还款已处理",
        "调解员听取双方意见后认定该笔有异议的还款已到账，还款计划已更新。",
    ),
    "payment_resolved_not_received": (
        "有异议的还款已处理",
        "调解员听取双方意见后认定该笔有异议的还款未到账，不计入还款。",
    ),
    "case_performed": ("协议已履行完毕", "调解协议约定的款项已全部付清，案件已结案。"),
    "case_breach": (
        "协议已违约",
        "有一期还款超过宽限期仍未付清，依调解协议约定，剩余未付款项已全部到期。",
    ),
    "case_breach_unpaid": ("协议已违约", "约定的还款期限已过，款项仍未付清，协议已违约。"),
    # Reminders to the debtor (outreach under the contact rules).
    "reminder_before": ("还款提醒", "您有一期还款将于3日后到期，请按时还款。"),
    "reminder_due": ("还款提醒", "您有一期还款今日到期，请按时还款。"),
    "reminder_missed": (
        "逾期提醒",
        "您有一期还款已到期尚未付清，请尽快还款；超过宽限期未付清将构成违约。",
    ),
}

PAYMENT_EVENTS = tuple(_PAYMENT_EVENTS)


def payment_notice(
    event: str, org_name: str, case_reference: str, link: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """A payment was recorded, reported, confirmed or disputed, or the agreement was
    performed (``PAYMENT_EVENTS``)."""
    words, what = _PAYMENT_EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}详情请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}的还款有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError("payment SMS too long: shorten the organisation name or PUBLIC_URL")
        return f"{words} {ref}", body
    subject = f"【{org}】{words}（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {ref}）有新进展：{what}\n\n"
        "还款计划和还款记录请登录后查看：\n"
        f"{link}\n\n"
        f"{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body
