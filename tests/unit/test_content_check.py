"""The content checker's rule table: what a creditor's or mediator's text to a debtor may
not say (app.rules.content_check, app.rules.content_rules).

Decision on "如需帮助请联系您的家人": refused. The sender cannot be told apart from a
collector steering the debtor to relatives ("let your family pay"), and a mediator never
needs to send the debtor to a third party: the lawful way to bring someone in is an
authorised agent (委托代理人), which is allowed.
"""

from __future__ import annotations

import pytest

from app.rules.content_check import check, highlight, normalise
from app.rules.content_rules import RULES, RULES_BY_ID, CaseFacts, Category, Fact

REFUSED = [
    # threats
    ("不还钱后果自负。", "threat.harm"),
    ("你给我等着瞧。", "threat.harm"),
    ("再不还款，别怪我们对你不客气。", "threat.harm"),
    ("这是最后通牒，明天必须还清。", "threat.pressure"),
    ("我们的人明天上门催收。", "threat.visit"),
    ("晚上我们会到你家里去找你。", "threat.visit"),
    ("出门小心点。", "threat.harm"),
    # insults
    ("你这个老赖，借钱不还。", "insult"),
    ("骗子！赶紧还钱。", "insult"),
    ("真不要脸。", "insult"),
    # impersonation
    ("我们是法院执行局的工作人员。", "impersonation.authority"),
    ("本人是XX律师事务所的律师。", "impersonation.authority"),
    ("法院正式通知你于三日内到庭。", "impersonation.authority"),
    ("您的传票已经寄出。", "impersonation.authority"),
    ("我方已向您发出律师函。", "impersonation.authority"),
    # third parties
    ("我们会联系您的家人。", "third_party.contact"),
    ("您的父母很快就会知道这件事。", "third_party.contact"),
    ("如需帮助请联系您的家人。", "third_party.contact"),
    ("我们将致电您的工作单位说明情况。", "third_party.contact"),
    ("让你老婆帮你还。", "third_party.contact"),
    ("再不还就打爆你的通讯录。", "third_party.contact"),
    ("我们会告诉你的同事和朋友。", "third_party.contact"),
    ("发到朋友圈让大家看看。", "third_party.contact"),
    # misleading legal claims
    ("如不还款，我们将立即起诉。", "misleading.lawsuit"),
    ("明天就起诉你。", "misleading.lawsuit"),
    ("逾期将上征信黑名单。", "misleading.blacklist"),
    ("不还款会影响您的征信。", "misleading.credit"),
    ("法院将强制执行您的房产。", "misleading.enforcement"),
    ("我们会冻结你的银行卡。", "misleading.enforcement"),
    ("你将被列为失信被执行人，限制高消费。", "misleading.enforcement"),
    ("不还钱就要坐牢。", "misleading.detention"),
    ("你会被拘留十五天。", "misleading.detention"),
    ("你已涉嫌诈骗，我们已经报警。", "misleading.crime"),
    # evasion: spaces, punctuation, full width, traditional, pinyin
    ("不 还 钱 就 要 坐 · 牢", "misleading.detention"),
    ("你这个老\u200b赖", "insult"),
    ("ｚｕｏｌａｏ", "misleading.detention"),
    ("你会坐lao的", "misleading.detention"),
    ("ni hui zuo lao", "misleading.detention"),
    ("你這個老賴", "insult"),
    ("联-系-你-的-家-人", "third_party.contact"),
    ("上 征 信 黑 名 单", "misleading.blacklist"),
    # English
    ("Pay now or else.", "threat.harm"),
    ("We will sue you tomorrow.", "misleading.lawsuit"),
    ("We will call your employer.", "third_party.contact"),
    ("You deadbeat.", "insult"),
    ("This is the police.", "impersonation.authority"),
    ("You could go to j a i l.", "misleading.detention"),
]

ALLOWED = [
    "您好，您可以向法院申请司法确认。",
    "调解协议经司法确认后，一方拒绝履行的，对方可以依法向人民法院申请强制执行。",
    "经人民法院确认的调解协议具有强制执行力。",
    "调解不成的，双方均可依法通过诉讼解决。",
    "我们不会联系您的家人或工作单位。",
    "本会不会向您的家人透露案件信息。",
    "请如实填写家庭收入和支出。",
    "您可以委托代理人参加调解。",
    "谨防骗子冒充本会工作人员索要验证码。",
    "请谨防电信诈骗，如遇可疑情况请报警。",
    "如有疑问，请联系本会调解员。",
    "债权人已同意分期还款方案，请登录查看。",
    "请小心点击陌生链接。",
    "申请司法确认的期限至2026年12月30日届满。",
    "我们理解您的困难，愿意一起商量可行的还款安排。",
    "债权人提出了新的方案：首付1000元，其余分12期。",
    "The mediator will call you on Friday at 10:00.",
    "You may ask the court to confirm the agreement.",
    "Please tell us your monthly income.",
    "Julius will call you tomorrow.",  # pinyin counts only as a word of its own (juliu 拘留)
    "您的担保人也会收到通知。",  # a guarantor may be contacted (BRIEF §6)
]


def test_the_table_has_at_least_forty_examples() -> None:
    assert len(REFUSED) + len(ALLOWED) >= 40
    assert {rule for _, rule in REFUSED} == set(RULES_BY_ID)  # every rule has an example


@pytest.mark.parametrize(("text", "rule_id"), REFUSED)
def test_refused_texts_are_found_by_their_rule(text: str, rule_id: str) -> None:
    findings = check(text)
    assert rule_id in {f.rule_id for f in findings}, findings


@pytest.mark.parametrize("text", ALLOWED)
def test_allowed_texts_have_no_finding(text: str) -> None:
    assert check(text) == []


def test_a_finding_points_at_the_words_in_the_original_text() -> None:
    text = "您好。不 还 钱 就 要 坐 · 牢！"
    (finding,) = [f for f in check(text) if f.rule_id == "misleading.detention"]
    assert finding.excerpt == "坐 · 牢"
    assert text[finding.start : finding.end] == "坐 · 牢"
    assert finding.category is Category.MISLEADING
    assert "刑法" in finding.basis
    assert finding.message("en").startswith("Threatens detention")
    assert finding.message("zh_Hans_CN").startswith("以拘留")


def test_highlight_cuts_the_text_into_refused_and_plain_runs() -> None:
    text = "请还款，否则后果自负。"
    runs = highlight(text, check(text))
    assert "".join(piece for piece, _ in runs) == text
    assert [piece for piece, refused in runs if refused] == ["否则后果自负"]


def test_normalise_folds_width_case_and_drops_separators() -> None:
    norm = normalise("Ａ　b，坐\u200b牢")
    assert norm.text == "ab坐牢"
    assert norm.origin == (0, 2, 4, 6)


def test_enforcement_may_be_stated_when_asserted_on_a_case_with_a_ruling() -> None:
    text = "法院已裁定确认调解协议，逾期不履行将被强制执行。"
    ruled = CaseFacts(frozenset({Fact.RULING_RECORDED}))
    (finding,) = check(text, facts=ruled)
    assert finding.rule_id == "misleading.enforcement" and finding.assertable
    assert check(text, facts=ruled, asserted={"misleading.enforcement"}) == []


def test_asserting_a_claim_does_not_help_without_the_fact() -> None:
    text = "我们将立即起诉。"
    (finding,) = check(text, asserted={"misleading.lawsuit"})
    assert not finding.assertable


def test_a_blacklist_is_never_true_and_threats_cannot_be_asserted() -> None:
    everything = CaseFacts(frozenset(Fact))
    ids = {rule.id for rule in RULES}
    assert check("上征信黑名单", facts=everything, asserted=ids)[0].rule_id == (
        "misleading.blacklist"
    )
    assert check("后果自负", facts=everything, asserted=ids)


def test_every_rule_names_its_basis_and_both_languages() -> None:
    for rule in RULES:
        assert rule.basis and rule.message_zh and rule.message_en, rule.id
