"""The courts a joint application for judicial confirmation may go to (CPL Art. 205), for
one case: the rule is :mod:`app.rules.courts`; this reads the addresses it judges."""

from __future__ import annotations

from functools import cache

from app.models.cases import Case
from app.rules.courts import CompetentCourts, CourtDirectory, Domicile, competent_courts


@cache
def court_directory() -> CourtDirectory:
    return CourtDirectory.default()


def competent_courts_for(case: Case) -> CompetentCourts:
    """The courts the application may go to (CPL Art. 205): the debtor's domicile (the
    division in a resident ID, and the address given), the creditor's main office, the
    organisation's location. The case records no separate subject-matter location (a debt
    has none apart from the parties) and no inviting court (cases come from creditors)."""
    debtor_id = case.debtor_id_number if case.debtor_id_type == "resident_id" else None
    return competent_courts(
        party_domiciles=(
            Domicile("debtor", id_number=debtor_id, address=case.debtor_address),
            Domicile("creditor", address=case.creditor_org.address),
        ),
        subject_matter_address=None,
        organisation_address=case.mediation_org.address,
        inviting_court=None,
        directory=court_directory(),
    )
