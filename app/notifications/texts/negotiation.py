"""Texts about the negotiation and the agreement, in Simplified Chinese.

Each builder returns ``(subject, body)``; for SMS the subject is only a label for the
outbox and its log. Like :mod:`app.notifications.texts.common`: every text names the
organisation and the case, uses calm, factual wording, and carries no amounts or other
debt details (an address on file may reach someone other than the debtor; the case page
shows the details after sign-in).
"""

from __future__ import annotations

from app.models.notifications import Channel
from app.notifications.texts.common import NEUTRAL, SMS_MAX_CHARS, _line

# Who acted, as the recipient reads it.
_WHO = {"debtor": "债务人", "creditor": "债权人", "mediator": "调解员"}

# event → (subject words, what happened: a sentence with {who}).
_PROPOSAL_EVENTS = {
    "proposal_new": ("新的还款方案", "{who}提出了一个新的还款方案。"),
    "proposal_counter": ("新的还款方案（答复）", "{who}针对此前的方案提出了新的还款方案。"),
    "proposal_accepted": (
        "方案已获一方接受",
        "{who}已接受调解员提出的方案，尚待另一方答复。",
    ),
    "proposal_settled": (
        "双方已就方案达成一致",
        "{who}已接受还款方案，双方已就还款方案达成一致。调解员将据此起草调解协议。",
    ),
    "proposal_rejected": ("方案未被接受", "{who}未接受一项还款方案，并说明了原因。"),
    "proposal_withdrawn": (
        "方案已被撤回",
        "{who}撤回了一项不符合相关规定的还款方案。",
    ),
}

PROPOSAL_EVENTS = tuple(_PROPOSAL_EVENTS)


def proposal_notice(
    event: str,
    org_name: str,
    case_reference: str,
    actor_side: str,
    link: str,
    *,
    channel: Channel = Channel.EMAIL,
) -> tuple[str, str]:
    """A proposal was made, answered, accepted, rejected or withdrawn on a case:
    ``event`` is one of ``PROPOSAL_EVENTS``, ``actor_side`` who did it (debtor, creditor,
    mediator). The text says what happened and where to look, never the terms."""
    words, sentence = _PROPOSAL_EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    what = sentence.format(who=_WHO[actor_side])
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError("proposal SMS too long: shorten the organisation name or PUBLIC_URL")
        return f"{words} {ref}", body
    subject = f"【{org}】{words}（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {ref}）有新进展：{what}\n\n"
        "方案的具体内容请登录后查看：\n"
        f"{link}\n\n"
        f"调解遵循自愿原则，是否接受任何方案由您决定。{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body


# event → (subject words, what happened). No terms, no amounts: those are behind sign-in.
_AGREEMENT_EVENTS = {
    "agreement_ready": ("调解协议待签署", "调解员已起草调解协议，请登录核对并签署。"),
    "agreement_revised": (
        "调解协议已修改",
        "调解员修改了调解协议，此前对旧版本的签署不再有效，请登录核对新版本并签署。",
    ),
    "agreement_in_force": (
        "调解协议已生效",
        "双方当事人和调解员均已签署并加盖调解组织印章，调解协议已生效。",
    ),
}

AGREEMENT_EVENTS = tuple(_AGREEMENT_EVENTS)


def agreement_notice(
    event: str, org_name: str, case_reference: str, link: str, *, channel: Channel = Channel.EMAIL
) -> tuple[str, str]:
    """The agreement is ready to sign, was revised, or took effect (``AGREEMENT_EVENTS``)."""
    words, what = _AGREEMENT_EVENTS[event]
    org, ref = _line(org_name), _line(case_reference)
    if channel == Channel.SMS:
        body = f"【{org}】案件{ref}：{what}{link}"
        if len(body) > SMS_MAX_CHARS:
            body = f"【{org}】案件{ref}的调解协议有新进展，请登录查看：{link}"
        if len(body) > SMS_MAX_CHARS:
            raise ValueError("agreement SMS too long: shorten the organisation name or PUBLIC_URL")
        return f"{words} {ref}", body
    subject = f"【{org}】{words}（案件编号 {ref}）"
    body = (
        "您好：\n\n"
        f"您参与的调解案件（案件编号 {ref}）有新进展：{what}\n\n"
        "协议全文请登录后查看：\n"
        f"{link}\n\n"
        f"{NEUTRAL}\n\n"
        "如本邮件并非发给您，请忽略并删除。本邮件由系统自动发送，请勿直接回复。\n\n"
        f"{org}\n"
    )
    return subject, body
