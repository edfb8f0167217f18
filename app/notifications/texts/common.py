"""The texts we send, in Simplified Chinese (debtors are Chinese speakers).

Each builder returns ``(subject, body)``; for SMS the subject is only a label for the
outbox and its log. Content rules (ours, checked by
``tests/integration/notifications/test_messages.py``): every message names the
organisation and the case; no threats, no impersonation of courts or police, no
exaggeration — calm, factual wording. No amounts or other debt details either: an
address on file may reach someone other than the debtor, and the case page behind the
link is where details are shown, after the debtor proves who they are.
"""

from __future__ import annotations

from datetime import date

from app.models.notifications import Channel

SMS_MAX_CHARS = 160
NEUTRAL = "本会为中立调解组织，不代表任何一方。"
# Who signs a message about an account that belongs to no organisation (a debtor's).
PLATFORM = "在线调解平台"


def _line(value: str) -> str:
    """User-entered names on one line: a newline must never reach a mail header."""
    return " ".join(str(value).split())


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


long_date = _date  # the date as every text writes it (an organisation's own wording, too)


def invitation(
    org_name: str, case_reference: str, creditor_name: str, link: str, expires_on: date
) -> tuple[str, str]:
    """The email inviting a debtor to a mediation: who asks, which case, where to answer."""
    org, ref, creditor = _line(org_name), _line(case_reference), _line(creditor_name)
    subject = f"【{org}】调解邀请（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"债权人{creditor}就一起借款合同纠纷向{org}申请调解，案件编号为 {ref}。\n\n"
        "请通过以下链接查看案件情况，并选择是否参加调解：\n"
        f"{link}\n\n"
        f"该链接仅供您本人使用，有效期至{_date(expires_on)}，打开后需要核对您的身份信息。\n\n"
        f"调解遵循自愿原则，是否参加由您决定。{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body


def invitation_sms(
    org_name: str, case_reference: str, creditor_name: str, link: str, expires_on: date
) -> tuple[str, str]:
    """The SMS invitation: at most 160 characters, opening with 【organisation】 (the
    signature format of mainland SMS). When names are long, the neutrality sentence and
    then the creditor's name give way; the organisation, case and link never do."""
    org, ref, creditor = _line(org_name), _line(case_reference), _line(creditor_name)
    head = f"【{org}】您好，"
    tail = f"向本会申请调解（案件编号{ref}）。请查看并回复（有效期至{_date(expires_on)}）：{link} "
    for text in (
        f"{head}债权人{creditor}就一笔借款{tail}{NEUTRAL}",
        f"{head}债权人{creditor}就一笔借款{tail}".rstrip(),
        f"{head}有债权人就一笔借款{tail}".rstrip(),
    ):
        if len(text) <= SMS_MAX_CHARS:
            return f"调解邀请 {ref}", text
    raise ValueError(
        f"invitation SMS would be {len(text)} characters (max {SMS_MAX_CHARS}): "
        "shorten the organisation name or PUBLIC_URL"
    )


def one_time_code_email(
    org_name: str, case_reference: str, code: str, minutes: int = 10
) -> tuple[str, str]:
    """A one-time code the recipient has just asked for, by email."""
    org, ref = _line(org_name), _line(case_reference)
    subject = f"【{org}】验证码（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"您正在办理案件 {ref} 的相关事项，本次验证码为：\n\n"
        f"    {code}\n\n"
        f"验证码{minutes}分钟内有效。请勿将验证码告诉他人，本会工作人员不会向您索要验证码。\n"
        "如非本人操作，请忽略本邮件。\n\n"
        f"{org}\n"
    )
    return subject, body


def one_time_code_sms(
    org_name: str, case_reference: str, code: str, minutes: int = 10
) -> tuple[str, str]:
    """A one-time code the recipient has just asked for, by SMS."""
    org, ref = _line(org_name), _line(case_reference)
    body = (
        f"【{org}】验证码{code}，用于办理案件{ref}，{minutes}分钟内有效。"
        "请勿告诉他人，本会工作人员不会向您索要验证码。"
    )
    return f"验证码 {ref}", body


def one_time_code(
    org_name: str,
    case_reference: str,
    code: str,
    minutes: int = 10,
    *,
    channel: Channel = Channel.EMAIL,
) -> tuple[str, str]:
    """The one-time code text for ``channel``."""
    build = one_time_code_sms if channel == Channel.SMS else one_time_code_email
    return build(org_name, case_reference, code, minutes)


def sign_in_code(
    org_name: str | None, code: str, minutes: int = 10, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """The second factor of a sign-in, which the person signing in has just asked for
    (no case: the account's own organisation signs it, else the platform)."""
    org = _line(org_name or PLATFORM)
    if channel == Channel.SMS:
        body = (
            f"【{org}】登录验证码{code}，{minutes}分钟内有效。请勿告诉他人，"
            "本会工作人员不会向您索要验证码。如非本人操作，请尽快修改密码。"
        )
        return "登录验证码", body
    subject = f"【{org}】登录验证码"
    body = (
        "您好：\n\n"
        "您的账户正在登录，由于近期多次出现错误密码，本次登录需要验证码：\n\n"
        f"    {code}\n\n"
        f"验证码{minutes}分钟内有效。请勿将验证码告诉他人，本会工作人员不会向您索要验证码。\n"
        "如非本人操作，说明有人知道您的密码，请尽快登录并修改密码。\n\n"
        f"{org}\n"
    )
    return subject, body


def password_checks_paused(
    org_name: str | None, until: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """Tells the account's owner that the current password was entered wrongly too often
    on the password change form (someone may be using their session)."""
    org = _line(org_name or PLATFORM)
    if channel == Channel.SMS:
        body = (
            f"【{org}】您的账户在修改密码时多次输错当前密码，修改密码已暂停至{until}。"
            "如非本人操作，请尽快退出所有设备并联系管理员。"
        )
        return "账户安全提醒", body
    subject = f"【{org}】账户安全提醒"
    body = (
        "您好：\n\n"
        f"您的账户在修改密码时多次输错当前密码。为保护账户安全，修改密码已暂停至{until}。\n"
        "如非本人操作，说明他人可能正在使用您已登录的设备，请尽快退出登录并联系管理员。\n\n"
        f"{org}\n"
    )
    return subject, body


def case_digest(
    org_name: str, case_references: list[str], count: int, link: str, *, channel: Channel
) -> tuple[str, str]:
    """Several case notices due at the same moment, in one message: how many, on which
    cases, where to read them. Like every notice, no amounts and no details."""
    org = _line(org_name)
    refs = "、".join(_line(ref) for ref in case_references)
    if channel == Channel.SMS:
        body = f"【{org}】您参与的调解案件{refs}有{count}项新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】您参与的调解案件有{count}项新进展，请登录调解平台查看。"
        return f"新进展汇总 {refs}"[:200], body
    subject = f"【{org}】您参与的调解案件有{count}项新进展（案件编号 {refs}）"
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {refs}）有{count}项新进展。\n\n"
        "详情请登录后查看：\n"
        f"{link}\n\n"
        f"{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject[:200], body


def password_reset_code(
    org_name: str | None, code: str, minutes: int = 10, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """The code to reset a forgotten password, which the person has just asked for on the
    sign-in page (no case: the account's own organisation signs it, else the platform)."""
    org = _line(org_name or PLATFORM)
    if channel == Channel.SMS:
        body = (
            f"【{org}】重置密码验证码{code}，{minutes}分钟内有效。请勿告诉他人，"
            "本会工作人员不会向您索要验证码。如非本人操作，请忽略。"
        )
        return "重置密码验证码", body
    subject = f"【{org}】重置密码验证码"
    body = (
        "您好：\n\n"
        "有人在登录页为您的账户申请重置密码，本次验证码为：\n\n"
        f"    {code}\n\n"
        f"验证码{minutes}分钟内有效。请勿将验证码告诉他人，本会工作人员不会向您索要验证码。\n"
        "如非本人操作，请忽略本邮件，您的密码不会改变。\n\n"
        f"{org}\n"
    )
    return subject, body
