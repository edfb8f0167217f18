"""Every legal citation Concord prints, in one table a clerk can check.

A rule id names one article (or one paragraph or item of it) of one law: ``"cpl.205"`` is
《中华人民共和国民事诉讼法》第二百零五条. Findings, documents and templates print citations
through :func:`cite` (templates: the ``cite`` global), never as free text, and the tests
(``tests/unit/test_citations.py``) prove that every citation in the code and templates is
in this table and that every entry is used. Article numbers follow the texts in force on
2026-12-01: the CPL as amended in 2023, the CPL Interpretation as amended in 2022
(法释〔2022〕11号), the private-lending rules as amended in 2020 (法释〔2020〕17号).

Corrections made when the table was drawn up (issue 18):
- 民诉法解释 Art. 357 (withdrawing an application) was cited for staged mediations; the
  court's power to ask for more proof is Art. 356, the rejection of a collusive or
  involuntary agreement is Art. 358, and sham litigation or mediation is CPL Art. 115.
- 《人民法院在线调解规则》 governs mediation on the courts' own platform (人民法院调解
  平台), which Concord is not: it is no longer printed as the source of Concord's own
  mediation period, only named as the model that period follows (``online_mediation.24``).
- 银行卡规定 covers bank-card (credit-card) disputes only (its Art. 2); it is printed
  only to say it does not apply to a loan contract (:mod:`app.rules.rule_sets`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LAWS: dict[str, str] = {
    "cpl": "《中华人民共和国民事诉讼法》",
    "cpl_interp": "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》",
    "cpl_enforcement_interp": (
        "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉执行程序若干问题的解释》"
    ),
    "mediation_law": "《中华人民共和国人民调解法》",
    "civil_code": "《中华人民共和国民法典》",
    "contract_interp": ("《最高人民法院关于适用〈中华人民共和国民法典〉合同编通则若干问题的解释》"),
    "private_lending": "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》",
    "private_lending_2020": (
        "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》（2020年第二次修正）"
    ),
    "private_lending_2015": (
        "《最高人民法院关于审理民间借贷案件适用法律若干问题的规定》（2015年）"
    ),
    "financial_trial_opinions": (
        "《最高人民法院关于进一步加强金融审判工作的若干意见》（法发〔2017〕22号）"
    ),
    "level_notice_2021": (
        "《最高人民法院关于调整中级人民法院管辖第一审民事案件标准的通知》（法发〔2021〕27号）"
    ),
    "limitation_rules": "《最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定》",
    "pipl": "《中华人民共和国个人信息保护法》",
    "esig_law": "《中华人民共和国电子签名法》",
    "holidays": "《全国年节及纪念日放假办法》",
    "online_mediation": "《人民法院在线调解规则》",
    "guarantee_interp": "《最高人民法院关于适用〈中华人民共和国民法典〉有关担保制度的解释》",
    "confirmation_rules": (
        "《最高人民法院关于人民调解协议司法确认程序的若干规定》（法释〔2011〕5号）"
    ),
}

# Short names used in prose (docstrings, comments) → the law's key.
ALIASES: dict[str, str] = {
    "《民事诉讼法》": "cpl",
    "《人民调解法》": "mediation_law",
    "《民法典》": "civil_code",
}


@dataclass(frozen=True)
class Citation:
    law: str  # a key of LAWS
    article: str  # as printed: "第二百零五条", "第三百五十八条第五项"
    short: str  # what it says, in a few English words (for the README and reviewers)

    @property
    def text(self) -> str:
        return f"{LAWS[self.law]}{self.article}"


def _c(law: str, article: str, short: str) -> Citation:
    return Citation(law, article, short)


CITATIONS: dict[str, Citation] = {
    # 民事诉讼法 (2023)
    "cpl.22": _c("cpl", "第二十二条", "domicile and habitual residence for jurisdiction"),
    "cpl.61": _c("cpl", "第六十一条", "who may act as an agent ad litem"),
    "cpl.62": _c("cpl", "第六十二条", "power of attorney; special authorisation to settle"),
    "cpl.85": _c("cpl", "第八十五条", "counting periods; a period ending on a holiday"),
    "cpl.90": _c("cpl", "第九十条", "electronic service with the addressee's consent"),
    "cpl.114": _c("cpl", "第一百一十四条", "sanctions for obstructing proceedings"),
    "cpl.115": _c("cpl", "第一百一十五条", "sham litigation or mediation"),
    "cpl.205": _c("cpl", "第二百零五条", "where and when to apply for judicial confirmation"),
    "cpl.205.2": _c(
        "cpl", "第二百零五条第二项", "intermediate court when within its first-instance reach"
    ),
    "cpl.206": _c("cpl", "第二百零六条", "ruling on the application; enforcement"),
    "cpl.235": _c("cpl", "第二百三十五条", "which court enforces a ruling"),
    "cpl.250": _c("cpl", "第二百五十条", "two years to apply for enforcement"),
    # 民诉法解释 (2022)
    "cpl_interp.3": _c("cpl_interp", "第三条", "a citizen's domicile is the registration"),
    "cpl_interp.4": _c("cpl_interp", "第四条", "habitual residence of a year or more"),
    "cpl_interp.66": _c(
        "cpl_interp", "第六十六条", "the guarantor and the debtor sued together as co-defendants"
    ),
    "cpl_interp.89": _c(
        "cpl_interp", "第八十九条", "a general mandate does not allow settling a claim"
    ),
    "cpl_interp.351": _c("cpl_interp", "第三百五十一条", "parties apply in person or by agent"),
    "confirmation_rules.3": _c(
        "confirmation_rules",
        "第三条",
        "the application attaches identity and qualification proof; a signed POA",
    ),
    "cpl_interp.354": _c(
        "cpl_interp", "第三百五十四条", "what the application must contain and attach"
    ),
    "cpl_interp.355": _c("cpl_interp", "第三百五十五条", "when the court refuses to accept"),
    "cpl_interp.356": _c(
        "cpl_interp", "第三百五十六条", "court may require more statements or proof"
    ),
    "cpl_interp.358": _c(
        "cpl_interp", "第三百五十八条", "rejection: unlawful, harms others, involuntary, unclear"
    ),
    "cpl_interp.358.5": _c(
        "cpl_interp", "第三百五十八条第五项", "rejection when the content is unclear"
    ),
    "cpl_interp.372": _c("cpl_interp", "第三百七十二条", "objection to the ruling in 15 days"),
    "cpl_interp.481": _c(
        "cpl_interp", "第四百八十一条", "late enforcement application: accepted, may be opposed"
    ),
    "cpl_enforcement_interp.20": _c(
        "cpl_enforcement_interp", "第二十条", "interruption of the enforcement period"
    ),
    "limitation_rules.14": _c("limitation_rules", "第十四条", "a demand interrupts limitation"),
    # 人民调解法
    "mediation_law.3": _c("mediation_law", "第三条", "voluntary, lawful mediation"),
    "mediation_law.13": _c("mediation_law", "第十三条", "the committee's mediators"),
    "mediation_law.14": _c("mediation_law", "第十四条", "mediators' qualifications, appointment"),
    "mediation_law.17": _c("mediation_law", "第十七条", "mediation only if no party refuses"),
    "mediation_law.23": _c("mediation_law", "第二十三条", "parties may end the mediation"),
    "mediation_law.26": _c("mediation_law", "第二十六条", "mediation that fails is ended"),
    "mediation_law.27": _c("mediation_law", "第二十七条", "mediation records and files are kept"),
    "mediation_law.29": _c("mediation_law", "第二十九条", "content and effect of the agreement"),
    "mediation_law.33": _c("mediation_law", "第三十三条", "30 days to apply for confirmation"),
    # 民法典
    "civil_code.17": _c("civil_code", "第十七条", "adults are 18 or older"),
    "civil_code.18.2": _c(
        "civil_code", "第十八条第二款", "16-17 living on own labour income: full capacity"
    ),
    "civil_code.19": _c("civil_code", "第十九条", "minors of 8 or older: limited capacity"),
    "civil_code.145": _c("civil_code", "第一百四十五条", "acts of a person of limited capacity"),
    "civil_code.173": _c("civil_code", "第一百七十三条", "when an agency ends"),
    "civil_code.188": _c("civil_code", "第一百八十八条", "three-year limitation"),
    "civil_code.189": _c("civil_code", "第一百八十九条", "instalments: from the last one"),
    "civil_code.195": _c("civil_code", "第一百九十五条", "interruption of limitation"),
    "civil_code.201": _c("civil_code", "第二百零一条", "a period starts the next day"),
    "civil_code.203": _c("civil_code", "第二百零三条", "a period ending on a holiday"),
    "civil_code.543": _c("civil_code", "第五百四十三条", "contracts changed by agreement"),
    "civil_code.518": _c("civil_code", "第五百一十八条", "joint debts"),
    "civil_code.545": _c("civil_code", "第五百四十五条", "assignment of claims"),
    "civil_code.546": _c("civil_code", "第五百四十六条", "notice of assignment to the debtor"),
    "civil_code.561": _c("civil_code", "第五百六十一条", "order of applying payments"),
    "civil_code.575": _c("civil_code", "第五百七十五条", "release of a debt"),
    "civil_code.585": _c("civil_code", "第五百八十五条", "penalties and their reduction"),
    "civil_code.670": _c("civil_code", "第六百七十条", "interest deducted in advance"),
    "civil_code.687": _c("civil_code", "第六百八十七条", "a general guarantor's defence"),
    "civil_code.695": _c(
        "civil_code", "第六百九十五条", "the principal contract changed: the guarantor's consent"
    ),
    "guarantee_interp.26": _c(
        "guarantee_interp", "第二十六条", "a general guarantor sued with the debtor: the rest only"
    ),
    "contract_interp.65": _c("contract_interp", "第六十五条", "penalty over 30% of the loss"),
    # 民间借贷规定
    "private_lending.1": _c("private_lending", "第一条", "scope: lending outside institutions"),
    "private_lending.1.2": _c(
        "private_lending", "第一条第二款", "licensed lending institutions are outside its scope"
    ),
    "private_lending.25": _c("private_lending", "第二十五条", "interest cap: 4 × one-year LPR"),
    "private_lending.26": _c("private_lending", "第二十六条", "interest deducted in advance"),
    "private_lending.28": _c("private_lending", "第二十八条", "overdue interest"),
    "private_lending.29": _c("private_lending", "第二十九条", "interest, penalty, fees together"),
    "private_lending.31": _c("private_lending", "第三十一条", "contracts before 2020-08-20"),
    "private_lending_2020.25": _c("private_lending_2020", "第二十五条", "the new line: 4 × LPR"),
    "private_lending_2020.31": _c(
        "private_lending_2020", "第三十一条", "transitional rule for older contracts"
    ),
    "private_lending_2015.26": _c("private_lending_2015", "第二十六条", "the old 24% / 36% lines"),
    "financial_trial_opinions.2": _c(
        "financial_trial_opinions", "第二条", "financial loans: charges above 24% may be cut"
    ),
    "level_notice_2021.1": _c(
        "level_notice_2021",
        "第一条",
        "intermediate court from 500 million yuan, parties all in or out",
    ),
    "level_notice_2021.2": _c(
        "level_notice_2021", "第二条", "intermediate court from 100 million yuan, one party outside"
    ),
    # other statutes
    "pipl.28": _c("pipl", "第二十八条", "sensitive personal information"),
    "pipl.51": _c("pipl", "第五十一条", "security measures for personal information"),
    "esig_law.13": _c("esig_law", "第十三条", "a reliable electronic signature"),
    "esig_law.14": _c("esig_law", "第十四条", "equals a handwritten signature or seal"),
    "holidays.2": _c("holidays", "第二条", "the public holidays"),
    "online_mediation.24": _c(
        "online_mediation", "第二十四条", "courts' platform: 30-day online mediation period"
    ),
}

# Built from pieces so that no ASCII bracket touches a Chinese character in one literal.
_DI, _TIAO, _NUM = "第", "条", "[一二三四五六七八九十百零]+"
_SUB = "[一二三四五六七八九十]+[款项]"
_ARTICLE = f"{_DI}{_NUM}{_TIAO}(?:{_DI}{_SUB})?"
_TITLE = "《[^》]+》"
_EDITION = "（[^）]*）"
_LIST_SEP = "、"
_CITED = re.compile(f"({_TITLE}(?:{_EDITION})?)((?:{_ARTICLE})(?:{_LIST_SEP}(?:{_ARTICLE}))*)")


def cite(*ids: str) -> str:
    """The printed citation of ``ids``, articles of one law joined by 、 and laws by ；:
    ``cite("cpl.205", "cpl.85", "mediation_law.33")`` is
    "《中华人民共和国民事诉讼法》第二百零五条、第八十五条；《中华人民共和国人民调解法》第三十三条".
    Raises ``KeyError`` for an id not in the table."""
    groups: list[tuple[str, list[str]]] = []
    for rule_id in ids:
        citation = CITATIONS[rule_id]
        if groups and groups[-1][0] == citation.law:
            groups[-1][1].append(citation.article)
        else:
            groups.append((citation.law, [citation.article]))
    return "；".join(LAWS[law] + "、".join(articles) for law, articles in groups)


def citations_in(text: str) -> list[tuple[str, str]]:
    """Every (law title, article) cited in ``text`` — "《…》第…条" and lists such as
    "第二百零五条、第八十五条" — with short titles (《民事诉讼法》) read as the full ones."""
    found: list[tuple[str, str]] = []
    for match in _CITED.finditer(text):
        title = match.group(1)
        key = ALIASES.get(title)
        title = LAWS[key] if key else title
        found.extend((title, article) for article in re.findall(_ARTICLE, match.group(2)))
    return found


def known(title: str, article: str) -> bool:
    """Whether the table holds this article of this law."""
    return any(c.text == title + article for c in CITATIONS.values())
