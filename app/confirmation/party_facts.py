"""The parties as the confirmability pre-checks see them (:mod:`app.rules.confirmability`):
who they are, the phone and the devices they used, and who acts for the creditor."""

from __future__ import annotations

import ipaddress

from sqlalchemy import select

from app.extensions import db
from app.models.agreements import Agreement, AgreementSignature
from app.models.auth import UserSession
from app.models.cases import Case
from app.models.confirmation import ConfirmationPackage, PackageSignature
from app.models.organisations import LicenceType
from app.models.users import Role
from app.rules.confirmability import AgentFacts, PartyFacts
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


def creditor_facts(
    case: Case, signatures: list[AgreementSignature], *, has_power_of_attorney: bool
) -> PartyFacts:
    """The creditor organisation, acting through the employee who signed for it: an agent,
    who needs a power of attorney (CPL Art. 62) and may not be platform staff."""
    signer = next((s.user for s in signatures if s.role == "creditor"), None)
    agent = None
    # A private lender signs in person: no one acts for them, no power of attorney.
    in_person = case.creditor_org.licence_type == LicenceType.PRIVATE_LENDER
    if signer is not None and not in_person:
        agent = AgentFacts(
            name=signer.name,
            has_power_of_attorney=has_power_of_attorney,
            is_platform_staff=signer.role in (Role.MEDIATOR, Role.ADMIN),
        )
    return PartyFacts(
        side=Side.CREDITOR,
        name=case.creditor_org.name,
        is_natural_person=False,
        id_number=case.creditor_org.credit_code,
        birth_date=None,
        phone=signer.phone if signer is not None else None,
        devices=devices_of(case, "creditor", None),
        agent=agent,
    )


def devices_of(case: Case, role: str, user_id: int | None) -> frozenset[str]:
    """The IP addresses this side signed from (agreement and package signatures), and for
    the debtor also the ones they signed in from. Loopback and unspecified addresses are
    left out: they name the platform's own host or reverse proxy, not a party's device."""
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
