"""The texts sent about objections, in Simplified Chinese.

Same content rules as :mod:`app.notifications.texts.common`: each names the
organisation and the case, is calm and factual, and carries no amounts and no details of
the objection itself (an address on file may reach someone else); the case page behind
the link shows them after sign-in.
"""

from __future__ import annotations

from app.notifications.texts.common import SMS_MAX_CHARS, _line


def objection_raised(org_name: str, case_reference: str, link: str) -> tuple[str, str]:
    """To the creditor's staff: the debtor objected to an item of the claim."""
    org, ref = _line(org_name), _line(case_reference)
    subject = f"【{org}】债务人对案件 {ref} 的债权提出异议"
    body = (
        "您好：\n\n"
        f"在{org}调解的案件 {ref} 中，债务人对债权的一项内容提出了异议。\n\n"
        "请登录平台查看异议内容并作出答复：\n"
        f"{link}\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body


def objection_answered(org_name: str, case_reference: str, link: str) -> tuple[str, str]:
    """To the debtor, by email: the creditor answered their objection."""
    org, ref = _line(org_name), _line(case_reference)
    subject = f"【{org}】您在案件 {ref} 中提出的异议已有答复"
    body = (
        "您好：\n\n"
        f"您在{org}调解的案件 {ref} 中提出的异议，债权人已作出答复。\n\n"
        "请登录平台查看答复。如仍有疑问，调解员会与双方继续沟通：\n"
        f"{link}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body


def objection_answered_sms(org_name: str, case_reference: str, link: str) -> tuple[str, str]:
    """To the debtor, by SMS (at most 160 characters, opening with 【organisation】)."""
    org, ref = _line(org_name), _line(case_reference)
    body = f"【{org}】您在案件{ref}中提出的异议，债权人已答复，请登录查看：{link}"
    if len(body) > SMS_MAX_CHARS:
        body = f"【{org}】您在案件{ref}中提出的异议已有答复，请登录平台查看。"
    return f"异议答复 {ref}", body
