"""Message texts follow the content rules of :mod:`app.notifications.texts.common`: they
name the organisation and the case, stay calm and factual, and an SMS fits in 160
characters."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.notifications import Channel
from app.notifications.texts import common as messages
from app.notifications.texts import confirmation, negotiation, repayments
from app.rules.content_check import check

ORG = "北京市朝阳区金融纠纷人民调解委员会"
REF = "HZ-2026-000123"
CREDITOR = "某某消费金融股份有限公司"
LINK = "https://concord.example.cn/invite/" + "x" * 43  # a real token is 43 characters
EXPIRES = date(2026, 12, 12)

# Words that threaten, or borrow the authority of courts and police.
FORBIDDEN = (
    "法院",
    "公安",
    "警察",
    "起诉",
    "逮捕",
    "拘留",
    "刑事",
    "坐牢",
    "黑名单",
    "征信",
    "后果",
)

ALL_TEXTS = {
    "invitation": messages.invitation(ORG, REF, CREDITOR, LINK, EXPIRES),
    "invitation_sms": messages.invitation_sms(ORG, REF, CREDITOR, LINK, EXPIRES),
    "code_email": messages.one_time_code_email(ORG, REF, "123456"),
    "code_sms": messages.one_time_code_sms(ORG, REF, "123456"),
}


@pytest.mark.parametrize("name", ALL_TEXTS)
def test_every_message_names_the_organisation_and_the_case(name: str) -> None:
    subject, body = ALL_TEXTS[name]
    assert ORG in body
    assert REF in body
    assert REF in subject


@pytest.mark.parametrize("name", ALL_TEXTS)
def test_no_message_threatens_or_invokes_courts_or_police(name: str) -> None:
    subject, body = ALL_TEXTS[name]
    assert not [word for word in FORBIDDEN if word in subject + body]


@pytest.mark.parametrize("name", ["invitation_sms", "code_sms"])
def test_an_sms_opens_with_the_organisation_in_brackets_and_fits_160(name: str) -> None:
    _, body = ALL_TEXTS[name]
    assert body.startswith(f"【{ORG}】")
    assert len(body) <= messages.SMS_MAX_CHARS


def test_the_invitation_email_carries_link_creditor_expiry_and_neutrality() -> None:
    subject, body = ALL_TEXTS["invitation"]
    assert subject == f"【{ORG}】调解邀请（案件编号 {REF}）"
    assert LINK in body and CREDITOR in body
    assert "有效期至2026年12月12日" in body
    assert "不代表任何一方" in body
    assert "自愿" in body


def test_a_short_invitation_sms_keeps_the_creditor_and_the_neutrality_sentence() -> None:
    _, body = messages.invitation_sms("测试调解委员会", REF, "测试银行", LINK[:60], EXPIRES)
    assert "测试银行" in body and messages.NEUTRAL in body


def test_a_long_invitation_sms_drops_optional_words_but_never_the_link() -> None:
    _, body = ALL_TEXTS["invitation_sms"]
    assert LINK in body
    assert "有效期至2026年12月12日" in body


def test_an_invitation_sms_that_cannot_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="160"):
        messages.invitation_sms(ORG * 3, REF, CREDITOR, LINK, EXPIRES)


def test_names_with_line_breaks_cannot_break_a_mail_header() -> None:
    subject, _ = messages.invitation("恶意\r\nBcc: x@example.com", REF, CREDITOR, LINK, EXPIRES)
    assert "\n" not in subject and "\r" not in subject


def test_a_code_message_warns_never_to_share_it() -> None:
    for _, body in (ALL_TEXTS["code_email"], ALL_TEXTS["code_sms"]):
        assert "123456" in body
        assert "10分钟内有效" in body
        assert "不会向您索要验证码" in body


def test_one_time_code_picks_the_variant_for_the_channel() -> None:
    assert messages.one_time_code(ORG, REF, "1", channel=Channel.SMS) == (
        messages.one_time_code_sms(ORG, REF, "1")
    )
    assert messages.one_time_code(ORG, REF, "1") == messages.one_time_code_email(ORG, REF, "1")


ACCOUNT_TEXTS = {
    "sign_in_code_email": messages.sign_in_code(ORG, "123456", channel=Channel.EMAIL),
    "sign_in_code_sms": messages.sign_in_code(ORG, "123456", channel=Channel.SMS),
    "paused_email": messages.password_checks_paused(ORG, "2026-12-01 10:45"),
    "paused_sms": messages.password_checks_paused(ORG, "2026-12-01 10:45", channel=Channel.SMS),
    "platform_code": messages.sign_in_code(None, "123456", channel=Channel.SMS),
    "reset_code_email": messages.password_reset_code(ORG, "123456", channel=Channel.EMAIL),
    "reset_code_sms": messages.password_reset_code(None, "123456", channel=Channel.SMS),
}


@pytest.mark.parametrize("name", ACCOUNT_TEXTS)
def test_account_messages_name_who_sends_them_and_stay_calm(name: str) -> None:
    """Messages about an account (no case) name the organisation, else the platform."""
    subject, body = ACCOUNT_TEXTS[name]
    assert ORG in body or messages.PLATFORM in body
    assert not any(word in subject + body for word in FORBIDDEN)
    if name.endswith(("sms", "platform_code")):
        assert body.startswith("【") and len(body) <= messages.SMS_MAX_CHARS


def _every_built_in_text() -> dict[str, tuple[str, str]]:
    texts = {**ALL_TEXTS, **ACCOUNT_TEXTS}
    for channel in Channel:
        for event in negotiation.PROPOSAL_EVENTS:
            texts[f"{event}_{channel}"] = negotiation.proposal_notice(
                event, ORG, REF, "creditor", LINK, channel=channel
            )
        for event in negotiation.AGREEMENT_EVENTS:
            texts[f"{event}_{channel}"] = negotiation.agreement_notice(
                event, ORG, REF, LINK, channel=channel
            )
        for event in repayments.PAYMENT_EVENTS:
            texts[f"{event}_{channel}"] = repayments.payment_notice(
                event, ORG, REF, LINK, channel=channel
            )
        for event in confirmation.CONFIRMATION_EVENTS:
            texts[f"{event}_{channel}"] = confirmation.confirmation_notice(
                event, ORG, REF, LINK, channel=channel
            )
        texts[f"deadline_{channel}"] = confirmation.deadline_reminder(
            ORG, REF, LINK, EXPIRES, channel=channel
        )
    return texts


BUILT_IN = _every_built_in_text()


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_built_in_text_passes_the_content_checker(name: str) -> None:
    """The rules an organisation's own wording and a mediator's message must pass
    (app.rules.content_check) hold for our own texts too."""
    subject, body = BUILT_IN[name]
    assert check(subject) == [] and check(body) == []
