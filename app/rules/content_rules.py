"""The rule table of the content checker (:mod:`app.rules.content_check`).

Patterns run over the normalised text (no spaces or punctuation, lower case, half-width,
each Chinese character also matching its pinyin), so English patterns are written
without spaces too ("sueyou"). Each rule names its legal or regulatory basis:

- 《民法典》Art. 1024: no one may infringe another's reputation by insult or defamation
  (名誉是对民事主体的品德、声望、才能、信用等的社会评价).
- 《治安管理处罚法》(2012 text) Art. 42: threatening another's personal safety, public
  insult, repeatedly sending insulting or threatening messages that disturb another's
  life; Art. 51: impersonating state functionaries to swindle (冒充国家机关工作人员招摇撞骗).
  The revised law in force from 1 January 2026 renumbers these articles; the numbers
  here are those of the 2012 text (not verified against the new numbering).
- 《商业银行信用卡业务监督管理办法》Art. 68: collect from the debtor and the guarantor
  only, never from a third party unrelated to the debt; no violence, coercion,
  intimidation or insult (不得使用暴力、胁迫、恐吓或辱骂等不正当手段).
- 《银行保险机构消费者权益保护管理办法》(NFRA 2022) Art. 41 on collection: no violence,
  intimidation or deceit, no disclosure of the debt to unrelated third parties, no
  impersonation of judicial or administrative bodies (article number as summarised by
  secondary sources; not checked against the official text).
- 《个人信息保护法》Arts. 6, 10, 23: telling a third party about the debt is processing
  (disclosing) the debtor's personal information beyond the purpose, without consent.
- Misleading legal claims: 民法典 Art. 148 (fraud) and the prohibition of deceit in
  collection above; a civil debt is not a crime, and a mediator is not a court.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    THREAT = "threat"
    INSULT = "insult"
    IMPERSONATION = "impersonation"
    THIRD_PARTY = "third_party"
    MISLEADING = "misleading"


class Fact(StrEnum):
    """Facts of a case that can make a legal statement true."""

    LAWSUIT_FILED = "lawsuit_filed"  # the creditor has really sued on this debt
    RULING_RECORDED = "ruling_recorded"  # the court confirmed the agreement (enforceable)
    CREDIT_REPORTING = "credit_reporting"  # the creditor reports to the credit reference system


@dataclass(frozen=True)
class CaseFacts:
    facts: frozenset[Fact] = frozenset()

    def has(self, fact: Fact | None) -> bool:
        return fact is not None and fact in self.facts


@dataclass(frozen=True)
class Rule:
    """One refusal: ``patterns`` are regular expressions over the normalised text (each
    Chinese character also matches its pinyin); a match inside one of ``allow`` (lawful
    information such as "可以申请强制执行") or right after a negation ("不会联系您的家人")
    is no finding. ``true_when`` names the fact that makes the statement true (see the
    module docstring); None: never lawful."""

    id: str
    category: Category
    patterns: tuple[str, ...]
    message_zh: str
    message_en: str
    basis: str
    allow: tuple[str, ...] = ()
    true_when: Fact | None = None
    negatable: bool = False


C = Category
_YOU = r"(?:您|你)?(?:的)?"
_RELATIVES = (
    r"(?:家人|家属|家里人|父母|爸妈|爸爸|妈妈|父亲|母亲|老婆|老公|妻子|丈夫|配偶|爱人|"
    r"子女|孩子|儿子|女儿|亲戚|亲属|亲友|兄弟|姐妹|爷爷|奶奶)"
)
_OTHERS = (
    r"(?:朋友|同事|同学|领导|上司|老板|工作单位|单位领导|雇主|邻居|村委会?|居委会?|"
    r"学校|老师|紧急联系人)"
)
_TELL = (
    r"(?:联系|通知|告诉|告知|转告|知道|知晓|打电话|致电|发短信|短信|找|上门|拜访|走访|"
    r"曝光|公开|说明情况|发函|寄送|代还|代偿|帮您还|帮你还|替您还|替你还|催)"
)
_BASIS_THREAT = (
    "《治安管理处罚法》第42条（2012年文本）；《商业银行信用卡业务监督管理办法》第68条"
    "（不得恐吓、胁迫）"
)
_BASIS_INSULT = "《民法典》第1024条（名誉权）；《治安管理处罚法》第42条（2012年文本）"
_BASIS_IMPERSONATION = (
    "《治安管理处罚法》第51条（2012年文本，冒充国家机关工作人员）；"
    "《银行保险机构消费者权益保护管理办法》第41条（不得冒充司法机关）"
)
_BASIS_THIRD = (
    "《商业银行信用卡业务监督管理办法》第68条（不得向与债务无关的第三人催收）；"
    "《个人信息保护法》第6、10、23条"
)
_BASIS_MISLEADING = "《民法典》第148条；《银行保险机构消费者权益保护管理办法》第41条（不得欺诈）"

RULES: tuple[Rule, ...] = (
    Rule(
        "threat.harm",
        C.THREAT,
        (
            r"后果自负|走着瞧|等着瞧|你等着|别怪我|对你不客气|对您不客气|不会放过|让你好看|"
            r"弄死|打死|砍死|杀了你|废了你|出门小心|小心你的|注意(?:您|你)的?(?:人身)?安全|"
            r"家破人亡|死全家|身败名裂|社会性死亡",
            r"orelse|youwillregret|wewillfindyou|weknowwhereyoulive|watchyourback",
        ),
        "含有威胁、恐吓内容。",
        "Contains a threat or intimidation.",
        _BASIS_THREAT,
    ),
    Rule(
        "threat.pressure",
        C.THREAT,
        (
            r"最后通牒|最后一次(?:机会|通知|警告)|限你|今天必须还|今天之内必须|否则后果",
            r"finalwarning|lastchance",
        ),
        "以施压、恐吓方式催促还款。",
        "Pressures the debtor with an ultimatum.",
        _BASIS_THREAT,
    ),
    Rule(
        "threat.visit",
        C.THREAT,
        (r"上门催收|上门找|上门拜访|上门走访|到你家|到您家|去你家|去您家|堵你|堵您",),
        "声称上门催收或到住所找人。",
        "Announces a visit to the debtor's home.",
        _BASIS_THREAT,
        negatable=True,
    ),
    Rule(
        "insult",
        C.INSULT,
        (
            r"老赖|骗子|无赖|垃圾|废物|不要脸|畜生|混蛋|王八蛋|去死|傻逼|煞笔|傻b|狗东西|人渣|"
            r"丢人现眼|没良心|不得好死|寄生虫",
            r"deadbeat|scum|idiot|loser|bastard|shameless",
        ),
        "含有侮辱、贬损人格的用语。",
        "Contains an insult.",
        _BASIS_INSULT,
        allow=(r"(?:谨防|警惕|防范|小心|当心|提防)(?:冒充\w{0,8})?骗子", r"垃圾(?:短信|邮件)"),
    ),
    Rule(
        "impersonation.authority",
        C.IMPERSONATION,
        (
            r"(?:我|我们|本人|我方|本会|本机构|本公司|本平台)(?:是|系|为|代表|来自)\w{0,6}"
            r"(?:法院|法官|警察|民警|公安|派出所|检察院|检察官|律师|司法机关|执行局|仲裁委)",
            r"(?:法院|公安局|公安机关|派出所|检察院)(?:工作人员|民警|法官)?(?:通知您|通知你|正式通知)",
            r"传票|律师函|司法文书送达|执行通知书",
            r"thisisthepolice|wearethepolice|onbehalfofthecourt|wearethecourt|"
            r"wearelawyers|thisisyourlawyer|courtsummons",
        ),
        "冒充或暗示代表法院、公安、律师等机关或人员。",
        "Impersonates or claims to speak for a court, the police or lawyers.",
        _BASIS_IMPERSONATION,
    ),
    Rule(
        "third_party.contact",
        C.THIRD_PARTY,
        (
            rf"{_TELL}\w{{0,6}}{_RELATIVES}",
            rf"{_RELATIVES}\w{{0,6}}{_TELL}",
            rf"{_TELL}\w{{0,6}}{_OTHERS}",
            rf"{_OTHERS}\w{{0,6}}{_TELL}",
            r"通讯录|朋友圈",
            r"(?:contact|call|tell|inform|notify|visit|text)(?:your)?"
            r"(?:family|wife|husband|parents|mother|father|children|relatives|employer|boss|"
            r"colleagues|coworkers|friends|neighbou?rs)",
            r"contactlist|addressbook",
        ),
        "提及联系或告知债务人以外的第三人（家人、单位、朋友、同事等）。",
        "Mentions contacting or telling a third party (family, employer, friends, colleagues).",
        _BASIS_THIRD,
        negatable=True,
    ),
    Rule(
        "misleading.lawsuit",
        C.MISLEADING,
        (
            r"(?:立即|马上|立刻|即将|已经|已|将|准备|就会?|今天|明天|随时)(?:对您|对你|向法院)?"
            r"(?:起诉|提起诉讼)",
            r"起诉(?:您|你)",
            r"(?:will|going\w{0,2})sueyou|takeyoutocourt",
        ),
        "声称将要或已经起诉；除非本案确已起诉，否则属于误导。",
        "Claims a lawsuit is coming or filed; misleading unless it really was filed.",
        _BASIS_MISLEADING,
        true_when=Fact.LAWSUIT_FILED,
    ),
    Rule(
        "misleading.blacklist",
        C.MISLEADING,
        (r"黑名单|拉黑", r"blacklist"),
        "声称列入“征信黑名单”：征信系统没有黑名单，此说法不实。",
        "Claims a credit 'blacklist': the credit reference system has none.",
        _BASIS_MISLEADING + "；《征信业管理条例》",
    ),
    Rule(
        "misleading.credit",
        C.MISLEADING,
        (
            r"上征信|报送征信|影响(?:您|你)?的?征信|征信(?:受影响|有污点|花了|黑了|完了|有记录)|"
            r"列入征信",
            r"creditrecord|creditreport|creditscore",
        ),
        "以征信后果施压；除非债权人确为报送征信的机构，否则属于误导。",
        "Threatens the credit record; misleading unless the creditor really reports to it.",
        _BASIS_MISLEADING + "；《征信业管理条例》第15条（不良信息报送前告知）",
        true_when=Fact.CREDIT_REPORTING,
    ),
    Rule(
        "misleading.enforcement",
        C.MISLEADING,
        (
            r"强制执行|冻结\w{0,4}(?:银行卡|账户|工资|资产|财产)|查封|拍卖\w{0,4}房|扣划|"
            r"失信被执行人|限制高消费|限高|限制出行|不能坐(?:高铁|飞机)",
            r"garnish|seizeyour|freezeyour|bailiff",
        ),
        "声称强制执行等后果；仅在法院裁定确认、协议可申请执行时属实。",
        "Claims enforcement; true only once a court ruling makes the agreement enforceable.",
        _BASIS_MISLEADING + "；《民事诉讼法》第205、206条（司法确认及申请执行）",
        allow=(
            r"(?:可以|可|有权|依法|均可)(?:向\w{0,8}法院)?申请强制执行",
            r"强制执行力",
        ),
        true_when=Fact.RULING_RECORDED,
    ),
    Rule(
        "misleading.detention",
        C.MISLEADING,
        (r"拘留|坐牢|判刑|拒执罪|拒不执行判决", r"jail|prison"),
        "以拘留、坐牢等刑事或强制措施施压；仅在法院裁定后拒不履行时才可能发生。",
        "Threatens detention or prison; possible only after a court order is refused.",
        _BASIS_MISLEADING + "；《刑法》第313条（拒不执行判决、裁定罪）",
        true_when=Fact.RULING_RECORDED,
    ),
    Rule(
        "misleading.crime",
        C.MISLEADING,
        (
            r"刑事责任|刑事立案|涉嫌(?:诈骗|犯罪|违法)|诈骗罪|逮捕|抓你|抓您|报警|"
            r"公安已?介入|警方已?介入|警察上门",
            r"arrest|criminal|police",
        ),
        "把民事债务说成犯罪或称公安介入，属于误导。",
        "Presents a civil debt as a crime or claims the police are involved.",
        _BASIS_MISLEADING,
        allow=(r"(?:谨防|警惕|防范)\w{0,10}(?:诈骗|报警)", r"如遇\w{0,10}(?:诈骗)?\w{0,4}报警"),
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
NO_FACTS = CaseFacts()
