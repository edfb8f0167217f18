"""An organisation's own wording of its outreach messages, within limits.

A mediation organisation may replace the built-in text of the messages it starts itself
(the invitation, the payment reminders, the judicial-confirmation deadline reminders:
the outreach of :mod:`app.rules.message_kinds`) with its own, for e-mail and for SMS.
Its version must still (BRIEF §6, 《商业银行信用卡业务监督管理办法》Art. 69 on what a
collection notice discloses):

- name the organisation and the case: the placeholders ``{org}`` and ``{case}`` are
  required (the organisation's name written out in full counts for ``{org}``);
- carry the link the debtor answers through (``{link}``);
- use only the placeholders of its template, by name (no attribute, index, conversion or
  format spec: a template is text, not code);
- fit: an SMS at most 160 characters once filled with the organisation's name and the
  longest reference and link we send; an e-mail subject 120, a body 2,000;
- pass the content checker (:mod:`app.rules.content_check`).

Requested codes and case notices keep the built-in text: a code must be exactly what
the person expects, and a notice says only that something happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

from app.rules.content_check import Finding, check
from app.rules.message_kinds import MessageKind, kind_of

SMS_MAX_CHARS = 160
SUBJECT_MAX_CHARS = 120
BODY_MAX_CHARS = 2000
REQUIRED = ("org", "case", "link")

# template → the placeholders it may use, beyond the required ones.
EDITABLE: dict[str, tuple[str, ...]] = {
    "invitation": ("creditor", "expires_on"),
    "reminder_before": (),
    "reminder_due": (),
    "reminder_missed": (),
    "confirmation_day20": ("last_day",),
    "confirmation_day27": ("last_day",),
}
CHANNELS = ("email", "sms")


def placeholders_of(template: str) -> tuple[str, ...]:
    return REQUIRED + EDITABLE[template]


@dataclass(frozen=True)
class Problem:
    """One reason the version is refused: ``field`` (subject/body), a stable ``code``,
    the placeholder or finding it concerns."""

    field: str
    code: str
    name: str = ""
    finding: Finding | None = None


def _names(text: str) -> tuple[list[str], bool]:
    """The placeholders in ``text`` and whether all are plain names (or the text does
    not parse as a template)."""
    names: list[str] = []
    try:
        for _literal, name, spec, conversion in Formatter().parse(text):
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                return names, False
            names.append(name)
    except ValueError:  # a lone "{" or "}"
        return names, False
    return names, True


def check_version(
    template: str,
    channel: str,
    subject: str,
    body: str,
    *,
    org_name: str,
    sample: Mapping[str, str],
) -> list[Problem]:
    """Every problem of an organisation's version (empty: it may be saved). ``sample``
    fills the placeholders with the longest values we send, to measure the length."""
    if template not in EDITABLE or kind_of(template) is not MessageKind.OUTREACH:
        return [Problem("body", "not_editable")]
    problems: list[Problem] = []
    allowed = set(placeholders_of(template))
    texts = {"body": body} if channel == "sms" else {"subject": subject, "body": body}
    used: set[str] = set()
    readable = True  # every text there and parsed: only then can a placeholder be missing
    for field, text in texts.items():
        if not text.strip():
            problems.append(Problem(field, "required"))
            readable = False
            continue
        names, plain = _names(text)
        if not plain:
            problems.append(Problem(field, "bad_placeholder"))
            readable = False
            continue
        problems += [Problem(field, "unknown_placeholder", n) for n in names if n not in allowed]
        used.update(names)
        problems += [Problem(field, "content", finding=f) for f in check(text)]
    whole = " ".join(texts.values())
    for name in REQUIRED if readable else ():
        if name not in used and not (name == "org" and org_name and org_name in whole):
            problems.append(Problem("body", "missing_placeholder", name))
    if not problems:
        problems += _too_long(channel, texts, sample)
    return problems


def _too_long(channel: str, texts: Mapping[str, str], sample: Mapping[str, str]) -> list[Problem]:
    filled = {field: render(text, sample) for field, text in texts.items()}
    if channel == "sms" and len(filled["body"]) > SMS_MAX_CHARS:
        return [Problem("body", "sms_too_long")]
    if channel == "email" and len(filled.get("subject", "")) > SUBJECT_MAX_CHARS:
        return [Problem("subject", "too_long")]
    if channel == "email" and len(filled["body"]) > BODY_MAX_CHARS:
        return [Problem("body", "too_long")]
    return []


def render(text: str, values: Mapping[str, str]) -> str:
    """The text with its placeholders filled (a checked version only names placeholders
    its template has; the values are single-line strings)."""
    return text.format_map({k: " ".join(str(v).split()) for k, v in values.items()})


def fits(channel: str, subject: str, body: str) -> bool:
    """Whether a filled version may go out as it is (else the built-in text is sent)."""
    if channel == "sms":
        return len(body) <= SMS_MAX_CHARS
    return len(subject) <= SUBJECT_MAX_CHARS and len(body) <= BODY_MAX_CHARS
