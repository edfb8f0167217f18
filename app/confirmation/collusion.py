"""The sham-mediation signals of one case, read across its mediation organisation
(虚假调解: CPL Art. 115; 民诉法解释 Art. 358; the rules are :mod:`app.rules.collusion`).

Each query is driven by this case's debtor's own values and reads through an index
(``migrations/versions/0021_collusion_reviews.py``): the other cases of the organisation
with the same phone, e-mail, postal address or identity, the sign-ins and signatures from
the same network addresses, the creditor's staff with the same contacts, and the debtor's
invitations and signatures. Nothing loops over the organisation's cases.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select

from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.auth import UserSession
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature
from app.models.invitations import Invitation
from app.models.users import Role, User
from app.rules.cases import CaseReference
from app.rules.collusion import (
    CollusionFacts,
    OtherDebtor,
    Settlement,
    Shared,
    StaffMember,
    Trait,
)
from app.rules.contacts import normalise_phone

# (network address, user agent) as one device; the separator never occurs in an address.
_DEVICE_SEPARATOR = " | "


def collusion_facts_for(case: Case) -> CollusionFacts:
    """What the signals judge for ``case``'s debtor, across ``case``'s organisation."""
    phones, emails, addresses = _contacts(case)
    traces = _debtor_traces(case)
    networks = {ip for ip, _agent in traces if _comparable(ip)}
    shared = [
        *_shared_with_debtors(case, phones, emails, addresses),
        *_network_shared_with_debtors(case, traces),
        *_shared_with_staff(case, phones, emails, networks, traces),
    ]
    return CollusionFacts(
        shared=tuple(shared),
        settlements=_settlements(case),
        unverifiable=frozenset(ip for ip in _case_addresses(case) if _names_the_host(ip)),
    )


def _contacts(case: Case) -> tuple[set[str], set[str], set[str]]:
    user = case.debtor_user
    phones = {normalise_phone(p) for p in (case.debtor_phone, user and user.phone) if p}
    emails = {e.strip().lower() for e in (case.debtor_email, user and user.email) if e}
    address = normalise_address(case.debtor_address or "")
    return phones - {""}, emails - {""}, {address} - {""}


def normalise_address(raw: str) -> str:
    """Full-width forms folded (NFKC) and whitespace removed, so one address typed twice
    compares equal."""
    return "".join(unicodedata.normalize("NFKC", raw).split())


def _is_other_debtor(case: Case, other: Case) -> bool:
    """A different person: not the same account, nor the same name with the same masked ID
    (the full number is encrypted at rest, PIPL Art. 51)."""
    if case.debtor_user_id is not None and other.debtor_user_id == case.debtor_user_id:
        return False
    same_identity = (
        bool(case.debtor_id_masked)
        and other.debtor_id_masked == case.debtor_id_masked
        and other.debtor_name.strip() == case.debtor_name.strip()
    )
    return not same_identity


def _shared_with_debtors(
    case: Case, phones: set[str], emails: set[str], addresses: set[str]
) -> list[Shared]:
    conditions = []
    if phones:
        conditions.append(Case.debtor_phone.in_(phones))
    if emails:
        # Intake stores e-mail addresses lower-case (app.cases.intake): the plain column
        # compares, through its index.
        conditions.append(Case.debtor_email.in_(emails))
    if addresses:
        raw = {case.debtor_address or ""} | addresses
        conditions.append(Case.debtor_address.in_(raw))
    if not conditions:
        return []
    others = db.session.scalars(
        select(Case).where(
            Case.mediation_org_id == case.mediation_org_id, Case.id != case.id, or_(*conditions)
        )
    )
    found: dict[tuple[Trait, str], list[OtherDebtor]] = defaultdict(list)
    for other in others:
        if not _is_other_debtor(case, other):
            continue
        holder = OtherDebtor(other.reference, other.debtor_name)
        if other.debtor_phone and normalise_phone(other.debtor_phone) in phones:
            found[(Trait.PHONE, normalise_phone(other.debtor_phone))].append(holder)
        if other.debtor_email and other.debtor_email.strip().lower() in emails:
            found[(Trait.EMAIL, other.debtor_email.strip().lower())].append(holder)
        if normalise_address(other.debtor_address or "") in addresses:
            found[(Trait.ADDRESS, normalise_address(other.debtor_address or ""))].append(holder)
    return [Shared(t, v, debtors=tuple(h)) for (t, v), h in sorted(found.items())]


def _debtor_traces(case: Case) -> set[tuple[str, str]]:
    """(address, user agent) of every sign-in of the debtor's account and every signature
    the debtor gave on this case."""
    traces: set[tuple[str, str]] = set()
    if case.debtor_user_id is not None:
        traces |= set(
            db.session.execute(
                select(UserSession.ip, UserSession.user_agent).where(
                    UserSession.user_id == case.debtor_user_id
                )
            )
        )
    traces |= set(
        db.session.execute(
            select(AgreementSignature.ip, AgreementSignature.user_agent)
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id == case.id, AgreementSignature.role == "debtor")
        )
    )
    return {(ip.strip(), agent.strip()) for ip, agent in traces if ip and ip.strip()}


def _others_at(networks: Iterable[str], exclude_user: int | None) -> list[tuple[int, str, str]]:
    """(user id, address, user agent) of other accounts' sign-ins and agreement signatures
    from these addresses (indexes on ``user_sessions.ip`` and ``agreement_signatures.ip``)."""
    wanted = sorted(set(networks))
    if not wanted:
        return []
    rows: list[tuple[int, str, str]] = []
    for model in (UserSession, AgreementSignature):
        query = select(model.user_id, model.ip, model.user_agent).where(model.ip.in_(wanted))
        if exclude_user is not None:
            query = query.where(model.user_id != exclude_user)
        rows.extend((u, ip.strip(), agent.strip()) for u, ip, agent in db.session.execute(query))
    return rows


def _network_shared_with_debtors(case: Case, traces: set[tuple[str, str]]) -> list[Shared]:
    networks = {ip for ip, _ in traces if _comparable(ip)}
    rows = _others_at(networks, case.debtor_user_id)
    users = {u for u, _, _ in rows}
    if not users:
        return []
    cases_of: dict[int, list[Case]] = defaultdict(list)
    for other in db.session.scalars(
        select(Case).where(
            Case.mediation_org_id == case.mediation_org_id,
            Case.id != case.id,
            Case.debtor_user_id.in_(users),
        )
    ):
        if _is_other_debtor(case, other) and other.debtor_user_id is not None:
            cases_of[other.debtor_user_id].append(other)
    found: dict[tuple[Trait, str], set[OtherDebtor]] = defaultdict(set)
    for user_id, ip, agent in rows:
        for other in cases_of.get(user_id, []):
            holder = OtherDebtor(other.reference, other.debtor_name)
            found[(Trait.NETWORK, ip)].add(holder)
            if (ip, agent) in traces and agent:
                found[(Trait.DEVICE, f"{ip}{_DEVICE_SEPARATOR}{agent}")].add(holder)
    return [
        Shared(t, v, debtors=tuple(sorted(h, key=lambda d: d.case_reference)))
        for (t, v), h in sorted(found.items())
    ]


def _shared_with_staff(
    case: Case,
    phones: set[str],
    emails: set[str],
    networks: set[str],
    traces: set[tuple[str, str]],
) -> list[Shared]:
    """The creditor organisation's users whose phone or e-mail is the debtor's, or who
    signed in or signed from the debtor's network address."""
    staff_of = and_(User.role == Role.CREDITOR, User.creditor_org_id == case.creditor_org_id)
    found: dict[tuple[Trait, str], set[str]] = defaultdict(set)
    if phones or emails:
        for user in db.session.scalars(
            select(User).where(
                staff_of, or_(User.phone.in_(phones or {""}), User.email.in_(emails or {""}))
            )
        ):
            if user.phone and user.phone in phones:
                found[(Trait.PHONE, user.phone)].add(user.name)
            if user.email and user.email.lower() in emails:
                found[(Trait.EMAIL, user.email.lower())].add(user.name)
    rows = _others_at(networks, case.debtor_user_id)
    users = {u for u, _, _ in rows}
    names = (
        {
            row[0]: row[1]
            for row in db.session.execute(
                select(User.id, User.name).where(staff_of, User.id.in_(users))
            )
        }
        if users
        else {}
    )
    for user_id, ip, agent in rows:
        if user_id in names:
            found[(Trait.NETWORK, ip)].add(names[user_id])
            if (ip, agent) in traces and agent:
                found[(Trait.DEVICE, f"{ip}{_DEVICE_SEPARATOR}{agent}")].add(names[user_id])
    return [
        Shared(t, v, staff=tuple(StaffMember(n) for n in sorted(h)))
        for (t, v), h in sorted(found.items())
    ]


def _settlements(case: Case) -> tuple[Settlement, ...]:
    """This debtor's cases in the organisation (by account, or by name and masked ID), each
    with its first invitation and the debtor's first agreement signature."""
    same_debtor = [
        and_(Case.debtor_name == case.debtor_name, Case.debtor_id_masked == case.debtor_id_masked)
    ]
    if case.debtor_user_id is not None:
        same_debtor.append(Case.debtor_user_id == case.debtor_user_id)
    cases = list(
        db.session.execute(
            select(Case.id, Case.created_at).where(
                Case.mediation_org_id == case.mediation_org_id, or_(*same_debtor)
            )
        )
    )
    ids = [i for i, _ in cases]
    invited: dict[int, datetime] = dict(
        (row[0], row[1])
        for row in db.session.execute(
            select(Invitation.case_id, func.min(Invitation.created_at))
            .where(Invitation.case_id.in_(ids))
            .group_by(Invitation.case_id)
        )
    )
    signed: dict[int, datetime] = dict(
        (row[0], row[1])
        for row in db.session.execute(
            select(Agreement.case_id, func.min(AgreementSignature.signed_at))
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id.in_(ids), AgreementSignature.role == "debtor")
            .group_by(Agreement.case_id)
        )
    )
    return tuple(
        Settlement(
            str(CaseReference(clock.local(created).year, case_id)),
            _aware(invited.get(case_id)),
            _aware(signed.get(case_id)),
        )
        for case_id, created in sorted(cases)
    )


def _aware(moment: datetime | None) -> datetime | None:
    """``func.min`` bypasses the column type: SQLite hands back a naive UTC value or text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _case_addresses(case: Case) -> set[str]:
    """Every address recorded for a party of this case: agreement and package signatures,
    and the debtor's sign-ins."""
    found = set(
        db.session.scalars(
            select(AgreementSignature.ip)
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id == case.id)
        )
    )
    found |= set(
        db.session.scalars(
            select(PackageSignature.ip)
            .join(ConfirmationPackage, ConfirmationPackage.id == PackageSignature.package_id)
            .where(ConfirmationPackage.case_id == case.id)
        )
    )
    if case.debtor_user_id is not None:
        found |= set(
            db.session.scalars(
                select(UserSession.ip).where(UserSession.user_id == case.debtor_user_id)
            )
        )
    return {ip.strip() for ip in found if ip is not None}


def _names_the_host(ip: str) -> bool:
    """A loopback or unspecified address: what every request shows behind a reverse proxy
    that is not trusted (``TRUSTED_PROXIES``), reported, never compared."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _comparable(ip: str) -> bool:
    """An address that may name a party's own network: not loopback or unspecified (the
    platform's host or its proxy) and not empty."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)
