"""The content checker: what a creditor's or mediator's text to a debtor may not say.

Every text that reaches a debtor — an outbound template an organisation edited, a
message in a thread the debtor reads, an answer to the debtor's objection, a reason given
for turning the debtor's proposal down — is checked against the rule table of
:mod:`app.rules.content_rules`: no threats, no insults, no impersonation of courts,
police or lawyers, no contacting or telling third parties (family, employer, friends,
colleagues), no misleading legal claims. The debtor's own words are never checked: the
rules protect the debtor.

The check returns findings (rule, span in the original text, message in both languages,
legal basis), not a bool, so the form can highlight what was refused.

Evasion. The text is normalised before the rules run (:func:`normalise`): full-width
forms folded to half-width (NFKC), letters lower-cased, a few traditional characters
folded to simplified, and everything that is not a letter, digit or CJK character
dropped, so "坐 牢", "坐·牢", "坐 ＿ 牢" and "坐\u200b牢" read "坐牢". Every Chinese character
of a pattern also matches its toneless pinyin (:func:`fuzzy`), so "zuolao", "坐lao" and
"ZUO LAO" read "坐牢" (pinyin alone counts only as a word of its own: "Julius" is not
拘留). Homophone characters (正信 for 征信) are not caught: a sender who works that hard
leaves a message a mediator and a complaint will see.

"Unless true": some legal statements are lawful when they are facts of the case (a case
whose agreement the court confirmed may be enforced; a licensed lender does report
overdue loans to the credit reference system). Such a rule names the fact that makes
it true (:class:`CaseFacts`); its finding is waived only when the sender consciously
asserts the statement (``asserted`` holds the rule's id) AND the case has the fact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache

from pypinyin import Style, lazy_pinyin

from app.rules.content_rules import NO_FACTS, RULES, CaseFacts, Category, Rule


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: Category
    start: int  # span in the ORIGINAL text, end exclusive
    end: int
    excerpt: str
    message_zh: str
    message_en: str
    basis: str
    assertable: bool  # the sender may assert it as true on this case

    def message(self, locale: str) -> str:
        return self.message_en if locale.startswith("en") else self.message_zh


# --- normalisation ------------------------------------------------------------------

# Traditional forms of the characters the rules look for (full conversion is not needed:
# only these have to fold for the patterns to match).
_TRADITIONAL = str.maketrans(
    "們師親屬執訴罰監獄騙賴單門來銀紀錄聯係繫絡話說囉從這個將會讓後負擔幫還錢訊黑學鄰員處書傳禁號僱闆媽爺奶兒債徵",
    "们师亲属执诉罚监狱骗赖单门来银纪录联系系络话说啰从这个将会让后负担帮还钱讯黑学邻员处书传禁号雇板妈爷奶儿债征",
)


@dataclass(frozen=True)
class Normalised:
    text: str  # letters, digits and CJK only, lower case, simplified, half-width
    origin: tuple[int, ...]  # for each character of ``text``, its index in the original

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin[start], self.origin[end - 1] + 1


def _kept(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def normalise(raw: str) -> Normalised:
    """``raw`` as the rules read it, with the way back to the original's positions."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(raw):
        for folded in unicodedata.normalize("NFKC", char).casefold().translate(_TRADITIONAL):
            if _kept(folded):
                chars.append(folded)
                origin.append(index)
    return Normalised("".join(chars), tuple(origin))


# --- patterns -----------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _pinyin(char: str) -> str:
    syllable = lazy_pinyin(char, style=Style.NORMAL)[0].lower()
    return syllable if syllable.isascii() and syllable.isalpha() else ""


def fuzzy(pattern: str) -> str:
    """``pattern`` with every Chinese character also matching its toneless pinyin."""

    def either(match: re.Match[str]) -> str:
        char = match.group(0)
        syllable = _pinyin(char)
        return f"(?:{char}|{syllable})" if syllable else char

    return _CJK.sub(either, pattern)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(fuzzy(pattern))


# A negation right before a match turns it into a reassurance: "我们不会联系您的家人".
_NEGATION = re.compile(
    fuzzy(
        r"(?:不会|不得|不能|绝不|决不|不要|从不|从未|并未|没有|不)(?:再)?(?:向|对|与|和|跟|去|找)?(?:您|你)?(?:的)?$"
    )
)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 12) : start]))


def _inside_a_word(raw: str, matched: str, first: int, last: int) -> bool:
    """A Chinese pattern matched by pinyin alone counts only as a word of its own: "Julius"
    does not say 拘留, "zuo lao" and "你会zuolao的" do say 坐牢."""
    if not matched.isascii():
        return False
    before = raw[first - 1] if first > 0 else " "
    after = raw[last] if last < len(raw) else " "
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha())


def _allowed(rule: Rule, text: str, start: int, end: int) -> bool:
    for pattern in rule.allow:
        for match in _compiled(pattern).finditer(text):
            if match.start() <= start and end <= match.end():
                return True
    return False


# --- the check ----------------------------------------------------------------------


def check(
    raw: str,
    rules: Sequence[Rule] = RULES,
    *,
    facts: CaseFacts = NO_FACTS,
    asserted: Collection[str] = (),
) -> list[Finding]:
    """The findings of ``rules`` (by default the whole table) on ``raw``, in text order,
    one per rule and place. Empty: the text may be sent."""
    norm = normalise(raw)
    found: list[Finding] = []
    for rule in rules:
        true_here = facts.has(rule.true_when)
        if true_here and rule.id in asserted:
            continue  # the sender asserts it, and the case makes it true
        for pattern in rule.patterns:
            for match in _compiled(pattern).finditer(norm.text):
                start, end = match.span()
                if end == start or _allowed(rule, norm.text, start, end):
                    continue
                if rule.negatable and _negated(norm.text, start):
                    continue
                first, last = norm.span(start, end)
                if _CJK.search(pattern) and _inside_a_word(raw, match.group(0), first, last):
                    continue
                found.append(
                    Finding(
                        rule_id=rule.id,
                        category=rule.category,
                        start=first,
                        end=last,
                        excerpt=raw[first:last],
                        message_zh=rule.message_zh,
                        message_en=rule.message_en,
                        basis=rule.basis,
                        assertable=true_here,
                    )
                )
    return _distinct(found)


def _distinct(found: list[Finding]) -> list[Finding]:
    """One finding per rule and span, in text order."""
    seen: set[tuple[str, int, int]] = set()
    kept = []
    for finding in sorted(found, key=lambda f: (f.start, f.end, f.rule_id)):
        key = (finding.rule_id, finding.start, finding.end)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def highlight(raw: str, findings: Sequence[Finding]) -> list[tuple[str, bool]]:
    """``raw`` cut into (piece, refused) runs, for showing the findings in place."""
    marked = [False] * len(raw)
    for finding in findings:
        for index in range(finding.start, min(finding.end, len(raw))):
            marked[index] = True
    runs: list[tuple[str, bool]] = []
    for char, flag in zip(raw, marked, strict=True):
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs
