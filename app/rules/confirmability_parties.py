"""Confirmability pre-checks on the people (民诉法解释 Art. 358; CPL Art. 115): every
natural person an adult, nobody on both sides, and every agent authorised and independent
of the platform."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from app.rules.claims import Finding
from app.rules.confirmability_facts import (
    ADULT_AGE,
    SOURCE_AGE_UNKNOWN,
    SOURCE_AGENT,
    SOURCE_COLLUSION,
    SOURCE_MINOR,
    ConfirmabilityFacts,
    PartyFacts,
    block,
    date_zh,
    warn,
)
from app.rules.contacts import normalise_phone
from app.rules.errors import InvalidInput
from app.rules.identity import age_on, mask_id, parse_resident_id
from app.rules.proposals import Side


def check_ages(facts: ConfirmabilityFacts) -> list[Finding]:
    """A natural person under 18 on the day the agreement took effect lacks full civil
    capacity (民法典 Arts. 17, 19, 145): the court rejects the agreement (民诉法解释 Art.
    358). The age comes from the birth date, else from an 18-digit resident ID. When it
    cannot be established (a passport, say), warn: the mediator checks the document."""
    day = facts.effective_on or facts.today
    findings: list[Finding] = []
    unknown: list[str] = []
    for party in facts.parties:
        if not party.is_natural_person:
            continue
        birth = _birth_date(party, facts.today)
        if birth is None:
            unknown.append(party.name)
        elif birth > day or age_on(birth, day) < ADULT_AGE:
            findings.append(_minor(party.name, birth, day))
    if unknown:
        names_zh, names_en = "、".join(unknown), ", ".join(unknown)
        findings.append(
            warn(
                "confirm.party_age_unknown",
                f"无法从身份信息确定{names_zh}的出生日期,请核对身份证件,确认已满十八周岁。",
                f"The birth date of {names_en} cannot be read from the identity details. "
                "Check the identity document to confirm they were 18 or older.",
                SOURCE_AGE_UNKNOWN,
            )
        )
    return findings


def _minor(name: str, birth: date, day: date) -> Finding:
    age = age_on(birth, day) if birth <= day else 0
    return block(
        "confirm.party_minor",
        f"{name}在协议生效日({date_zh(day)})未满十八周岁({age}岁,{date_zh(birth)}出生),"
        "不具有完全民事行为能力,法院不予确认。",
        f"{name} was under 18 on the day the agreement took effect ({day.isoformat()}): "
        f"aged {age}, born {birth.isoformat()}. A minor lacks full civil capacity and the "
        "court will not confirm the agreement.",
        SOURCE_MINOR,
    )


def _birth_date(party: PartyFacts, today: date) -> date | None:
    """The stated birth date, else the one inside a valid resident ID number."""
    if party.birth_date is not None:
        return party.birth_date
    try:
        return parse_resident_id(party.id_number or "", today).birth_date
    except InvalidInput:
        return None


def check_collusion(facts: ConfirmabilityFacts) -> list[Finding]:
    """The same person, phone or device on both sides points to a staged mediation, which
    courts reject and punish (CPL Art. 115; 民诉法解释 Art. 358). Identity numbers are
    compared upper-case, phones without spaces, dashes or +86, devices case-blind."""
    kinds: tuple[tuple[str, Callable[[PartyFacts], frozenset[str]], str, str], ...] = (
        ("confirm.same_person", _id_keys, "同一身份证件号码", "the same identity number"),
        ("confirm.same_phone", _phone_keys, "同一电话号码", "the same phone number"),
        ("confirm.same_device", _device_keys, "同一设备或IP地址", "the same device or IP address"),
    )
    findings: list[Finding] = []
    for code, keys, what_zh, what_en in kinds:
        for value, debtors, creditors in _on_both_sides(facts.parties, keys):
            shown = mask_id(value) if code == "confirm.same_person" else value
            findings.append(
                block(
                    code,
                    f"债务人一方({'、'.join(debtors)})与债权人一方({'、'.join(creditors)})"
                    f"使用{what_zh}:{shown}。对立双方出现同一人或同一联系方式,可能是虚假调解,"
                    "法院不予确认。",
                    f"The debtor's side ({', '.join(debtors)}) and the creditor's side "
                    f"({', '.join(creditors)}) share {what_en}: {shown}. The same person or "
                    "contact on both sides suggests a staged mediation; the court will reject "
                    "it.",
                    SOURCE_COLLUSION,
                )
            )
    return findings


def _on_both_sides(
    parties: Iterable[PartyFacts], keys: Callable[[PartyFacts], frozenset[str]]
) -> list[tuple[str, list[str], list[str]]]:
    """Each value found on both sides, with the names of the parties holding it."""
    debtors = [p for p in parties if p.side is Side.DEBTOR]
    creditors = [p for p in parties if p.side is Side.CREDITOR]
    shared = set().union(*map(keys, debtors)) & set().union(*map(keys, creditors))
    return [
        (
            value,
            [p.name for p in debtors if value in keys(p)],
            [p.name for p in creditors if value in keys(p)],
        )
        for value in sorted(shared)
    ]


def _id_keys(party: PartyFacts) -> frozenset[str]:
    number = (party.id_number or "").strip().upper()
    return frozenset({number} if number else ())


def _phone_keys(party: PartyFacts) -> frozenset[str]:
    phone = normalise_phone(party.phone or "")
    return frozenset({phone} if phone else ())


def _device_keys(party: PartyFacts) -> frozenset[str]:
    return frozenset(d.strip().lower() for d in party.devices if d.strip())


def check_agents(facts: ConfirmabilityFacts) -> list[Finding]:
    """An agent needs a power of attorney signed by the party (CPL Art. 62) and must be
    an employee, a lawyer or another person CPL Art. 61 allows (民诉法解释 Art. 351);
    never the platform's staff, who are not independent of the mediation."""
    findings: list[Finding] = []
    for party in facts.parties:
        agent = party.agent
        if agent is None:
            continue
        if not agent.has_power_of_attorney:
            findings.append(
                block(
                    "confirm.agent_without_authority",
                    f"{agent.name}代理{party.name},但没有授权委托书。"
                    f"请提交由{party.name}签名或盖章的授权委托书。",
                    f"{agent.name} acts for {party.name} without a power of attorney. Add one "
                    f"signed or sealed by {party.name}.",
                    SOURCE_AGENT,
                )
            )
        if agent.is_platform_staff:
            findings.append(
                block(
                    "confirm.agent_is_platform_staff",
                    f"{party.name}的代理人{agent.name}是平台工作人员,不能担任代理人。"
                    "代理人应为当事人的工作人员或律师。",
                    f"{agent.name}, acting for {party.name}, is on the platform's staff and may "
                    "not act as agent. An agent must be the party's employee or a lawyer.",
                    SOURCE_AGENT,
                )
            )
    return findings
