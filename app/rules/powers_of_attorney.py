"""The power of attorney (授权委托书) of the person who acts for the creditor, and what it
must cover before the agreement goes to court.

CPL Art. 62: a party acting through an agent gives the court a power of attorney signed or
sealed by the party, stating the matters and the powers entrusted; to admit, waive or
change claims, or to settle, the agent needs special authorisation (特别授权). 民诉法解释
Art. 89: a power of attorney that says only "full powers" (全权代理) without listing them
gives no power to admit, waive or change claims or to settle. The powers are ticked one by
one here, so what an agreement needs can be checked against what was given.

Plain values only: the caller reads the record and the agreement; these functions judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from app.rules.citations import cite
from app.rules.claims import Finding, Severity
from app.rules.errors import InvalidInput
from app.rules.identity import mask_id, parse_resident_id

SOURCE_POA = cite("cpl.62", "cpl_interp.89")
SOURCE_POA_CONFIRMATION = cite("cpl.62", "cpl.205", "cpl_interp.354")
SOURCE_POA_PERIOD = cite("cpl.62", "civil_code.173")

MAX_NAME = 200
MAX_AGENT_NAME = 100
MAX_POSITION = 100


class Power(StrEnum):
    """The powers a creditor may tick, in the order a power of attorney lists them."""

    MEDIATE = "mediate"  # 代为参加调解
    SIGN_AGREEMENT = "sign_agreement"  # 代为签署调解协议
    SPECIAL = "special"  # 代为承认、放弃、变更请求 (特别授权)
    SETTLE = "settle"  # 代为和解
    APPLY_CONFIRMATION = "apply_confirmation"  # 代为申请司法确认
    RECEIVE_DOCUMENTS = "receive_documents"  # 代为签收法律文书


POWER_ZH: dict[Power, str] = {
    Power.MEDIATE: "代为参加调解",
    Power.SIGN_AGREEMENT: "代为签署调解协议",
    Power.SPECIAL: "代为承认、放弃、变更请求（特别授权）",
    Power.SETTLE: "代为和解",
    Power.APPLY_CONFIRMATION: "代为申请司法确认",
    Power.RECEIVE_DOCUMENTS: "代为签收法律文书",
}
POWER_EN: dict[Power, str] = {
    Power.MEDIATE: "take part in the mediation",
    Power.SIGN_AGREEMENT: "sign the mediation agreement",
    Power.SPECIAL: "admit, waive or change claims (special authorisation)",
    Power.SETTLE: "settle",
    Power.APPLY_CONFIRMATION: "apply for judicial confirmation",
    Power.RECEIVE_DOCUMENTS: "receive documents",
}


@dataclass(frozen=True)
class PowerOfAttorney:
    """What the power of attorney says. ``valid_until`` None: until the matter ends (a
    power of attorney may run "until the mediation and the confirmation are concluded").
    ``agent_id_number`` is a resident ID (or other document) number, ``agent_position``
    the agent's post with the principal; at least one of them identifies the agent."""

    principal: str
    agent_name: str
    agent_id_number: str | None
    agent_position: str | None
    powers: frozenset[Power]
    valid_from: date
    valid_until: date | None
    signed_on: date

    def covers(self, day: date) -> bool:
        """Whether the power of attorney was in effect on ``day``: signed, begun, not ended."""
        start = max(self.valid_from, self.signed_on)
        return start <= day and (self.valid_until is None or day <= self.valid_until)

    @property
    def agent_identity(self) -> str:
        """How the package names the agent besides the name: the masked ID, the post."""
        parts = []
        if self.agent_id_number:
            parts.append(mask_id(self.agent_id_number))
        if self.agent_position:
            parts.append(self.agent_position)
        return "，".join(parts)


@dataclass(frozen=True)
class AgentActs:
    """What the agent did or is about to do under the power of attorney: signed the
    agreement for the principal on ``signed_on`` (None: not yet), an agreement that
    settles for less than the claim (waives or reduces it), and the joint application
    for judicial confirmation the package is (made on ``applying_on``)."""

    agent_name: str
    principal: str
    signed_on: date | None
    settles_for_less: bool
    applying_on: date


@dataclass
class ParsedPowerOfAttorney:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, InvalidInput] = field(default_factory=dict)
    power_of_attorney: PowerOfAttorney | None = None

    def refuse(self, error: InvalidInput) -> None:
        assert error.field is not None
        self.errors.setdefault(error.field, error)


def read_power_of_attorney(raw: Mapping[str, Any], today: date) -> ParsedPowerOfAttorney:
    """Read the form of a power of attorney. ``raw["powers"]`` is the list of ticked power
    values. Refusal codes, by field: ``required``, ``too_long``, ``date_format``,
    ``date_future`` (the date signed), ``poa_agent_identity`` (neither an ID number nor a
    post), an ID number's own codes (``id_format``, ``id_checksum`` …) for a resident ID,
    ``poa_no_power`` (nothing ticked), ``choice`` (an unknown power), ``poa_period_order``
    (the period ends before it begins)."""
    parsed = ParsedPowerOfAttorney()
    v = parsed.values
    v["principal"] = _text(parsed, raw, "principal", MAX_NAME)
    v["agent_name"] = _text(parsed, raw, "agent_name", MAX_AGENT_NAME)
    v["agent_position"] = _text(parsed, raw, "agent_position", MAX_POSITION, required=False)
    v["agent_id_number"] = _agent_id(parsed, raw, today)
    if (
        not v["agent_id_number"]
        and not v["agent_position"]
        and "agent_id_number" not in (parsed.errors)
    ):
        parsed.refuse(InvalidInput("poa_agent_identity", "agent_id_number"))
    v["powers"] = _powers(parsed, raw.get("powers") or ())
    v["valid_from"] = _date(parsed, raw, "valid_from", today, required=True, past=False)
    v["valid_until"] = _date(parsed, raw, "valid_until", today, required=False, past=False)
    v["signed_on"] = _date(parsed, raw, "signed_on", today, required=True, past=True)
    if v["valid_from"] and v["valid_until"] and v["valid_until"] < v["valid_from"]:
        parsed.refuse(InvalidInput("poa_period_order", "valid_until"))
    if not parsed.errors:
        parsed.power_of_attorney = PowerOfAttorney(
            principal=v["principal"],
            agent_name=v["agent_name"],
            agent_id_number=v["agent_id_number"] or None,
            agent_position=v["agent_position"] or None,
            powers=v["powers"],
            valid_from=v["valid_from"],
            valid_until=v["valid_until"],
            signed_on=v["signed_on"],
        )
    return parsed


def _text(
    parsed: ParsedPowerOfAttorney, raw: Mapping[str, Any], name: str, limit: int, *, required=True
) -> str:
    value = str(raw.get(name) or "").strip()
    if required and not value:
        parsed.refuse(InvalidInput("required", name))
    elif len(value) > limit:
        parsed.refuse(InvalidInput("too_long", name))
    return value


def _agent_id(parsed: ParsedPowerOfAttorney, raw: Mapping[str, Any], today: date) -> str:
    value = str(raw.get("agent_id_number") or "").strip()
    if not value:
        return ""
    try:
        return parse_resident_id(value, today).number
    except InvalidInput as err:
        parsed.refuse(InvalidInput(err.code, "agent_id_number"))
        return ""


def _powers(parsed: ParsedPowerOfAttorney, ticked: Any) -> frozenset[Power]:
    values = [ticked] if isinstance(ticked, str) else list(ticked)
    try:
        powers = frozenset(Power(p) for p in values)
    except ValueError:
        parsed.refuse(InvalidInput("choice", "powers"))
        return frozenset()
    if not powers:
        parsed.refuse(InvalidInput("poa_no_power", "powers"))
    return powers


def _date(
    parsed: ParsedPowerOfAttorney,
    raw: Mapping[str, Any],
    name: str,
    today: date,
    *,
    required: bool,
    past: bool,
) -> date | None:
    value = str(raw.get(name) or "").strip()
    if not value:
        if required:
            parsed.refuse(InvalidInput("required", name))
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        parsed.refuse(InvalidInput("date_format", name))
        return None
    if past and day > today:
        parsed.refuse(InvalidInput("date_future", name))
        return None
    return day


def powers_needed(acts: AgentActs) -> tuple[Power, ...]:
    """The powers the agent's acts need, in the order a power of attorney lists them:
    signing the agreement, special authorisation for an agreement that gives up part of
    the claim (CPL Art. 62), and applying for judicial confirmation."""
    needed = [Power.SIGN_AGREEMENT]
    if acts.settles_for_less:
        needed.append(Power.SPECIAL)
    needed.append(Power.APPLY_CONFIRMATION)
    return tuple(needed)


def check_power_of_attorney(poa: PowerOfAttorney | None, acts: AgentActs) -> list[Finding]:
    """Whether the power of attorney covers what the agent does for the principal (CPL Art.
    62; 民诉法解释 Art. 89): without its content on record, nothing can be checked (block);
    each missing power blocks with the act it does not cover; the agreement must have been
    signed while the power of attorney was in effect, and the application is made within
    it; the agent who signed must be the one it names. A different principal's name is a
    warning (a branch may hold its head office's power of attorney)."""
    if poa is None:
        return [
            _block(
                "confirm.poa_content_missing",
                f"{acts.agent_name}代理{acts.principal}的授权委托书内容未登记（委托人、受托人、"
                "授权事项、期限、签署日期），无法核对授权范围。请在案件页面登记授权委托书。",
                f"The content of the power of attorney under which {acts.agent_name} acts for "
                f"{acts.principal} is not recorded (principal, agent, powers, period, date "
                "signed), so its scope cannot be checked. Record it on the case page.",
                SOURCE_POA,
            )
        ]
    findings = [_missing_power(poa, power, acts) for power in powers_needed(acts)]
    found = [f for f in findings if f is not None]
    if poa.agent_name.strip() != acts.agent_name.strip():
        found.append(
            _block(
                "confirm.poa_other_agent",
                f"授权委托书的受托人是{poa.agent_name}，但代表{acts.principal}签署协议的是"
                f"{acts.agent_name}。请提交授权{acts.agent_name}的授权委托书。",
                f"The power of attorney names {poa.agent_name} as agent, but "
                f"{acts.agent_name} signed the agreement for {acts.principal}. Add a power "
                f"of attorney for {acts.agent_name}.",
                SOURCE_POA,
            )
        )
    if acts.signed_on is not None and not poa.covers(acts.signed_on):
        found.append(
            _block(
                "confirm.poa_period",
                f"协议签署日（{_zh(acts.signed_on)}）不在授权委托书的有效期内"
                f"（{_period_zh(poa)}）。受托人签署时没有代理权。",
                f"The agreement was signed on {acts.signed_on.isoformat()}, outside the power "
                f"of attorney's period ({_period_en(poa)}): the agent had no authority then.",
                SOURCE_POA_PERIOD,
            )
        )
    if poa.valid_until is not None and poa.valid_until < acts.applying_on:
        found.append(
            _block(
                "confirm.poa_expired",
                f"授权委托书已于{_zh(poa.valid_until)}到期，不能再用于申请司法确认。"
                "请提交新的授权委托书。",
                f"The power of attorney ended on {poa.valid_until.isoformat()}: it cannot be "
                "used to apply for judicial confirmation. Add a new one.",
                SOURCE_POA_PERIOD,
            )
        )
    if poa.principal.strip() != acts.principal.strip():
        found.append(
            Finding(
                "confirm.poa_other_principal",
                Severity.WARN,
                f"授权委托书的委托人（{poa.principal}）与债权人名称（{acts.principal}）不一致，"
                "请核对委托人是否为本案当事人或其有权代表。",
                f"The power of attorney's principal ({poa.principal}) is not the creditor's "
                f"name ({acts.principal}). Check that the principal is the party or may act "
                "for it.",
                SOURCE_POA,
            )
        )
    return found


_MISSING: dict[Power, tuple[str, str, str, str]] = {
    Power.SIGN_AGREEMENT: (
        "confirm.poa_cannot_sign",
        "授权委托书未授权{agent}代为签署调解协议，协议对{principal}的效力存疑。",
        "The power of attorney does not empower {agent} to sign the mediation agreement: "
        "the agreement may not bind {principal}.",
        SOURCE_POA,
    ),
    Power.SPECIAL: (
        "confirm.poa_no_special_authority",
        "协议放弃或减少了{principal}的部分请求，需要特别授权（代为承认、放弃、变更请求），"
        "但授权委托书未作特别授权。",
        "The agreement waives or reduces part of {principal}'s claim, which needs special "
        "authorisation (to admit, waive or change claims), and the power of attorney gives "
        "none.",
        SOURCE_POA,
    ),
    Power.APPLY_CONFIRMATION: (
        "confirm.poa_no_confirmation_power",
        "授权委托书未授权{agent}代为申请司法确认，{agent}不能代表{principal}共同申请。",
        "The power of attorney does not empower {agent} to apply for judicial confirmation: "
        "{agent} cannot make the joint application for {principal}.",
        SOURCE_POA_CONFIRMATION,
    ),
}


def _missing_power(poa: PowerOfAttorney, power: Power, acts: AgentActs) -> Finding | None:
    if power in poa.powers:
        return None
    code, zh, en, source = _MISSING[power]
    names = {"agent": acts.agent_name, "principal": acts.principal}
    return _block(code, zh.format(**names), en.format(**names), source)


def _block(code: str, zh: str, en: str, source: str) -> Finding:
    return Finding(code, Severity.BLOCK, zh, en, source)


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _period_zh(poa: PowerOfAttorney) -> str:
    end = _zh(poa.valid_until) if poa.valid_until else "事项办结"
    return f"{_zh(max(poa.valid_from, poa.signed_on))}至{end}"


def _period_en(poa: PowerOfAttorney) -> str:
    end = poa.valid_until.isoformat() if poa.valid_until else "the end of the matter"
    return f"{max(poa.valid_from, poa.signed_on).isoformat()} to {end}"


def summary_zh(poa: PowerOfAttorney) -> list[tuple[str, str]]:
    """The power of attorney as the package prints it, label and value."""
    end = _zh(poa.valid_until) if poa.valid_until else "调解及司法确认事项办结之日"
    return [
        ("委托人", poa.principal),
        ("受托人", poa.agent_name),
        ("受托人身份", poa.agent_identity or "（未登记）"),
        ("授权事项", "；".join(POWER_ZH[p] for p in Power if p in poa.powers)),
        ("特别授权", "有" if Power.SPECIAL in poa.powers else "无"),
        ("授权期限", f"{_zh(poa.valid_from)}至{end}"),
        ("签署日期", _zh(poa.signed_on)),
    ]
