"""The audit log: append-only, hash-chained globally and per case, verifiable."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from app import audit
from app.extensions import db
from app.models.audit import AuditEvent, AuditEventImmutable
from app.models.users import Role
from app.rules.hashchain import GENESIS, EventContent, canonical_data, event_hash
from tests.factories import PASSWORD, make_user
from tests.helpers import Browser


def _record(n: int, case_id: int | None = None) -> list[AuditEvent]:
    events = [
        audit.record(
            "test:event",
            actor=None,
            object_type="thing",
            object_id=i,
            case_id=case_id,
            data={"i": i, "amount": Decimal("12.30")},
        )
        for i in range(n)
    ]
    db.session.commit()
    return events


def _tamper(sql: str, **params: object) -> None:
    """Change a row behind the application's back, as an attacker with DB access would."""
    dialect = db.engine.dialect.name
    with db.engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        conn.execute(text(sql), params)


def test_events_link_to_the_previous_hash(app: Flask) -> None:
    first, second, third = _record(3)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    report = audit.verify_chain()
    assert report.intact and report.events == 3 and report.head_hash == third.hash


def test_case_chain_links_only_that_cases_events(app: Flask) -> None:
    a1 = _record(1, case_id=1)[0]
    _record(1, case_id=2)
    _record(1)
    a2 = _record(1, case_id=1)[0]
    assert a1.case_prev_hash == GENESIS
    assert a2.case_prev_hash == a1.hash
    assert audit.verify_chain().intact


@pytest.mark.commits
def test_changed_content_is_found_with_its_id(app: Flask) -> None:
    events = _record(5)
    _tamper("UPDATE audit_events SET data = :d WHERE id = :id", d='{"i": 99}', id=events[2].id)
    db.session.expire_all()
    report = audit.verify_chain()
    assert not report.intact
    assert report.broken_id == events[2].id
    assert "content" in report.reason


@pytest.mark.commits
def test_deleted_event_breaks_the_next_link(app: Flask) -> None:
    events = _record(4)
    _tamper("DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    db.session.expire_all()
    report = audit.verify_chain()
    assert not report.intact
    assert report.broken_id == events[2].id


@pytest.mark.commits
def test_rewritten_hash_is_found_at_the_following_event(app: Flask) -> None:
    events = _record(3)
    _tamper("UPDATE audit_events SET hash = :h WHERE id = :id", h="f" * 64, id=events[1].id)
    db.session.expire_all()
    assert audit.verify_chain().broken_id == events[1].id


def test_orm_refuses_to_update_an_event(app: Flask) -> None:
    event = _record(1)[0]
    event.action = "changed"
    with pytest.raises(AuditEventImmutable):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_an_event(app: Flask) -> None:
    event = _record(1)[0]
    db.session.delete(event)
    with pytest.raises(AuditEventImmutable):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_bulk_update_and_delete(app: Flask) -> None:
    _record(1)
    with pytest.raises(AuditEventImmutable):
        db.session.execute(update(AuditEvent).values(action="x"))
    with pytest.raises(AuditEventImmutable):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()


@pytest.mark.commits
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"]
)
def test_database_trigger_refuses_raw_changes(app: Flask, sql: str) -> None:
    _record(2)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(sql))
    assert audit.verify_chain().events == 2


def test_a_forked_chain_cannot_be_committed(app: Flask) -> None:
    """Two writers that both read the same head: the unique prev_hash refuses the second."""
    first = _record(1)[0]
    content = EventContent(datetime.now(UTC), None, "system", "x", "t", "1", None, {})
    db.session.add(
        AuditEvent(
            occurred_at=content.occurred_at,
            actor_id=None,
            actor_label="system",
            action="x",
            object_type="t",
            object_id="1",
            case_id=None,
            data={},
            prev_hash=first.prev_hash,
            case_prev_hash=None,
            hash=event_hash(content, first.prev_hash, None),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_actor_is_recorded(app: Flask) -> None:
    user = make_user(Role.MEDIATOR)
    event = audit.record("test:act", actor=user, object_type="user", object_id=user.id)
    db.session.commit()
    assert event.actor_id == user.id
    assert event.actor_label == f"mediator:{user.name}"


def test_floats_are_refused_in_audit_data() -> None:
    with pytest.raises(TypeError):
        canonical_data({"amount": 0.1})
    assert canonical_data({"amount": Decimal("0.10")}) == {"amount": "0.10"}


def test_hash_depends_on_every_field() -> None:
    base = EventContent(datetime(2026, 1, 1, tzinfo=UTC), 1, "a", "b", "c", "d", 7, {"k": "v"})
    reference = event_hash(base, GENESIS, None)
    variants = [
        EventContent(datetime(2026, 1, 2, tzinfo=UTC), 1, "a", "b", "c", "d", 7, {"k": "v"}),
        EventContent(base.occurred_at, 2, "a", "b", "c", "d", 7, {"k": "v"}),
        EventContent(base.occurred_at, 1, "z", "b", "c", "d", 7, {"k": "v"}),
        EventContent(base.occurred_at, 1, "a", "z", "c", "d", 7, {"k": "v"}),
        EventContent(base.occurred_at, 1, "a", "b", "z", "d", 7, {"k": "v"}),
        EventContent(base.occurred_at, 1, "a", "b", "c", "z", 7, {"k": "v"}),
        EventContent(base.occurred_at, 1, "a", "b", "c", "d", 8, {"k": "v"}),
        EventContent(base.occurred_at, 1, "a", "b", "c", "d", 7, {"k": "w"}),
    ]
    assert all(event_hash(v, GENESIS, None) != reference for v in variants)
    assert event_hash(base, "1" * 64, None) != reference
    assert event_hash(base, GENESIS, "1" * 64) != reference


def _cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_reports_intact_with_the_head_hash(app: Flask) -> None:
    events = _record(3)
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 0
    assert f"intact: 3 events, head {events[-1].hash}" in result.output


@pytest.mark.commits
def test_cli_reports_the_first_broken_link_and_fails(app: Flask) -> None:
    events = _record(3)
    _tamper("UPDATE audit_events SET actor_label = 'forged' WHERE id = :id", id=events[1].id)
    db.session.expire_all()
    result = _cli(app, "audit", "verify")
    assert result.exit_code == 1
    assert f"BROKEN at event id {events[1].id}" in result.output


def test_sign_in_is_audited_in_the_same_transaction(app: Flask, browser: Browser) -> None:
    user = make_user()
    browser.login(user.email, PASSWORD)
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert actions == ["auth:login"]
    assert audit.verify_chain().intact


def test_every_audit_action_has_a_label_in_both_languages() -> None:
    """The timeline and the audit views name each action in words; one without a label
    would show its raw code (contact:failed had none)."""
    from app.audit import ACTION_LABELS, AuditAction

    missing = [action.value for action in AuditAction if action not in ACTION_LABELS]
    assert missing == []
