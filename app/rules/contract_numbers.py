"""Does the contract number on the case match the one in the evidence?

The application names the contract the debt arises from; a clerk compares it with the
contract in the evidence (民诉法解释 Art. 355(4): facts the evidence does not support;
Art. 358(5): unclear content). Where the evidence states a number (a text-layer PDF, or
the file's description), a different number is a warning for the mediator, never a block:
a scanned contract shows no number, and a bank may print a second internal number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from app.rules.citations import cite
from app.rules.claims import Finding, Severity

# A contract number that differs from the evidence is a doubt the court asks the parties to
# resolve (民诉法解释 Art. 356) before it finds the agreement clear (Art. 358(5)); Art. 355,
# cited before, lists the grounds for refusing to accept, of which this is none.
SOURCE_CONTRACT_NUMBER = cite("cpl_interp.356", "cpl_interp.358.5")
# 合同编号：HT-2024-001 / 合同号 HT-2024-001 / 借款合同编号:... / Contract No. HT-2024-001
_LABELS = ("合同编号", "合同号码", "合同号")  # the longest first
_LABELLED = re.compile(
    "(?:" + "|".join(_LABELS) + r"|Contract\s*(?:No\.?|number))\s*[:\uff1a]?\s*"
    r"(?P<number>[A-Za-z0-9][A-Za-z0-9\-_/]{2,63})",
    re.IGNORECASE,
)


def normalise_number(number: str) -> str:
    """Full-width characters to ASCII (NFKC), spaces out, upper case: how numbers compare."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", number)).upper()


def contract_numbers_in(text: str) -> frozenset[str]:
    """The contract numbers a text states after a label such as 合同编号 (normalised)."""
    flat = unicodedata.normalize("NFKC", text)
    return frozenset(normalise_number(m.group("number")) for m in _LABELLED.finditer(flat))


def check_contract_number(
    case_number: str | None, evidence: Iterable[tuple[str, frozenset[str]]]
) -> list[Finding]:
    """A warning naming every evidence file that states a contract number, none of which
    is the case's. Nothing when the case has no number or no file states one."""
    if not case_number or not case_number.strip():
        return []
    wanted = normalise_number(case_number)
    differing = [(name, sorted(numbers)) for name, numbers in evidence if numbers]
    differing = [(name, numbers) for name, numbers in differing if wanted not in numbers]
    if not differing:
        return []
    zh = "；".join(f"{name}记载为{'、'.join(numbers)}" for name, numbers in differing)
    en = "; ".join(f"{name} states {', '.join(numbers)}" for name, numbers in differing)
    return [
        Finding(
            "confirm.contract_number_mismatch",
            Severity.WARN,
            f"案件登记的合同编号为{case_number.strip()}，与证据中的合同编号不一致：{zh}。"
            "请核对借款合同，更正案件信息或补充说明。",
            f"The case gives the contract number {case_number.strip()}, but the evidence "
            f"differs: {en}. Check the loan contract and correct the case or explain.",
            SOURCE_CONTRACT_NUMBER,
        )
    ]
