"""The parties as the confirmability pre-checks see them (:mod:`app.rules.confirmability`):
who they are, the phone and the devices they used, and who acts for the creditor."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.auth import UserSession
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature
from app.models.users import Role
from app.rules.confirmability import AgentFacts, PartyFacts
from app.rules.powers_of_attorney import PowerOfAttorney
from app.rules.proposals import Side


def debtor_facts(case: Case) -> PartyFacts:
    user = case.debtor_user
    return PartyFacts(
        side=Side.DEBTOR,
        name=case.debtor_name,
        is_natural_person=True,
        id_number=case.debtor_id_number,
        birth_date=None,
        phone=case.debtor_phone or (user.phone if user else None),
        devices=devices_of(case, "debtor", case.debtor_user_id),
        agent=None,
    )


def extra_party_facts(case: Case) -> list[PartyFacts]:
    """Each guarantor and co-borrower, on the debtor's side: their capacity, their identity
    and the phones and devices they used are judged like the debtor's (民诉法解释 Art.
    358; CPL Art. 115)."""
    return [
        PartyFacts(
            side=Side.DEBTOR,
            name=party.name,
            is_natural_person=True,
            id_number=party.id_number,
            birth_date=None,
            phone=party.phone or (party.user.phone if party.user else None),
            devices=devices_of(case, party.signer_role, party.user_id),
            agent=None,
        )
        for party in case.extra_parties
    ]


def creditor_facts(
    case: Case,
    signatures: list[AgreementSignature],
    *,
    has_power_of_attorney: bool,
    power_of_attorney: PowerOfAttorney | None = None,
    settles_for_less: bool = False,
) -> PartyFacts:
    """The creditor. An entity acts through the employee who signed for it: an agent,
    who needs a power of attorney (CPL Art. 62) covering what they signed (the content
    recorded with the file, :mod:`app.cases.papers`) and may not be platform staff. A
    natural person signs in person (人民调解法 Art. 29): no agent, no power of attorney,
    but their capacity is checked like the debtor's (民法典 Arts. 17–19) and their ID
    number is compared with the other side's (CPL Art. 115)."""
    org = case.creditor_org
    signature = next((s for s in signatures if s.role == "creditor"), None)
    signer = signature.user if signature is not None else None
    agent = None
    if org.is_natural_person:
        return PartyFacts(
            side=Side.CREDITOR,
            name=org.name,
            is_natural_person=True,
            id_number=org.id_number,
            birth_date=org.person_birth_date,
            phone=org.phone or (signer.phone if signer is not None else None),
            devices=devices_of(case, "creditor", None),
            agent=None,
        )
    if signature is not None and signer is not None:
        agent = AgentFacts(
            name=signer.name,
            has_power_of_attorney=has_power_of_attorney,
            is_platform_staff=signer.role in (Role.MEDIATOR, Role.ADMIN),
            power_of_attorney=power_of_attorney,
            signed_on=clock.day_of(signature.signed_at),
            settles_for_less=settles_for_less,
        )
    return PartyFacts(
        side=Side.CREDITOR,
        name=org.name,
        is_natural_person=False,
        id_number=org.credit_code,
        birth_date=None,
        phone=signer.phone if signer is not None else None,
        devices=devices_of(case, "creditor", None),
        agent=agent,
    )


def devices_of(case: Case, role: str, user_id: int | None) -> frozenset[str]:
    """The IP addresses this side signed from (agreement and package signatures), and for
    the debtor also the ones they signed in from. Loopback and unspecified addresses are
    left out of the comparison, not silently: they name the platform's own host or reverse
    proxy, not a party's device, and the pre-checks report them
    (``confirm.address_unverifiable``, :mod:`app.confirmation.collusion`)."""
    found = set(
        db.session.scalars(
            select(AgreementSignature.ip)
            .join(Agreement, Agreement.id == AgreementSignature.agreement_id)
            .where(Agreement.case_id == case.id, AgreementSignature.role == role)
        )
    )
    found |= set(
        db.session.scalars(
            select(PackageSignature.ip)
            .join(ConfirmationPackage, ConfirmationPackage.id == PackageSignature.package_id)
            .where(ConfirmationPackage.case_id == case.id, PackageSignature.role == role)
        )
    )
    if user_id is not None:
        found |= set(
            db.session.scalars(select(UserSession.ip).where(UserSession.user_id == user_id))
        )
    return frozenset(ip for ip in found if _identifies_a_device(ip))


def _identifies_a_device(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)
