"""The courts a joint application for judicial confirmation may go to (CPL Art. 205), for
one case: the rules are :mod:`app.rules.courts` (which place) and
:mod:`app.rules.court_levels` (which level); this reads the addresses, the amount and the
administrator's threshold table they judge."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from sqlalchemy import select

from app.confirmation.deadline import in_force_agreement
from app.extensions import db
from app.models.agreements import Agreement
from app.models.cases import Case
from app.models.court_levels import CourtLevelThreshold
from app.rules.agreements import terms_from_json
from app.rules.court_levels import LevelThreshold, courts_at_level
from app.rules.courts import CompetentCourts, CourtDirectory, Domicile, competent_courts


@cache
def court_directory() -> CourtDirectory:
    return CourtDirectory.default()


def level_thresholds() -> dict[str, LevelThreshold]:
    """The administrator's per-province figures (法发〔2021〕27号; seeded by migration 0022)."""
    rows = db.session.scalars(select(CourtLevelThreshold))
    return {
        r.province: LevelThreshold(
            r.province, r.same_province_min, r.cross_province_min, r.effective_from, r.source
        )
        for r in rows
    }


def dispute_amount(case: Case) -> Decimal:
    """The amount that decides the level: the agreement's settled total (the newest version
    in force, else the newest draft), or the claimed total before any agreement."""
    agreement = in_force_agreement(case) or db.session.scalar(
        select(Agreement)
        .where(Agreement.case_id == case.id)
        .order_by(Agreement.version.desc())
        .limit(1)
    )
    if agreement is not None:
        return terms_from_json(agreement.terms["terms"]).total
    parts = (case.outstanding_principal, case.interest, case.penalty, case.fees)
    return sum((p or Decimal("0") for p in parts), Decimal("0"))


def competent_courts_for(case: Case) -> CompetentCourts:
    """The courts the application may go to (CPL Art. 205): the debtor's domicile (the
    division in a resident ID, and the address given), the creditor's main office, the
    organisation's location; at the intermediate level when the amount is within the
    intermediate court's first-instance jurisdiction (CPL Art. 205(2); 法发〔2021〕27号).
    The case records no separate subject-matter location (a debt has none apart from the
    parties) and no inviting court (cases come from creditors)."""
    debtor_id = case.debtor_id_number if case.debtor_id_type == "resident_id" else None
    directory = court_directory()
    basic = competent_courts(
        party_domiciles=(
            Domicile("debtor", id_number=debtor_id, address=case.debtor_address),
            Domicile("creditor", address=case.creditor_org.address),
        ),
        subject_matter_address=None,
        organisation_address=case.mediation_org.address,
        inviting_court=None,
        directory=directory,
    )
    return courts_at_level(
        basic, amount=dispute_amount(case), thresholds=level_thresholds(), directory=directory
    )
