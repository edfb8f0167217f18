"""The limits of an organisation's own wording (app.rules.message_templates)."""

from __future__ import annotations

import pytest

from app.rules.message_templates import check_version, fits, render

ORG = "某市金融纠纷人民调解委员会"
SAMPLE = {
    "org": ORG,
    "case": "HZ-2026-0000000000",
    "link": "https://concord.example.cn/invite/" + "x" * 43,
    "creditor": "某" * 20,
    "expires_on": "2026年12月31日",
    "last_day": "2026年12月31日",
}


def codes(template: str, channel: str, body: str, subject: str = "s{org}") -> list[str]:
    problems = check_version(template, channel, subject, body, org_name=ORG, sample=SAMPLE)
    return [f"{p.code}:{p.name}" if p.name else p.code for p in problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("【{org}】案件{case}：请按时还款。{link}", []),
        (f"【{ORG}】案件{{case}}：请按时还款。{{link}}", []),  # the name written out counts
        ("案件{case}：请按时还款。{link}", ["missing_placeholder:org"]),
        ("【{org}】请按时还款。{link}", ["missing_placeholder:case"]),
        ("【{org}】案件{case}", ["missing_placeholder:link"]),
        ("【{org}】{case}{link}{creditor}", ["unknown_placeholder:creditor"]),
        ("【{org}】{case}{link}{org!r}", ["bad_placeholder"]),
        ("【{org}】{case}{link}{org:>300}", ["bad_placeholder"]),
        ("【{org}】{case}{link}{0}", ["bad_placeholder"]),
        ("【{org}】{case}{link} }", ["bad_placeholder"]),
        ("", ["required"]),
        ("【{org}】{case}{link}不还就上征信黑名单", ["content", "content"]),
        ("【{org}】{case}{link}" + "请还款" * 30, ["sms_too_long"]),
    ],
)
def test_an_sms_reminder(body: str, expected: list[str]) -> None:
    assert codes("reminder_due", "sms", body) == expected


def test_the_invitation_may_name_the_creditor_and_the_expiry() -> None:
    body = "【{org}】{creditor}申请调解（{case}），{expires_on}前有效：{link}"
    assert codes("invitation", "sms", body) == []


def test_codes_and_notices_cannot_be_edited() -> None:
    assert codes("one_time_code", "sms", "【{org}】{case}{link}") == ["not_editable"]
    assert codes("thread_message", "sms", "【{org}】{case}{link}") == ["not_editable"]


def test_an_email_needs_a_subject_within_120_characters() -> None:
    body = "{org}{case}{link}"
    assert codes("reminder_due", "email", body, subject="") == ["required"]
    assert codes("reminder_due", "email", body, subject="x" * 121) == ["too_long"]


def test_render_fills_the_placeholders_on_one_line_and_fits_measures() -> None:
    assert render("【{org}】{case}", {"org": "甲\n乙", "case": "HZ-1"}) == "【甲 乙】HZ-1"
    assert render("{{literal}} {org}", {"org": "甲"}) == "{literal} 甲"
    assert fits("sms", "", "x" * 160) and not fits("sms", "", "x" * 161)
