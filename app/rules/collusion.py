"""Sham-mediation signals across an organisation's cases (虚假调解).

A court will not confirm an agreement that parties staged to harm others, and punishes
them (CPL 2023 Art. 115: parties colluding to harm the state, the public or others through
litigation or mediation; 民诉法解释 Art. 358 item (2): the court rejects an application
whose agreement harms the state, the public or others). Comparing one case's debtor with
its own creditor is not enough: a staged docket shows as *different* debtors sharing one
phone, e-mail, postal address, device or network address; as a debtor sharing a contact
or address with the creditor's own staff; or as one debtor settling many cases within
minutes of each invitation.

This module judges plain values the query module gathered (``app.confirmation.collusion``):
each shared trait with who else holds it, and the debtor's settlements across the
organisation. It returns findings for the confirmability pre-checks
(``app.rules.confirmability``). A strong signal is a block the mediator may lift only with a
written justification (``is_liftable`` / ``finding_key``); a weak one is a warning; a
network address that names the platform's own host is reported, never dropped silently.
A screening aid for the mediator, not a finding of fact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.rules.claims import Finding, Severity
from app.rules.contacts import mask_address, mask_email, mask_phone

_CPL = "《中华人民共和国民事诉讼法》"
_CPL_INTERP = "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》"
SOURCE_SHAM = f"{_CPL}第一百一十五条；{_CPL_INTERP}第三百五十八条"
SOURCE_PROXY = "《中华人民共和国电子签名法》第十三条；" + SOURCE_SHAM

# A debtor signing this soon after the invitation was created settled "instantly".
INSTANT_SETTLEMENT = timedelta(hours=1)
# Instant settlements by one debtor across the organisation: a warning, then a block.
INSTANT_WARN_AT = 2
INSTANT_BLOCK_AT = 3
# Other debtors at one postal address or network address before the signal is strong:
# relatives share a home, and mobile carriers put many customers behind one address.
ADDRESS_STRONG_AT = 2
NETWORK_STRONG_AT = 3


class Trait(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"  # postal address
    DEVICE = "device"  # one browser (user agent) from one network address
    NETWORK = "network"  # a sign-in or signing address (IP)


_TRAIT_WORDS: dict[Trait, tuple[str, str]] = {
    Trait.PHONE: ("电话号码", "phone number"),
    Trait.EMAIL: ("电子邮箱", "e-mail address"),
    Trait.ADDRESS: ("住址", "postal address"),
    Trait.DEVICE: ("设备（同一浏览器、同一网络地址）", "device (one browser at one address)"),
    Trait.NETWORK: ("登录或签名网络地址", "sign-in or signing network address"),
}
# Traits that are strong as soon as one other debtor holds them.
_STRONG_WITH_ONE = frozenset({Trait.PHONE, Trait.EMAIL, Trait.DEVICE})
_STRONG_AT = {Trait.ADDRESS: ADDRESS_STRONG_AT, Trait.NETWORK: NETWORK_STRONG_AT}


@dataclass(frozen=True)
class OtherDebtor:
    """The debtor of another case in the organisation, a different person from this
    case's debtor. ``name`` is shown masked."""

    case_reference: str
    name: str


@dataclass(frozen=True)
class StaffMember:
    """A user of this case's creditor organisation."""

    name: str


@dataclass(frozen=True)
class Shared:
    """One value of this case's debtor (``value``, normalised, unmasked) that others hold."""

    trait: Trait
    value: str
    debtors: tuple[OtherDebtor, ...] = ()
    staff: tuple[StaffMember, ...] = ()


@dataclass(frozen=True)
class Settlement:
    """One of this debtor's cases in the organisation: when the invitation was created and
    when the debtor signed the agreement (None: not yet)."""

    case_reference: str
    invited_at: datetime | None
    debtor_signed_at: datetime | None

    @property
    def instant(self) -> bool:
        if self.invited_at is None or self.debtor_signed_at is None:
            return False
        return self.debtor_signed_at - self.invited_at <= INSTANT_SETTLEMENT


@dataclass(frozen=True)
class CollusionFacts:
    """Everything the signals judge. ``unverifiable`` lists the loopback or unspecified
    addresses some sign-in or signature was recorded from: they name the platform's own
    host or reverse proxy (TRUSTED_PROXIES not set), so nobody's device can be compared."""

    shared: tuple[Shared, ...] = ()
    settlements: tuple[Settlement, ...] = ()
    unverifiable: frozenset[str] = frozenset()


LIFTABLE_PREFIXES = ("confirm.debtors_share_", "confirm.staff_share_")
LIFTABLE_CODES = frozenset({"confirm.serial_instant_settlement", "confirm.same_device"})


def is_liftable(finding: Finding) -> bool:
    """A block the mediator may lift with a written justification: the cross-case signals,
    and one network address on both sides (both parties may have signed in the mediation
    room). The same person or phone on both sides is never liftable."""
    if finding.severity is not Severity.BLOCK:
        return False
    return finding.code in LIFTABLE_CODES or finding.code.startswith(LIFTABLE_PREFIXES)


def finding_key(finding: Finding) -> str:
    """Names one finding with its evidence: a lift covers exactly what the mediator read,
    and a new case sharing the value makes a new key that needs a new justification."""
    digest = hashlib.sha256(finding.message_en.encode()).hexdigest()[:16]
    return f"{finding.code}:{digest}"


def check_signals(facts: CollusionFacts) -> list[Finding]:
    """Every sham-mediation signal (CPL Art. 115; 民诉法解释 Art. 358), blocks first. Each
    code occurs at most once: the values of one trait are reported together."""
    findings = [
        *_shared_findings(facts.shared, staff=False),
        *_shared_findings(facts.shared, staff=True),
        *_instant_findings(facts.settlements),
        *_unverifiable_findings(facts.unverifiable),
    ]
    rank = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: rank[f.severity])


def strength(trait: Trait, others: int, *, staff: bool) -> Severity | None:
    """How strong sharing ``trait`` with ``others`` people is: anything shared with the
    creditor's staff is strong; among debtors a phone, e-mail or device shared with one
    other debtor is strong, a postal or network address only from several on."""
    if others <= 0:
        return None
    if staff or trait in _STRONG_WITH_ONE:
        return Severity.BLOCK
    return Severity.BLOCK if others >= _STRONG_AT[trait] else Severity.WARN


def _shared_findings(shared: Iterable[Shared], *, staff: bool) -> list[Finding]:
    by_trait: dict[Trait, list[tuple[Shared, Severity]]] = {}
    for item in shared:
        count = len(item.staff) if staff else len(item.debtors)
        level = strength(item.trait, count, staff=staff)
        if level is not None:
            by_trait.setdefault(item.trait, []).append((item, level))
    findings = []
    for trait in Trait:
        items = by_trait.get(trait)
        if not items:
            continue
        level = min((lv for _, lv in items), key=lambda s: s is not Severity.BLOCK)
        findings.append(_shared_finding(trait, [i for i, _ in items], level, staff=staff))
    return findings


def _shared_finding(trait: Trait, items: list[Shared], level: Severity, *, staff: bool) -> Finding:
    what_zh, what_en = _TRAIT_WORDS[trait]
    parts_zh, parts_en = [], []
    for item in items:
        shown = mask_value(trait, item.value)
        if staff:
            who = [mask_name(s.name) for s in item.staff]
            parts_zh.append(f"{shown}（债权人工作人员{'、'.join(who)}）")
            parts_en.append(f"{shown} (creditor staff {', '.join(who)})")
        else:
            zh = [f"{d.case_reference}号案件的{mask_name(d.name)}" for d in item.debtors]
            en = [f"{mask_name(d.name)} in case {d.case_reference}" for d in item.debtors]
            parts_zh.append(f"{shown}（{'、'.join(zh)}）")
            parts_en.append(f"{shown} ({', '.join(en)})")
    if staff:
        code = f"confirm.staff_share_{trait.value}"
        zh = (
            f"债务人与债权人的工作人员使用同一{what_zh}：{'；'.join(parts_zh)}。"
            "债务人与债权人一方人员有关联，可能是虚假调解；请核实并书面说明理由，否则不能提交法院。"
        )
        en = (
            f"The debtor shares a {what_en} with the creditor's own staff: "
            f"{'; '.join(parts_en)}. This link between the debtor and the creditor's side "
            "suggests a staged mediation; check it and justify in writing before the "
            "package can go to court."
        )
    else:
        code = f"confirm.debtors_share_{trait.value}"
        zh = (
            f"本案债务人与本组织其他案件的不同债务人使用同一{what_zh}：{'；'.join(parts_zh)}。"
            "不同债务人共用联系方式或设备，可能是虚假调解，请核实。"
        )
        en = (
            f"This case's debtor shares a {what_en} with different debtors of other cases "
            f"in the organisation: {'; '.join(parts_en)}. Different debtors sharing a "
            "contact or device suggests a staged mediation: check it."
        )
    return Finding(code, level, zh, en, SOURCE_SHAM)


def _instant_findings(settlements: Iterable[Settlement]) -> list[Finding]:
    """One debtor settling many cases within ``INSTANT_SETTLEMENT`` of each invitation
    points to agreements prepared in advance, not mediated (CPL Art. 115)."""
    instant = sorted(s.case_reference for s in settlements if s.instant)
    if len(instant) < INSTANT_WARN_AT:
        return []
    level = Severity.BLOCK if len(instant) >= INSTANT_BLOCK_AT else Severity.WARN
    minutes = int(INSTANT_SETTLEMENT.total_seconds() // 60)
    return [
        Finding(
            "confirm.serial_instant_settlement",
            level,
            f"本案债务人在本组织的{len(instant)}件案件（{'、'.join(instant)}）中，"
            f"都在收到调解邀请后{minutes}分钟内签署了协议。多件案件即时达成协议，"
            "可能是事先安排的虚假调解，请核实。",
            f"This case's debtor signed the agreement within {minutes} minutes of the "
            f"invitation in {len(instant)} cases of the organisation "
            f"({', '.join(instant)}). Many cases settled instantly suggest agreements "
            "prepared in advance rather than mediated: check them.",
            SOURCE_SHAM,
        )
    ]


def _unverifiable_findings(addresses: frozenset[str]) -> list[Finding]:
    if not addresses:
        return []
    shown = "、".join(sorted(addresses))
    return [
        Finding(
            "confirm.address_unverifiable",
            Severity.INFO,
            f"部分登录或签名记录的网络地址是平台自身或反向代理的地址（{shown}），"
            "无法据此比对当事人的设备。请管理员按部署说明设置 TRUSTED_PROXIES。",
            f"Some sign-ins or signatures were recorded from the platform's own host or "
            f"reverse proxy ({', '.join(sorted(addresses))}), so they cannot be compared "
            "between parties. The administrator should set TRUSTED_PROXIES as the "
            "deployment notes say.",
            SOURCE_PROXY,
        )
    ]


def mask_value(trait: Trait, value: str) -> str:
    """Shown to the mediator: enough to recognise the value, not to use it."""
    if trait is Trait.PHONE:
        return mask_phone(value) if len(value) >= 7 else "****"
    if trait is Trait.EMAIL:
        return mask_email(value)
    if trait is Trait.ADDRESS:
        return mask_address(value)
    address, _sep, agent = value.partition(" | ")
    shown = mask_network_address(address)
    return f"{shown}（{agent[:60]}）" if agent else shown


def mask_network_address(address: str) -> str:
    """``203.0.113.*`` / ``2001:db8:1:*``: the network, not the host."""
    if ":" in address:
        return ":".join(address.split(":")[:3]) + ":*"
    head, _sep, _tail = address.rpartition(".")
    return f"{head}.*" if head else address


def mask_name(name: str) -> str:
    """``王*``, ``欧阳**``-style: the surname's first character and a star per other one."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "*"
