"""Demo data is idempotent and lets every role sign in; the worker's task runs for real."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.models import AuditEvent, CreditorOrganisation, LicenceType, MediationOrganisation, User
from app.models.users import Role
from app.services.demo import DEMO_PASSWORD
from tests.helpers import Browser


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) or 0
        for m in (MediationOrganisation, CreditorOrganisation, User, AuditEvent)
    )


def test_seed_demo_creates_the_cast_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    after_first = _counts()
    second = runner.invoke(args=["seed-demo"])
    assert "nothing changed" in second.output
    assert _counts() == after_first
    assert after_first[:3] == (1, 2, 8)
    roles = sorted(r.value for r in db.session.scalars(select(User.role)))
    assert roles.count("mediator") == 2 and roles.count("admin") == 1
    assert roles.count("creditor") == 2 and roles.count("debtor") == 3
    licences = set(db.session.scalars(select(CreditorOrganisation.licence_type)))
    assert licences == {LicenceType.BANK, LicenceType.PRIVATE_LENDER}
    assert "admin@demo.concord" in second.output
    assert audit.verify_chain().intact


def test_every_demo_account_can_sign_in(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["seed-demo"])
    homes = {
        Role.ADMIN: "/admin/",
        Role.MEDIATOR: "/docket",
        Role.CREDITOR: "/creditor",
        Role.DEBTOR: "/debtor",
    }
    for user in db.session.scalars(select(User)):
        browser = Browser(app.test_client())
        response = browser.login(user.email, DEMO_PASSWORD)
        assert response.headers["Location"] == homes[user.role], user.email


def test_nightly_audit_verification_task_reports_the_chain(app: Flask) -> None:
    from app.queue import verify_audit_chain_nightly

    audit.record("test:event", actor=None, object_type="t", object_id=1)
    db.session.commit()
    # .call_local runs the task body as the consumer would, without the queue.
    assert verify_audit_chain_nightly.call_local() is True
