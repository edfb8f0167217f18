"""The sham-mediation signals on the case page, for the case's mediator only (虚假调解:
CPL Art. 115; 民诉法解释 Art. 358): which other cases of the organisation or which of the
creditor's staff share what with this debtor, masked (PIPL Arts. 28, 51), from the moment
the case reaches the mediator. Lifting a strong one is on the checks page
(:mod:`app.confirmation.views.confirmation`)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import get_locale

from app.access import Permission, can
from app.confirmation.collusion import collusion_facts_for
from app.models.cases import Case
from app.models.users import User
from app.rules.cases import CaseState
from app.rules.collusion import check_signals


def collusion_panel(case: Case, viewer: User) -> tuple[str, dict[str, Any]] | None:
    if not can(viewer, Permission.COLLUSION_VIEW, case):
        return None
    zh = str(get_locale()).startswith("zh")
    findings = check_signals(collusion_facts_for(case))
    return "cases/_collusion.html", {
        "signals": [
            {
                "code": f.code,
                "severity": f.severity.value,
                "message": f.message_zh if zh else f.message_en,
                "source": f.source,
            }
            for f in findings
        ],
        "checks_url": url_for("confirmation.checks", case_id=case.id)
        if case.state == CaseState.IN_FORCE
        else None,
    }
