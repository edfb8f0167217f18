"""Confirmability pre-checks on the people (民诉法解释 Art. 358; CPL Art. 115): every
natural person of full capacity, nobody on both sides, and every agent authorised and independent
of the platform."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from app.rules.claims import Finding
from app.rules.confirmability_facts import (
    SOURCE_AGE_UNKNOWN,
    SOURCE_AGENT,
    SOURCE_COLLUSION,
    SOURCE_MINOR,
    SOURCE_MINOR_OWN_INCOME,
    ConfirmabilityFacts,
    PartyFacts,
    block,
    date_zh,
    warn,
)
from app.rules.contacts import normalise_phone
from app.rules.errors import InvalidInput
from app.rules.identity import Capacity, age_on, capacity_on, mask_id, parse_resident_id
from app.rules.powers_of_attorney import AgentActs, check_power_of_attorney
from app.rules.proposals import Side


def check_ages(facts: ConfirmabilityFacts) -> list[Finding]:
    """A natural person under 16 on the day the agreement took effect lacks full civil
    capacity (民法典 Arts. 17, 19, 145): the court rejects the agreement (民诉法解释 Art.
    358). A 16- or 17-year-old who lives mainly on their own labour income is treated as
    having full capacity (民法典 Art. 18 para. 2): warn and ask for the evidence (an
    employment contract, pay records) instead of blocking. The age comes from the birth
    date, else from an 18-digit resident ID. When it cannot be established (a passport,
    say), warn: the mediator checks the document."""
    day = facts.effective_on or facts.today
    findings: list[Finding] = []
    unknown: list[str] = []
    self_supporting: list[tuple[str, date]] = []
    for party in facts.parties:
        if not party.is_natural_person:
            continue
        birth = _birth_date(party, facts.today)
        if birth is None:
            unknown.append(party.name)
            continue
        capacity = capacity_on(birth, day)
        if capacity is Capacity.LIMITED:
            findings.append(_minor(party.name, birth, day))
        elif capacity is Capacity.FULL_IF_SELF_SUPPORTING:
            self_supporting.append((party.name, birth))
    if self_supporting:
        findings.append(_minor_own_income(self_supporting, day))
    if unknown:
        names_zh, names_en = "、".join(unknown), ", ".join(unknown)
        findings.append(
            warn(
                "confirm.party_age_unknown",
                f"无法从身份信息确定{names_zh}的出生日期，请核对身份证件，确认已满十八周岁。",
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
        f"{name}在协议生效日（{date_zh(day)}）未满十六周岁（{age}岁，{date_zh(birth)}出生），"
        "不具有完全民事行为能力，法院不予确认。",
        f"{name} was under 16 on the day the agreement took effect ({day.isoformat()}): "
        f"aged {age}, born {birth.isoformat()}. A minor lacks full civil capacity and the "
        "court will not confirm the agreement.",
        SOURCE_MINOR,
    )


def _minor_own_income(parties: list[tuple[str, date]], day: date) -> Finding:
    """One warning for every 16- or 17-year-old (a warning code occurs at most once)."""
    zh = "、".join(
        f"{name}（{age_on(birth, day)}岁，{date_zh(birth)}出生）" for name, birth in parties
    )
    en = ", ".join(
        f"{name} (aged {age_on(birth, day)}, born {birth.isoformat()})" for name, birth in parties
    )
    return warn(
        "confirm.party_minor_own_income",
        f"{zh}在协议生效日（{date_zh(day)}）已满十六周岁、未满十八周岁。只有以自己的劳动收入"
        "为主要生活来源的，才视为完全民事行为能力人；请收集并上传证明材料（如劳动合同、"
        "工资发放记录、社保缴纳记录），核实后再确认本提示，否则法院不予确认。",
        f"{en} was 16 or 17 on the day the agreement took effect ({day.isoformat()}). "
        "Only someone who lives mainly on their own labour income counts as having full "
        "civil capacity: collect and upload the evidence (an employment contract, pay or "
        "social-insurance records) and check it before acknowledging this warning; "
        "otherwise the court will not confirm the agreement.",
        SOURCE_MINOR_OWN_INCOME,
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
                    f"债务人一方（{'、'.join(debtors)}）与债权人一方（{'、'.join(creditors)}）"
                    f"使用{what_zh}：{shown}。对立双方出现同一人或同一联系方式，可能是虚假调解，"
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
    """An agent needs a power of attorney signed by the party (CPL Art. 62) whose powers
    cover what the agent does (:mod:`app.rules.powers_of_attorney`), and must be an
    employee, a lawyer or another person CPL Art. 61 allows (民诉法解释 Art. 351); never
    the platform's staff, who are not independent of the mediation."""
    findings: list[Finding] = []
    for party in facts.parties:
        agent = party.agent
        if agent is None:
            continue
        if not agent.has_power_of_attorney:
            findings.append(
                block(
                    "confirm.agent_without_authority",
                    f"{agent.name}代理{party.name}，但没有授权委托书。"
                    f"请提交由{party.name}签名或盖章的授权委托书。",
                    f"{agent.name} acts for {party.name} without a power of attorney. Add one "
                    f"signed or sealed by {party.name}.",
                    SOURCE_AGENT,
                )
            )
        else:
            acts = AgentActs(
                agent_name=agent.name,
                principal=party.name,
                signed_on=agent.signed_on,
                settles_for_less=agent.settles_for_less,
                applying_on=facts.today,
            )
            findings.extend(check_power_of_attorney(agent.power_of_attorney, acts))
        if agent.is_platform_staff:
            findings.append(
                block(
                    "confirm.agent_is_platform_staff",
                    f"{party.name}的代理人{agent.name}是平台工作人员，不能担任代理人。"
                    "代理人应为当事人的工作人员或律师。",
                    f"{agent.name}, acting for {party.name}, is on the platform's staff and may "
                    "not act as agent. An agent must be the party's employee or a lawyer.",
                    SOURCE_AGENT,
                )
            )
    return findings
