"""The per-province court-level thresholds the administrator keeps (CPL Art. 205(2);
法发〔2021〕27号): the amounts from which an intermediate court, not a basic-level court,
confirms the agreement (:mod:`app.rules.court_levels`). Seeded by migration 0022."""

from __future__ import annotations

from sqlalchemy import select

from app import audit
from app.accounts.errors import AccountInvalid
from app.audit import AuditAction
from app.core import clock
from app.core.transaction import conflict_on, use_case
from app.extensions import db
from app.models.court_levels import CourtLevelThreshold
from app.models.users import User
from app.rules.court_levels import LevelThreshold, threshold_from_values

# Two administrators adding the same province at the same moment: the second lost the race.
conflict_on("uq_court_level_thresholds_province", "changed_meanwhile")


def threshold_rows() -> list[CourtLevelThreshold]:
    """Every province's row, by province."""
    return list(
        db.session.scalars(select(CourtLevelThreshold).order_by(CourtLevelThreshold.province))
    )


def read_threshold(
    province: str, same_min: str, cross_min: str, effective_from: str, source: str
) -> LevelThreshold:
    """The row as typed in the form, or ``threshold_invalid``."""
    try:
        item = threshold_from_values(province, same_min, cross_min, effective_from, source)
    except ValueError:
        raise AccountInvalid("threshold_invalid") from None
    if (
        len(item.province) > 32
        or len(item.source) > 300
        or max(item.same_province_min, item.cross_province_min) >= 10**14
    ):
        raise AccountInvalid("threshold_invalid")
    return item


@use_case
def set_threshold(admin: User, item: LevelThreshold) -> None:
    """Record (or correct) one province's two figures with their source."""
    row = db.session.scalar(
        select(CourtLevelThreshold).where(CourtLevelThreshold.province == item.province)
    )
    before = (
        None if row is None else {"same": row.same_province_min, "cross": row.cross_province_min}
    )
    if row is None:
        row = CourtLevelThreshold(province=item.province)
        db.session.add(row)
    row.same_province_min = item.same_province_min
    row.cross_province_min = item.cross_province_min
    row.effective_from = item.effective_from
    row.source = item.source
    row.updated_at = clock.now()
    db.session.flush()
    audit.record(
        AuditAction.COURT_THRESHOLD_SET,
        actor=admin,
        object_type="court_level_threshold",
        object_id=row.id,
        data={
            "province": item.province,
            "same": item.same_province_min,
            "cross": item.cross_province_min,
            "effective_from": item.effective_from.isoformat(),
            "source": item.source,
            "before": before,
        },
    )
