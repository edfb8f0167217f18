"""Checking a creditor's or mediator's words to a debtor before they are stored or sent.

The rules are :mod:`app.rules.content_rules` (threats, insults, impersonation of courts,
police or lawyers, third parties, misleading legal claims); this module supplies the
facts of the case that can make a legal statement true and raises the one refusal every
form shows the same way: the text kept, the findings highlighted, nothing sent. The
debtor's own words are never checked (the rules protect the debtor).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput
from app.models.cases import Case
from app.rules.cases import CaseState
from app.rules.content_check import Finding, check
from app.rules.content_rules import CaseFacts, Fact

# Once the court has confirmed the agreement it is enforceable (CPL Art. 206 in the 2023
# numbering, unverified): enforcement and its consequences are then facts, not threats.
_RULED = frozenset({CaseState.CONFIRMED})


class ContentRefused(InvalidInput):
    """The text breaks a content rule; ``findings`` say where and why."""

    messages = {
        "content": _l(
            "This text cannot be sent to the debtor: the highlighted words break the rules "
            "on what may be said to a debtor. Change them and send again."
        ),
    }

    @property
    def message(self) -> str:
        """The refusal, then each finding: the words quoted and why (forms that do not
        mark the words in place still say which they are)."""
        locale = str(get_locale()) if has_request_context() else "zh_Hans_CN"
        english = locale.startswith("en")
        quote = '"{}"' if english else "“{}”"
        parts = [
            f"{quote.format(f.excerpt)}{': ' if english else '：'}{f.message(locale)}"
            for f in self.findings
            if isinstance(f, Finding)
        ]
        return " ".join([super().message, *parts])


def case_facts(case: Case | None) -> CaseFacts:
    """The facts of ``case`` that can make a legal statement true."""
    if case is not None and case.state in _RULED:
        return CaseFacts(frozenset({Fact.RULING_RECORDED}))
    return CaseFacts()


def check_words_to_debtor(
    text: str, case: Case | None, *, field: str = "body", asserted: Collection[str] = ()
) -> None:
    """Refuse ``text`` (``ContentRefused("content")`` carrying the findings) when a content
    rule finds something the case's facts and the sender's assertions do not excuse."""
    findings = check(text, facts=case_facts(case), asserted=asserted)
    if findings:
        raise ContentRefused("content", field, findings=findings)


def findings_state(findings: Sequence[Any], locale: str) -> list[dict[str, Any]]:
    """Findings as small JSON-able dicts (for the PRG stash): span, rule, words."""
    return [
        {
            "rule": f.rule_id,
            "start": f.start,
            "end": f.end,
            "message": f.message(locale),
            "basis": f.basis,
            "assertable": f.assertable,
        }
        for f in findings
        if isinstance(f, Finding)
    ]


def marked_runs(body: str, findings: Sequence[dict[str, Any]]) -> list[tuple[str, bool]]:
    """The refused text cut into (piece, refused) runs, to show the findings in place."""
    flags = [False] * len(body)
    for finding in findings:
        for index in range(max(0, finding["start"]), min(finding["end"], len(body))):
            flags[index] = True
    runs: list[tuple[str, bool]] = []
    for char, flag in zip(body, flags, strict=True):
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs
