"""Texts about mediation sessions, in Simplified Chinese: the invitation (and a new time),
a cancellation, the reminders before it, and a party's answer (to the mediator).

Like every text: the organisation and the case are named, no amounts, calm words. The
time is given on the legal clock; the place or the video link is in the attached
calendar file and on the case page, behind the sign-in.
"""

from __future__ import annotations

from datetime import datetime

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS, _line

# event → (subject words, what happened, with {when} and {means})
_EVENTS = {
    "session_invitation": ("调解会议通知", "调解员安排了一次{kind}，时间为{when}，方式：{means}。"),
    "session_rescheduled": ("调解会议时间变更", "{kind}的时间已改为{when}，方式：{means}。"),
    "session_cancelled": ("调解会议已取消", "原定于{when}的{kind}已取消。"),
    "session_reminder_day": ("调解会议提醒", "{kind}将于{when}举行，方式：{means}。"),
    "session_reminder_hour": ("调解会议即将开始", "{kind}将于{when}开始，方式：{means}。"),
    "session_response": ("当事人答复了调解会议邀请", "{side}已答复{when}的{kind}：{answer}。"),
}
SESSION_EVENTS = tuple(_EVENTS)

KIND_WORDS = {
    "joint": "调解会议",
    "caucus_creditor": "背对背调解会议",
    "caucus_debtor": "背对背调解会议",
}
MEANS_WORDS = {"phone": "电话", "video": "视频", "in_person": "现场"}
SIDE_WORDS = {"debtor": "被申请人", "creditor": "申请人"}
ANSWER_WORDS = {
    "accepted": "接受",
    "declined": "谢绝参加",
    "other_time": "希望另约时间",
    "pending": "尚未答复",
}


def when_words(moment: datetime) -> str:
    """``moment`` (already on the legal clock) as the texts write it: 2026年12月3日 10:00."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def session_notice(
    event: str,
    org_name: str,
    case_reference: str,
    link: str,
    *,
    kind: str,
    means: str,
    when: datetime,
    side: str = "",
    answer: str = "",
    channel: Channel = Channel.EMAIL,
) -> tuple[str, str]:
    """The text of a session ``event`` (``SESSION_EVENTS``); ``when`` on the legal clock."""
    words, what = _EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    what = what.format(
        kind=KIND_WORDS[kind],
        when=when_words(when),
        means=MEANS_WORDS[means],
        side=SIDE_WORDS.get(side, ""),
        answer=ANSWER_WORDS.get(answer, ""),
    )
    if channel == Channel.SMS:
        for body in (
            f"【{org}】案件{ref}：{what}详情请登录查看：{link}",
            f"【{org}】案件{ref}：{words}（{when_words(when)}），请登录查看：{link}",
            f"【{org}】案件{ref}的调解会议有新安排，请登录查看：{link}",
        ):
            if len(body) <= SMS_MAX_CHARS:
                return f"{words} {ref}", body
        raise ValueError("session SMS too long: shorten the organisation name or PUBLIC_URL")
    subject = f"【{org}】{words}（案件编号 {ref}）"
    calendar = "附件为日历文件，可添加到您的日历。" if event != "session_response" else ""
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {ref}）：{what}{calendar}\n\n"
        "地点或视频链接、答复方式请登录后在案件页面查看：\n"
        f"{link}\n\n"
        f"{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body
