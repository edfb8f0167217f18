"""The notice that a case has a new message, in Simplified Chinese.

It names the organisation and the case, says that there is a new message and where to
read it — and never anything of the message itself. An email or SMS may be seen by
someone other than its addressee, and what is said in a private caucus must never leave
its thread. For the same reason the text is the same for every thread: a notice does
not even tell whether the message is joint or private (the link, too, points at the
messages in general, not at one thread).
"""

from __future__ import annotations

from app.notifications.texts.common import SMS_MAX_CHARS, _line

TEMPLATE = "thread_message"


def new_message_email(org_name: str, case_reference: str, link: str) -> tuple[str, str]:
    """The email: organisation, case, "a new message", the link to the case's messages."""
    org, ref = _line(org_name), _line(case_reference)
    subject = f"【{org}】案件 {ref} 有新消息"
    body = (
        "您好：\n\n"
        f"{org}受理的调解案件（案件编号 {ref}）中有一条新消息。\n\n"
        "为保护各方隐私，消息内容不在邮件中显示。请登录后在案件页面的“消息”栏中阅读：\n"
        f"{link}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body


def new_message_sms(org_name: str, case_reference: str, link: str) -> tuple[str, str]:
    """The SMS, at most 160 characters and opening with 【organisation】. When names are
    long, the privacy sentence and then the link give way (the text then says to sign
    in); an absurdly long organisation name is shortened rather than the notice lost."""
    org, ref = _line(org_name), _line(case_reference)
    head = f"【{org}】您好，调解案件{ref}有一条新消息。"
    for text in (
        f"{head}为保护隐私，内容不在短信中显示，请登录查看：{link}",
        f"{head}请登录查看：{link}",
        f"{head}请登录调解平台查看。",
    ):
        if len(text) <= SMS_MAX_CHARS:
            return f"新消息 {ref}", text
    room = SMS_MAX_CHARS - len(text) + len(org) - 1
    return f"新消息 {ref}", text.replace(f"【{org}】", f"【{org[: max(room, 1)]}…】", 1)
