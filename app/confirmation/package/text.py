"""The fixed Chinese text of the judicial-confirmation package: section titles,
the request and reasons of the joint application, the commitment letter, the notes of the
address-for-service confirmation and the names of the timeline's events. What people
typed never goes into these sentences; it is printed as data next to them."""

from __future__ import annotations

from datetime import date

from app.rules.citations import cite

# (number, title, HTML id), in the order the court reads them (民诉法解释 Art. 354: the
# application, the agreement, the proof of mediation, identities, evidence; then service,
# commitments and the signature report).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("一", "司法确认申请书", "sec-application"),
    ("二", "调解协议书", "sec-agreement"),
    ("三", "调解组织主持调解的证明", "sec-presiding"),
    ("四", "当事人身份和资格证明", "sec-identity"),
    ("五", "证据目录及利息、费用计算表", "sec-evidence"),
    ("六", "送达地址确认书", "sec-service"),
    ("七", "承诺书", "sec-commitment"),
    ("八", "电子签名验证报告", "sec-report"),
)

LICENCE_ZH = {
    "bank": "银行业金融机构",
    "consumer_finance": "消费金融公司",
    "other_licensed": "其他持牌金融机构或地方金融组织",
    "private_lender": "非金融机构出借人",
    "asset_manager": "资产管理公司",
}

# The events of the case's story the proof of presiding lists (人民调解法 Art. 15: what
# was said in the mediation stays out; only that it happened, when and by whom).
TIMELINE_ZH = {
    "case:submit": "债权人提交调解申请",
    "case:accept": "调解组织受理案件并指派调解员",
    "case:invite": "向债务人发出调解邀请",
    "case:debtor:join": "债务人核验身份并同意参加调解",
    "case:minutes:confirm": "调解笔录经各方签名确认",
    "case:party:add": "列明保证人或共同借款人",
    "case:party:join": "保证人或共同借款人核验身份并同意参加调解",
    "case:objection:raise": "债务人提出异议",
    "case:objection:answer": "债权人答复异议",
    "case:objection:resolve": "异议经调解解决",
    "case:objection:withdraw": "债务人撤回异议",
    "case:proposal:submit": "提出还款方案",
    "case:proposal:counter": "提出还款反方案",
    "case:proposal:accept": "接受还款方案",
    "case:proposal:reject": "拒绝还款方案",
    "case:proposal:withdraw": "撤回还款方案",
    "case:agreement:draft": "调解员拟定调解协议",
    "case:agreement:sign": "签署调解协议",
    "case:agreement:in_force": "调解协议生效",
}

# 民诉法解释 Art. 358; 人民调解法 Art. 3; CPL 2023 Arts. 114, 115 (false statements, collusion);
# 《最高人民法院关于人民调解协议司法确认程序的若干规定》(法释〔2011〕5号) (liability to others).
COMMITMENTS: tuple[str, ...] = (
    "申请司法确认的调解协议是在调解组织主持下自愿达成的，不存在欺诈、胁迫、乘人之危等情形，"
    "是本方的真实意思表示。",
    "本方提交的申请材料和证据真实、合法、完整，不存在伪造、变造的情形。",
    "调解协议的内容不违反法律、行政法规的强制性规定，不违背公序良俗。",
    "本方与对方当事人之间不存在恶意串通、规避法律的情形，调解协议不损害国家利益、"
    "社会公共利益或者案外人的合法权益。",
    # 法释〔2011〕5号 and the courts' form of the 承诺书.
    "如因该协议内容给他人造成损害的，愿意承担相应的民事责任。",
    "如有虚假陈述或者提供虚假材料，本方愿意承担相应的法律责任，"
    f"包括依照{cite('cpl.114', 'cpl.115')}的规定承担的责任。",
)

# 《最高人民法院关于进一步加强民事送达工作的若干意见》(法发〔2017〕19号) 第三条至第八条;
# CPL 2023 Art. 90 (electronic service).
SERVICE_NOTES: tuple[str, ...] = (
    "当事人应当如实提供确切的送达地址；送达地址发生变更的，应当及时书面告知人民法院。",
    "因提供或者确认的送达地址不准确、送达地址变更未及时告知人民法院、当事人本人或者指定的"
    "代收人拒绝签收，导致法律文书未能被当事人实际接收的，邮寄送达的，以文书退回之日视为"
    "送达之日。",
    f"同意电子送达的，以送达信息到达受送达人特定系统的日期为送达日期（{cite('cpl.90')}）。",
    "本确认书适用于司法确认程序以及确认裁定作出后的执行程序。",
)

CREDITOR_E_SERVICE_TEXT = "债权人同意人民法院通过上述电子邮箱、手机号码以电子方式送达诉讼文书。"

SIGNED_ONCE_TEXT = (
    "本方以在司法确认申请书上所作的同一电子签名签署本文件；"
    "该电子签名覆盖本申请材料的全部内容（见第一部分申请人签名处）。"
)


def cn_day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def application_request(effective_on: date, organisation: str) -> str:
    """The request of the joint application (CPL 2023 Art. 205; 人民调解法 Art. 33)."""
    day = cn_day(effective_on)
    return f"请求人民法院确认申请人于{day}经{organisation}主持调解达成的调解协议有效。"


def application_reasons(
    organisation: str, reference: str, effective_on: date, *, more_than_two: bool = False
) -> list[str]:
    """The reasons of the joint application; with a guarantor or co-borrower the parties
    are 各方 (all of them apply jointly, 民诉法解释 Art. 353), not 双方."""
    day = cn_day(effective_on)
    sides = "各方" if more_than_two else "双方"
    return [
        f"上述纠纷经{organisation}主持调解，{sides}当事人于{day}达成调解协议（案号：{reference}）。"
        f"该协议经{sides}当事人签名、调解员签名并加盖调解组织印章，自{day}起生效。",
        f"该调解协议是{sides}当事人在平等、自愿的基础上达成的，是{sides}的真实意思表示，"
        "内容不违反法律、行政法规的强制性规定，不损害国家利益、社会公共利益和他人合法权益。",
        f"根据{cite('cpl.205')}、{cite('mediation_law.33')}的规定，{sides}当事人"
        "自调解协议生效之日起三十日内共同向贵院提出申请，"
        "请求依法确认该调解协议有效。",
    ]
